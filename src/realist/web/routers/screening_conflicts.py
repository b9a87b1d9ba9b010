"""Dual screening: records two reviewers disagree on, their resolution, and agreement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.screening import CriterionKind, Decision, Stage
from realist.services import screening
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep
from realist.web.params import Id
from realist.web.routers.screening import CriterionItem, DecisionItem, decision_item
from realist.web.templating import is_htmx, label, render

router = APIRouter()


class ConflictRecord(BaseModel):
    id: int
    title: str
    authors: list[str]
    year: int | None
    abstract: str


class Conflict(BaseModel):
    record: ConflictRecord
    decisions: list[DecisionItem]


class ConflictsPage(BaseModel):
    stage: Stage
    conflicts: list[Conflict]
    exclusion: list[CriterionItem]
    message: str = ""


class AgreementRow(BaseModel):
    """Percentage agreement and Cohen's kappa (null when undefined) for one pair."""

    stage: Stage
    reviewers: list[str]
    records: int
    percent: float
    kappa: float | None


def conflicts_data(store: Store, stage: Stage, message: str = "") -> ConflictsPage:
    found = []
    for r, decisions in screening.conflicts(store, stage):
        assert r.id is not None
        item = ConflictRecord(
            id=r.id, title=r.title, authors=r.authors, year=r.year, abstract=r.abstract
        )
        found.append(Conflict(record=item, decisions=[decision_item(d) for d in decisions]))
    exclusion = [
        CriterionItem(code=c.code, dimension=c.dimension, kind=c.kind, text=c.text)
        for c in screening.criteria(store)
        if c.kind is CriterionKind.EXCLUSION
    ]
    return ConflictsPage(stage=stage, conflicts=found, exclusion=exclusion, message=message)


def agreement_data(store: Store) -> list[AgreementRow]:
    return [
        AgreementRow(
            stage=a.stage,
            reviewers=list(a.reviewers),
            records=a.records,
            percent=round(a.percent, 1),
            kappa=None if a.kappa is None else round(a.kappa, 3),
        )
        for a in screening.agreement_report(store)
    ]


@router.get("/screening/conflicts", include_in_schema=False)
def conflicts_page(
    request: Request, _: Reader, store: StoreDep, stage: Stage = Stage.TITLE_ABSTRACT
) -> Response:
    page = conflicts_data(store, stage)
    return render(request, "screening/conflicts.html", {"page": page, "stages": list(Stage)})


@router.post("/screening/conflicts/{record_id}", include_in_schema=False)
def resolve_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    record_id: Id,
    stage: Annotated[Stage, Form()],
    decision: Annotated[Decision, Form()],
    criterion: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    screening.resolve_conflict(store, record_id, stage, decision, actor.key, criterion or None)
    if not is_htmx(request):
        return RedirectResponse(f"/screening/conflicts?stage={stage}", status_code=303)
    message = f"Record {record_id} resolved: {label(decision).lower()}."
    page = conflicts_data(store, stage, message)
    return render(request, "screening/_conflicts.html", {"page": page})


@router.get("/screening/agreement", include_in_schema=False)
def agreement_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(request, "screening/agreement.html", {"rows": agreement_data(store)})


class ResolveIn(BaseModel):
    stage: Stage = Stage.TITLE_ABSTRACT
    decision: Decision
    criterion: str = Field("", max_length=64)


@router.get("/api/screening/conflicts", tags=["screening"])
def conflicts_api(_: Reader, store: StoreDep, stage: Stage = Stage.TITLE_ABSTRACT) -> ConflictsPage:
    """Records two reviewers disagree on at ``stage``, with every decision."""
    return conflicts_data(store, stage)


@router.post("/api/screening/conflicts/{record_id}", tags=["screening"])
def resolve_api(actor: Editor, store: StoreDep, record_id: Id, body: ResolveIn) -> ConflictsPage:
    """Settle a conflict; the resolution is recorded with who resolved it."""
    screening.resolve_conflict(
        store, record_id, body.stage, body.decision, actor.key, body.criterion or None
    )
    return conflicts_data(store, body.stage)


@router.get("/api/screening/agreement", tags=["screening"])
def agreement_api(_: Reader, store: StoreDep) -> list[AgreementRow]:
    """Agreement between reviewer pairs per stage."""
    return agreement_data(store)
