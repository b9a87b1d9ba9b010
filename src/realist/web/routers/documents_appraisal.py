"""Appraisal in the reader: an excerpt's relevance and rigour, and the document's MMAT 2018
appraisal by the acting reviewer."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.appraisal import MMAT_QUANTITATIVE_COMPONENTS, Grade, MMATAnswer
from realist.domain.documents import StudyDesign
from realist.services import coding, documents
from realist.store import Store
from realist.web.auth import Actor, Editor, StoreDep
from realist.web.params import Id
from realist.web.routers.documents import (
    SAVED,
    ExcerptItem,
    MMATItem,
    changed,
    document_data,
    excerpt_data,
    mmat_item,
)
from realist.web.templating import is_htmx, render

router = APIRouter()


class AppraisalIn(BaseModel):
    relevance: Grade | None = None
    rigour: Grade | None = None
    note: str | None = Field(None, max_length=4000)


class MMATIn(BaseModel):
    """MMAT 2018: two screening answers, then the category's five criteria (only when both
    screening answers are yes); a mixed methods study also answers the criteria of its
    qualitative component and of its one quantitative component."""

    category: StudyDesign
    screening: list[MMATAnswer] = Field(min_length=2, max_length=2)
    criteria: list[MMATAnswer] = Field([], max_length=5)
    note: str = Field("", max_length=4000)
    components: dict[StudyDesign, list[MMATAnswer]] = Field(
        {},
        max_length=3,
        description='mixed methods only: {"qualitative": [five answers], '
        '"non_randomised": [five answers]} (or randomised_controlled_trial, '
        "quantitative_descriptive)",
    )


Answer = Annotated[MMATAnswer | Literal[""], Form()]


def _components(
    category: StudyDesign, answered: dict[StudyDesign | Literal[""], list[MMATAnswer | Literal[""]]]
) -> dict[StudyDesign, list[MMATAnswer]]:
    """A mixed methods form's components: the qualitative component's answers (q1-q5) and
    the chosen quantitative component's (k1-k5). A component with no answer is left out
    (the service then says it is missing); other categories have none."""
    if category is not StudyDesign.MIXED_METHODS:
        return {}
    return {c: [a for a in answers if a] for c, answers in answered.items() if c and any(answers)}


def appraise(store: Store, actor: Actor, excerpt_id: int, body: AppraisalIn) -> ExcerptItem:
    coding.appraise_excerpt(store, excerpt_id, actor.key, body.relevance, body.rigour, body.note)
    return excerpt_data(store, excerpt_id)


def appraise_mmat(store: Store, actor: Actor, key: str, body: MMATIn) -> MMATItem:
    return mmat_item(
        documents.appraise_mmat(
            store,
            key,
            body.category,
            body.screening,
            body.criteria,
            actor.key,
            body.note,
            components=body.components,
        )
    )


# --- pages ----------------------------------------------------------------------------------


@router.post("/documents/{key}/excerpts/{excerpt_id}/appraisal", include_in_schema=False)
def appraise_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    excerpt_id: Id,
    relevance: Annotated[Grade | Literal[""], Form()] = "",
    rigour: Annotated[Grade | Literal[""], Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    body = AppraisalIn(relevance=relevance or None, rigour=rigour or None, note=note)
    appraise(store, actor, excerpt_id, body)
    return changed(request, store, key, excerpt_id, "appraised")


@router.post("/documents/{key}/mmat", include_in_schema=False)
def mmat_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    category: Annotated[StudyDesign, Form()],
    s1: Annotated[MMATAnswer, Form()],
    s2: Annotated[MMATAnswer, Form()],
    c1: Annotated[MMATAnswer | Literal[""], Form()] = "",
    c2: Annotated[MMATAnswer | Literal[""], Form()] = "",
    c3: Annotated[MMATAnswer | Literal[""], Form()] = "",
    c4: Annotated[MMATAnswer | Literal[""], Form()] = "",
    c5: Annotated[MMATAnswer | Literal[""], Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    quantitative: Annotated[StudyDesign | Literal[""], Form()] = "",
    q1: Answer = "",
    q2: Answer = "",
    q3: Answer = "",
    q4: Answer = "",
    q5: Answer = "",
    k1: Answer = "",
    k2: Answer = "",
    k3: Answer = "",
    k4: Answer = "",
    k5: Answer = "",
) -> Response:
    criteria = [c for c in (c1, c2, c3, c4, c5) if c]
    qualitative = [q1, q2, q3, q4, q5]
    components = _components(
        category, {StudyDesign.QUALITATIVE: qualitative, quantitative: [k1, k2, k3, k4, k5]}
    )
    body = MMATIn(
        category=category, screening=[s1, s2], criteria=criteria, note=note, components=components
    )
    appraise_mmat(store, actor, key, body)
    if not is_htmx(request):
        where = f"/documents/{url_quote(key)}?saved=mmat&mmat={category.value}"
        if quantitative:
            where += f"&quantitative={quantitative.value}"
        return RedirectResponse(where + "#mmat", status_code=303)
    page = document_data(store, key, None, SAVED["mmat"])
    return render(
        request,
        "documents/_mmat.html",
        {
            "page": page,
            "answers": list(MMATAnswer),
            "mmat_category": category,
            "mmat_quantitative": quantitative or MMAT_QUANTITATIVE_COMPONENTS[0],
            "mmat_message": SAVED["mmat"],
        },
    )


# --- API ------------------------------------------------------------------------------------


@router.post("/api/documents/{key}/mmat", tags=["documents"])
def mmat_api(actor: Editor, store: StoreDep, key: str, body: MMATIn) -> MMATItem:
    """Save an MMAT 2018 appraisal of the document by the acting reviewer."""
    return appraise_mmat(store, actor, key, body)


@router.post("/api/excerpts/{excerpt_id}/appraisal", tags=["documents"])
def appraise_api(actor: Editor, store: StoreDep, excerpt_id: Id, body: AppraisalIn) -> ExcerptItem:
    """Relevance and rigour (high, moderate, low) of an excerpt, and a note."""
    return appraise(store, actor, excerpt_id, body)
