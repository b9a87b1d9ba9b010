"""Screening one record at a time: decisions with reasons, undo, progress, the criteria.

The page's keys (``static/js/screening.js``) press the same buttons a mouse would; every
decision is a POST that the service saves at once, answered with the next record's card.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.records import Record
from realist.domain.screening import (
    CriterionKind,
    Decision,
    EligibilityCriterion,
    ScreeningDecision,
    ScreeningMode,
    Stage,
)
from realist.domain.screening_order import ORDER_WORDS, ScreeningOrder
from realist.services import prioritising, screening
from realist.services.ranking_reasons import Why
from realist.store import Store
from realist.web.auth import Actor, Editor, Manager, Reader, StoreDep
from realist.web.params import Id, Position
from realist.web.templating import is_htmx, label, render

router = APIRouter()
ORDER_CHOICES = [(o.value, ORDER_WORDS[o]) for o in ScreeningOrder]  # the page's order menu


class CriterionItem(BaseModel):
    code: str
    dimension: str
    kind: CriterionKind
    text: str


class ScreeningRecord(BaseModel):
    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    doi: str
    abstract: str
    keywords: list[str]


class DecisionItem(BaseModel):
    """A decision on a record; in dual mode others' stay hidden until you have decided."""

    reviewer: str
    decision: Decision
    criterion: str | None
    note: str
    resolves_conflict: bool
    at: str | None


class ScreeningProgress(BaseModel):
    done: int
    total: int
    percent: int


class AttachedFullText(BaseModel):
    """The document attached to a record as its full text (full-text screening)."""

    key: str
    title: str
    href: str


class RankingReasons(BaseModel):
    """Why this record comes now: the queue's order and, when it is ranked, the record's
    score and the terms of its text that pushed the score up."""

    ranked_by: str = Field(description="prioritised, file order or random")
    basis: str = Field(description="how the queue is ordered right now")
    score: float | None = Field(None, description="0 to 1; what it is: score_means")
    score_means: str = ""
    terms: list[str] = Field(default_factory=list, description="terms that pushed it up")
    note: str = ""


class ScreeningPage(BaseModel):
    """The next record for the acting reviewer at ``stage``; ``record`` is null when their
    queue is empty. ``message`` says what the last action did."""

    stage: Stage
    mode: ScreeningMode
    record: ScreeningRecord | None
    progress: ScreeningProgress
    inclusion: list[CriterionItem]
    exclusion: list[CriterionItem]
    terms: dict[CriterionKind, list[str]]
    reason_required: bool = Field(description="an exclusion must cite a criterion")
    message: str = ""
    full_text: AttachedFullText | None = Field(
        None, description="full-text stage: the document attached to the record, if any"
    )
    order: ScreeningOrder = Field(description="the order this stage's queue is in")
    order_seed: int | None = Field(None, description="random order: its seed")
    why: RankingReasons | None = Field(None, description="why this record comes now")


def _record(r: Record) -> ScreeningRecord:
    assert r.id is not None
    return ScreeningRecord(
        id=r.id,
        title=r.title,
        authors=r.authors,
        year=r.year,
        journal=r.journal,
        doi=r.doi,
        abstract=r.abstract,
        keywords=r.keywords,
    )


def _reasons(why: Why) -> RankingReasons:
    return RankingReasons(
        ranked_by=why.words,
        basis=why.basis,
        score=why.score,
        score_means=why.score_means,
        terms=why.terms,
        note=why.note,
    )


def _criterion(c: EligibilityCriterion) -> CriterionItem:
    return CriterionItem(code=c.code, dimension=c.dimension, kind=c.kind, text=c.text)


def decision_item(d: ScreeningDecision) -> DecisionItem:
    return DecisionItem(
        reviewer=d.reviewer_key,
        decision=d.decision,
        criterion=d.criterion_code,
        note=d.note,
        resolves_conflict=d.resolves_conflict,
        at=d.created_at,
    )


def screening_data(
    store: Store, actor: Actor, stage: Stage, message: str = "", after: int | None = None
) -> ScreeningPage:
    """The page's data; ``after``: the record just decided or skipped, so that the next one
    is the first waiting after it (see services.screening.next_record)."""
    view = screening.screening_view(store, stage, actor.key, after)
    nxt = view.next
    done, total = nxt.progress.done, nxt.progress.total
    return ScreeningPage(
        stage=stage,
        mode=view.mode,
        record=_record(nxt.record) if nxt.record else None,
        progress=ScreeningProgress(
            done=done, total=total, percent=round(100 * done / total) if total else 100
        ),
        inclusion=[_criterion(c) for c in view.criteria if c.kind is CriterionKind.INCLUSION],
        exclusion=[_criterion(c) for c in view.criteria if c.kind is CriterionKind.EXCLUSION],
        terms=view.terms,
        reason_required=stage is Stage.FULL_TEXT,
        message=message,
        full_text=AttachedFullText(
            key=nxt.full_text.key,
            title=nxt.full_text.title,
            href=f"/documents/{nxt.full_text.key}",
        )
        if nxt.full_text
        else None,
        order=view.order.order,
        order_seed=view.order.seed,
        why=_reasons(nxt.why) if nxt.why else None,
    )


def _after(
    request: Request,
    store: Store,
    actor: Actor,
    stage: Stage,
    message: str,
    after: Id | None = None,
) -> Response:
    """The next card (htmx), or back to the page (a plain form post)."""
    if not is_htmx(request):
        return RedirectResponse(f"/screening?stage={stage}", status_code=303)
    page = screening_data(store, actor, stage, message, after)
    return render(request, "screening/_card.html", {"page": page})


def decide(
    store: Store,
    actor: Actor,
    record_id: int,
    stage: Stage,
    decision: Decision,
    criterion: str,
    note: str,
) -> str:
    """Save one decision; the message names it, and never another reviewer's vote (dual
    screening is blind: the record's page shows both votes once both are in)."""
    done = screening.decide(store, record_id, stage, decision, actor.key, criterion or None, note)
    message = f"Record {record_id}: {label(done.decision.decision).lower()}"
    if done.previous and done.previous.decision != done.decision.decision:
        message += f" (changed from {label(done.previous.decision).lower()})"
    if done.decision.criterion_code:
        message += f" ({done.decision.criterion_code})"
    return message + "."


def undo(store: Store, actor: Actor, stage: Stage) -> str:
    undone = screening.undo_last(store, stage, actor.key)
    if undone is None:
        return "Nothing to undo."
    return f"Undid your {undone.decision.value} on record {undone.record_id}."


StageForm = Annotated[Stage, Form()]


@router.get("/screening", include_in_schema=False)
def screening_page(
    request: Request,
    actor: Reader,
    store: StoreDep,
    stage: Stage = Stage.TITLE_ABSTRACT,
    after: Id | None = None,
) -> Response:
    page = screening_data(store, actor, stage, after=after)
    return render(
        request,
        "screening/index.html",
        {"page": page, "stages": list(Stage), "orders": ORDER_CHOICES},
    )


@router.get("/screening/card", include_in_schema=False)
def card(
    request: Request,
    actor: Reader,
    store: StoreDep,
    stage: Stage = Stage.TITLE_ABSTRACT,
    after: Id | None = None,
) -> Response:
    """The next card; ``after`` a record skips it for now (it comes round again)."""
    page = screening_data(store, actor, stage, after=after)
    return render(request, "screening/_card.html", {"page": page})


@router.post("/screening/decide", include_in_schema=False)
def decide_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    record_id: Annotated[Id, Form()],
    stage: StageForm,
    decision: Annotated[Decision, Form()],
    criterion: Annotated[str, Form(max_length=64)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    message = decide(store, actor, record_id, stage, decision, criterion, note)
    return _after(request, store, actor, stage, message, after=record_id)


@router.post("/screening/undo", include_in_schema=False)
def undo_page(request: Request, actor: Editor, store: StoreDep, stage: StageForm) -> Response:
    return _after(request, store, actor, stage, undo(store, actor, stage))


@router.post("/screening/mode", include_in_schema=False)
def mode_page(
    request: Request,
    actor: Manager,
    store: StoreDep,
    mode: Annotated[ScreeningMode, Form()],
    stage: StageForm = Stage.TITLE_ABSTRACT,
) -> Response:
    screening.set_screening_mode(store, mode, actor.key)
    return RedirectResponse(f"/screening?stage={stage}", status_code=303)


@router.post("/screening/order", include_in_schema=False)
def order_page(
    actor: Manager,
    store: StoreDep,
    order: Annotated[ScreeningOrder, Form()],
    stage: StageForm = Stage.TITLE_ABSTRACT,
) -> Response:
    prioritising.set_order(store, stage, order, actor.key)
    return RedirectResponse(f"/screening?stage={stage}", status_code=303)


class DecisionIn(BaseModel):
    record_id: Id
    stage: Stage = Stage.TITLE_ABSTRACT
    decision: Decision
    criterion: str = Field("", max_length=64, description="an exclusion criterion's code")
    note: str = Field("", max_length=2000)


class StageIn(BaseModel):
    stage: Stage = Stage.TITLE_ABSTRACT


class ModeIn(BaseModel):
    mode: ScreeningMode


class OrderIn(BaseModel):
    stage: Stage = Stage.TITLE_ABSTRACT
    order: ScreeningOrder
    seed: Position | None = Field(None, description="random order: a seed (default: drawn)")


def _json(page: ScreeningPage) -> Response:
    # The page is built from validated data already; answering it directly spares FastAPI
    # validating it a second time on the way out (screening's hot path: issue 6's load).
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/api/screening", tags=["screening"], response_model=ScreeningPage)
def screening_api(
    actor: Reader, store: StoreDep, stage: Stage = Stage.TITLE_ABSTRACT, after: Id | None = None
) -> Response:
    """The acting reviewer's next record at ``stage``, with progress, criteria and terms;
    with ``after``, the first waiting record after that one (to skip a record for now)."""
    return _json(screening_data(store, actor, stage, after=after))


@router.post("/api/screening/decisions", tags=["screening"], response_model=ScreeningPage)
def decide_api(actor: Editor, store: StoreDep, body: DecisionIn) -> Response:
    """Save a decision (at once) and return the next record."""
    message = decide(
        store, actor, body.record_id, body.stage, body.decision, body.criterion, body.note
    )
    return _json(screening_data(store, actor, body.stage, message, after=body.record_id))


@router.post("/api/screening/undo", tags=["screening"])
def undo_api(actor: Editor, store: StoreDep, body: StageIn) -> ScreeningPage:
    """Take back your latest decision at ``stage`` (the event log keeps it)."""
    return screening_data(store, actor, body.stage, undo(store, actor, body.stage))


@router.post("/api/screening/mode", tags=["screening"])
def mode_api(actor: Manager, store: StoreDep, body: ModeIn) -> ScreeningPage:
    """Single screening, or dual independent (blinded) screening with conflicts."""
    screening.set_screening_mode(store, body.mode, actor.key)
    return screening_data(store, actor, Stage.TITLE_ABSTRACT)


@router.post("/api/screening/order", tags=["screening"])
def order_api(actor: Manager, store: StoreDep, body: OrderIn) -> ScreeningPage:
    """The order ``stage``'s queue hands records out in: prioritised (most likely includes
    first, learning from every decision), file (as imported) or random (seeded; the seed is
    recorded). The change is an event in the audit trail."""
    prioritising.set_order(store, body.stage, body.order, actor.key, seed=body.seed)
    return screening_data(store, actor, body.stage)
