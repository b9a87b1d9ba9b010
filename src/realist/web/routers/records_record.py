"""One record whole (``/records/{id}``): the page ``realist record N`` prints, and its
JSON twin. Linked from the records list and the screening card."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.screening import CriterionKind, Decision, Stage
from realist.services import screening
from realist.services.record_view import record_view
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep
from realist.web.params import Id
from realist.web.templating import label, render

router = APIRouter()


class RecordDecision(BaseModel):
    reviewer: str
    decision: str
    reason: str | None
    note: str
    resolves_conflict: bool
    at: str | None


class RecordStage(BaseModel):
    outcome: str = Field(description="'undecided' while dual screening blinds it from you")
    blinded: bool = Field(
        description="dual screening: votes here are not shown to you until you decide the "
        "record yourself or two reviewers have (whether or not anyone has voted)"
    )
    decisions: list[RecordDecision]


class RecordLink(BaseModel):
    id: int
    title: str


class RecordGroup(BaseModel):
    id: int
    status: str
    confidence: float
    reason: str
    keeper: int
    members: list[RecordLink]
    decided_by: str | None


class RecordSource(BaseModel):
    name: str
    kind: str
    searched: str | None
    search_string: str
    limits: str


class RecordBatch(BaseModel):
    id: int
    file: str
    format: str
    line: int | None
    searched: str | None
    imported_at: str
    imported_by: str | None


class RecordDocument(BaseModel):
    key: str
    title: str
    citation: str
    reference: int | None
    included: bool


class RecordPage(BaseModel):
    """A record whole: ``realist record N --json`` (docs/CLI.md)."""

    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    volume: str
    issue: str
    pages: str
    doi: str
    pmid: str
    issn: str
    abstract: str
    keywords: list[str]
    kind: str
    raw: list[tuple[str, str]] = Field(description="every field as imported, in file order")
    source: RecordSource | None
    batch: RecordBatch | None
    duplicate_of: RecordLink | None
    merged: list[RecordLink]
    duplicate_groups: list[RecordGroup]
    stages: dict[str, RecordStage]
    document: RecordDocument | None
    viewer: str


def record_data(store: Store, record_id: int, reviewer: str) -> RecordPage:
    data: dict[str, Any] = record_view(store, record_id, reviewer).as_json()
    return RecordPage.model_validate(data)


@router.get("/records/{record_id:int}", include_in_schema=False)
def record_page(
    request: Request, actor: Reader, store: StoreDep, record_id: Id, saved: str = ""
) -> Response:
    page = record_data(store, record_id, actor.key)
    reasons = [c for c in screening.criteria(store) if c.kind is CriterionKind.EXCLUSION]
    return render(
        request,
        "records/record.html",
        {"page": page, "reasons": reasons, "stages": list(Stage), "saved": saved[:200]},
    )


@router.post("/records/{record_id:int}/decide", include_in_schema=False)
def decide_page(
    actor: Editor,
    store: StoreDep,
    record_id: Id,
    stage: Annotated[Stage, Form()],
    decision: Annotated[Decision, Form()],
    criterion: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Decide this record at a stage, or change your decision there (your latest counts;
    the audit trail keeps the earlier one), then back to the record."""
    done = screening.decide(store, record_id, stage, decision, actor.key, criterion or None)
    said = f"{label(stage)}: {label(decision).lower()}"
    if done.previous and done.previous.decision != decision:
        said += f" (changed from {label(done.previous.decision).lower()})"
    return RedirectResponse(f"/records/{record_id}?saved={quote(said)}", status_code=303)


@router.get("/api/records/{record_id:int}", tags=["records"])
def record_api(actor: Reader, store: StoreDep, record_id: Id) -> RecordPage:
    """One record whole: every normalised and raw field, its source and batch, duplicates,
    each stage's outcome and decisions (others' hidden in dual screening until you decide
    it), and its document."""
    return record_data(store, record_id, actor.key)
