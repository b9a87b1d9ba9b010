"""The dashboard: where the review stands, its PRISMA diagram, and what to do next."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from realist.demo import CREDIT
from realist.domain.prisma import PrismaCounts
from realist.domain.screening import Stage
from realist.reports.prisma_diagram import render_svg
from realist.reports.recall_curve import recall_curve_svg
from realist.reports.wording import counted, stage_detail, votes_detail
from realist.services import dedup, prisma, screening
from realist.services.check import check_review
from realist.services.reviews import ReviewStatus, review_status
from realist.services.screening_progress import stopping_progress
from realist.web.auth import Actor, Reader, StoreDep
from realist.web.templating import label, render

router = APIRouter()


class StageSummary(BaseModel):
    """One stage of the review with its headline count."""

    key: str
    label: str
    count: int
    detail: str
    href: str


class NextStep(BaseModel):
    """Something waiting for a person, with where to do it."""

    what: str
    count: int
    href: str


class Dashboard(BaseModel):
    """The dashboard's data: ``status`` has the shape of ``realist status --json``."""

    title: str
    is_demo: bool
    credit: str | None
    screening_mode: str
    stages: list[StageSummary]
    next_steps: list[NextStep]
    problems: list[str]
    prisma_svg: str
    status: ReviewStatus


def _stages(s: ReviewStatus) -> list[StageSummary]:
    def decided(stage: Stage) -> tuple[int, str]:
        # Records and where they stand; votes are per reviewer and shown apart from them.
        counts = s.screening.get(stage.value, {})
        detail = stage_detail(counts) if counts else "no records yet"
        if counts.get("votes") or counts.get("blinded_votes"):
            detail += " · votes: " + votes_detail(counts)
        return int(counts.get("records", 0)), detail

    ta, ta_detail = decided(Stage.TITLE_ABSTRACT)
    ft, ft_detail = decided(Stage.FULL_TEXT)
    by_topic = s.configurations["by_topic"]
    docs = s.documents
    return [
        StageSummary(
            key="records",
            label="Records",
            count=s.records["total"],
            detail=f"{counted(s.records['duplicates'], 'duplicate')} merged, "
            f"{s.records['unique']} unique",
            href="/records",
        ),
        StageSummary(
            key="title_abstract",
            label="Title and abstract screening",
            count=ta,
            detail=ta_detail,
            href="/screening?stage=title_abstract",
        ),
        StageSummary(
            key="full_text",
            label="Full-text screening",
            count=ft,
            detail=ft_detail,
            href="/screening?stage=full_text",
        ),
        StageSummary(
            key="documents",
            label="Included documents",
            count=docs["included"],
            detail=", ".join(counted(n, label(k).lower()) for k, n in docs["by_type"].items())
            or "none yet",
            href="/documents",
        ),
        StageSummary(
            key="interventions",
            label="Interventions",
            count=s.interventions,
            detail="cases with attributes",
            href="/documents",
        ),
        StageSummary(
            key="configurations",
            label="CMO configurations",
            count=s.configurations["total"],
            detail=", ".join(f"{e['total']} {label(t).lower()}" for t, e in by_topic.items())
            or "none yet",
            href="/theories",
        ),
        StageSummary(
            key="excerpts",
            label="Coded excerpts",
            count=s.excerpts,
            detail=counted(s.codings, "coding"),
            href="/documents",
        ),
    ]


def _next_steps(store: StoreDep, actor: Actor, s: ReviewStatus) -> list[NextStep]:
    """The queues that wait for a person, biggest stage first; empty ones are left out."""
    steps: list[NextStep] = []
    if s.records["total"] == 0:
        steps.append(NextStep(what="Import your search results", count=0, href="/records/import"))
    for stage in Stage:
        left = screening.next_record(store, stage, actor.key).progress
        steps.append(
            NextStep(
                what=f"Records for you to screen ({label(stage).lower()})",
                count=left.total - left.done,
                href=f"/screening?stage={stage}",
            )
        )
        steps.append(
            NextStep(
                what=f"Screening conflicts ({label(stage).lower()})",
                count=len(screening.conflicts(store, stage)),
                href=f"/screening/conflicts?stage={stage}",
            )
        )
    steps.append(
        NextStep(
            what="Possible duplicates to review",
            count=len(dedup.review_queue(store)),
            href="/records/duplicates",
        )
    )
    findings = check_review(store)
    for kind, what in (
        ("no_evidence", "Configurations without evidence"),
        ("coding_conflict", "Codings to reconcile (opposite stances)"),
        ("awaiting_verdict", "Configurations awaiting a verdict"),
        ("full_text", "Included records without a full text"),
    ):
        steps.append(
            NextStep(what=what, count=sum(1 for f in findings if f.kind == kind), href="/theories")
        )
    steps[-1].href = "/documents"
    return [step for step in steps if step.count or step.href == "/records/import"]


def dashboard_data(store: StoreDep, actor: Actor) -> Dashboard:
    """Everything the dashboard shows, from the same services as ``realist status``."""
    s = review_status(store, shown_to=actor.key)  # votes as this person may see them
    return Dashboard(
        title=s.title,
        is_demo=s.is_demo,
        credit=CREDIT if s.is_demo else None,
        screening_mode=screening.screening_mode(store).value,
        stages=_stages(s),
        next_steps=_next_steps(store, actor, s),
        problems=s.problems,
        prisma_svg="/api/prisma.svg",
        status=s,
    )


@router.get("/", include_in_schema=False)
def dashboard_page(request: Request, actor: Reader, store: StoreDep) -> Response:
    return render(request, "dashboard/index.html", {"page": dashboard_data(store, actor)})


@router.get("/api/dashboard", tags=["dashboard"])
def dashboard_api(actor: Reader, store: StoreDep) -> Dashboard:
    """Counts for every stage, what waits for the acting reviewer, and the review's problems."""
    return dashboard_data(store, actor)


@router.get("/api/prisma", tags=["dashboard"])
def prisma_api(_: Reader, store: StoreDep) -> PrismaCounts:
    """PRISMA 2020 counts (PRISMA2020 R package field names); null means unknown."""
    return prisma.prisma_counts(store)


@router.get(
    "/api/prisma.svg",
    tags=["dashboard"],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def prisma_svg(_: Reader, store: StoreDep) -> Response:
    """The PRISMA 2020 flow diagram as SVG (the dashboard shows it as an image)."""
    svg = render_svg(prisma.prisma_counts(store))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get(
    "/api/screening/recall.svg",
    tags=["dashboard"],
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def recall_svg(actor: Reader, store: StoreDep) -> Response:
    """Title/abstract screening's recall curve as SVG: relevant records found against
    records screened, in the acting reviewer's queue as the stopping rule reads it."""
    progress = stopping_progress(store, actor.key)
    svg = recall_curve_svg(
        progress.found,
        progress.verdict.total,
        title="Relevant records found (title and abstract)",
    )
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
