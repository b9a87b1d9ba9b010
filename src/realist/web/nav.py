"""The areas of the app, in the order the navigation shows them.

An area is one entry of the navigation, one router module (``routers/<key>.py``) and one
template folder (``templates/<key>/``). Areas not built yet show a placeholder page that
says what will be there; to build one, write its router, add it to ``routers.ROUTERS`` and
set ``built=True`` here (docs/WEB.md walks through it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    path: str
    built: bool
    summary: str  # one sentence: the placeholder shows it, the dashboard may too


AREAS: tuple[Area, ...] = (
    Area(
        "dashboard",
        "Dashboard",
        "/",
        True,
        "Where the review stands: every stage's counts, the PRISMA diagram, what to do next.",
    ),
    Area(
        "records",
        "Records",
        "/records",
        True,
        "Search and filter records, import database exports, review likely duplicates.",
    ),
    Area(
        "screening",
        "Screening",
        "/screening",
        True,
        "Screen records one at a time with single keys; conflicts and agreement.",
    ),
    Area(
        "documents",
        "Documents",
        "/documents",
        True,
        "Read included full texts with page numbers, select a passage and code it to a "
        "configuration or one of its contexts, mechanisms or outcomes; appraise (MMAT).",
    ),
    Area(
        "interventions",
        "Interventions",
        "/interventions",
        True,
        "The cases and their attributes as a classification sheet: edit a cell, add or "
        "rename a column, add or delete an intervention, link its documents.",
    ),
    Area(
        "theories",
        "Theory board",
        "/theories",
        True,
        "Configurations grouped by topic with their If–Then statements, evidence and "
        "verdicts; edit, split and merge; the final model.",
    ),
    Area(
        "explore",
        "Explore",
        "/explore",
        True,
        "The evidence matrix with drill-down to excerpts, 'what applies in these "
        "circumstances', and full-text search.",
    ),
    Area(
        "reports",
        "Reports",
        "/reports",
        True,
        "Every report and export of the review, one click each.",
    ),
)


def area_for_path(path: str) -> Area | None:
    """The area a path belongs to (its first segment), for highlighting the navigation."""
    first = "/" + path.strip("/").split("/", 1)[0] if path.strip("/") else "/"
    return next((a for a in AREAS if a.path == first), None)
