"""Verdicts on configurations, and the final model they make (struck-through unsupported
theories, NEW ones in capitals).

A verdict is one function here that both its form post (answered with a redirect back to
the configuration's page) and its JSON post under ``/api/theories`` call.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from realist.domain.theory import ModelStyle, Standing, Verdict
from realist.reports.model import model_json
from realist.services import model, testing
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
from realist.web.routers.theory import FormText, Required, TheoryPage, back, checked, theory_data
from realist.web.templating import render

router = APIRouter()


# --- page data ------------------------------------------------------------------------------


class ModelEntryItem(BaseModel):
    identifier: str
    style: ModelStyle
    text: str = Field(description="CAPITALS for new theories, as the style asks")
    partial: bool
    middle_range_theories: list[str]
    evidence: int
    standing: Standing
    status: str = Field(description="its standing and evidence: 'untested: no evidence coded'")
    contexts: list[str]
    mechanisms: list[str]
    outcomes: list[str]


class ModelTopic(BaseModel):
    key: str
    name: str
    configurations: list[ModelEntryItem]


class ModelPage(BaseModel):
    """The final model by topic: normal (supported), struck (in the initial theory, not
    supported by evidence: untested or refuted), new (capitals); inductive ideas the
    evidence did not bear out are left out."""

    topics: list[ModelTopic]
    counts: dict[str, int]
    legend: dict[str, str]


def model_data(store: Store) -> ModelPage:
    return ModelPage(**model_json(model.final_model(store)))


# --- changes --------------------------------------------------------------------------------


class VerdictIn(BaseModel):
    """No ``verdict`` confirms the proposed one; ``untested`` takes a verdict back; a
    rationale is always required."""

    rationale: Required
    verdict: Verdict | None = None
    untested: bool = False


def record_verdict(store: Store, actor: Actor, identifier: str, body: VerdictIn) -> None:
    testing.set_verdict(
        store, identifier, actor.key, body.rationale, body.verdict, untested=body.untested
    )


# --- pages ----------------------------------------------------------------------------------


@router.get("/theories/model", include_in_schema=False)
def model_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(request, "theory/model.html", {"page": model_data(store)})


@router.post("/theories/{identifier}/verdict", include_in_schema=False)
def verdict_form(
    actor: Editor,
    store: StoreDep,
    identifier: str,
    rationale: FormText = "",
    verdict: FormText = "",
) -> Response:
    if verdict == "untested":
        body = checked(VerdictIn, rationale=rationale, untested=True)
    else:
        body = checked(VerdictIn, rationale=rationale, verdict=verdict or None)
    record_verdict(store, actor, identifier, body)
    return back(identifier, "verdict")


# --- API ------------------------------------------------------------------------------------


@router.get("/api/theories/model", tags=["theories"])
def model_api(_: Reader, store: StoreDep) -> ModelPage:
    """The final theoretical model (derived from origins and verdicts, never stored)."""
    return model_data(store)


@router.post("/api/theories/{identifier}/verdict", tags=["theories"])
def verdict_api(actor: Editor, store: StoreDep, identifier: str, body: VerdictIn) -> TheoryPage:
    """Confirm the proposed verdict (no ``verdict``) or override it, with a rationale."""
    record_verdict(store, actor, identifier, body)
    return theory_data(store, identifier)
