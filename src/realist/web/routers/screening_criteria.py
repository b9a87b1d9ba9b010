"""The eligibility criteria and highlight terms, and correcting them: add, edit, retire,
delete (or replace by another criterion), remove a term.

Every change is a form post answered with a redirect back to ``/screening/criteria``
(saying what was done), or a JSON request under ``/api/criteria`` and ``/api/terms``
answered with the page's data. The rules (what a deletion is refused for) are
``services.criteria``'s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.screening import CriterionKind
from realist.services import criteria, screening
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
from realist.web.routers.theory import checked
from realist.web.templating import render

router = APIRouter()

# What a redirect back says was done (a fixed text per key: nothing reflected).
SAVED = {
    "added": "Criterion added.",
    "edited": "Criterion saved; the decisions that cite it follow.",
    "retired": "Criterion retired: it stays with the decisions that cite it.",
    "restored": "Criterion offered again.",
    "deleted": "Criterion deleted.",
    "replaced": "Criterion deleted; its decisions now cite the one you chose.",
    "terms": "Highlight terms saved.",
    "removed": "Highlight term removed.",
}

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
FormLine = Annotated[str, Form(max_length=2000)]


class CriterionRow(BaseModel):
    """A criterion, whether it is retired, and how many decisions cite it."""

    code: str
    dimension: str
    kind: CriterionKind
    text: str
    retired: bool
    cited: int


class CriteriaPage(BaseModel):
    criteria: list[CriterionRow]
    terms: dict[CriterionKind, list[str]]
    message: str = ""


def criteria_data(store: Store, viewer: str, message: str = "") -> CriteriaPage:
    cited = criteria.citations(store, viewer)  # blinded votes' citations not counted
    return CriteriaPage(
        criteria=[
            CriterionRow(
                code=c.code,
                dimension=c.dimension,
                kind=c.kind,
                text=c.text,
                retired=c.retired,
                cited=cited.get(c.code, 0),
            )
            for c in screening.criteria(store, retired=True)
        ],
        terms=screening.highlight_terms(store),
        message=message,
    )


class CriterionIn(BaseModel):
    code: Code
    dimension: Code = "other"
    kind: CriterionKind = CriterionKind.EXCLUSION
    text: Line


class CriterionPatch(BaseModel):
    """Only the fields given change; decisions that cite the criterion follow a new code."""

    code: Code | None = None
    dimension: Code | None = None
    kind: CriterionKind | None = None
    text: Line | None = None


class RetiredIn(BaseModel):
    retired: bool = True


class TermsIn(BaseModel):
    terms: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    ] = Field(min_length=1)
    kind: CriterionKind


def add(store: Store, actor: Actor, body: CriterionIn) -> None:
    screening.add_criterion(store, body.code, body.dimension, body.kind, body.text, actor.key)


def edit(store: Store, actor: Actor, code: str, body: CriterionPatch) -> None:
    criteria.edit_criterion(
        store,
        code,
        actor.key,
        new_code=body.code,
        dimension=body.dimension,
        kind=body.kind,
        text=body.text,
    )


def _back(saved: str) -> Response:
    return RedirectResponse(f"/screening/criteria?saved={saved}", status_code=303)


# --- pages ----------------------------------------------------------------------------------


@router.get("/screening/criteria", include_in_schema=False)
def criteria_page(request: Request, actor: Reader, store: StoreDep, saved: str = "") -> Response:
    page = criteria_data(store, actor.key, SAVED.get(saved, ""))
    return render(request, "screening/criteria.html", {"page": page, "kinds": list(CriterionKind)})


@router.post("/screening/criteria", include_in_schema=False)
def add_page(
    actor: Editor,
    store: StoreDep,
    code: FormLine = "",
    dimension: FormLine = "other",
    kind: Annotated[CriterionKind, Form()] = CriterionKind.EXCLUSION,
    text: FormLine = "",
) -> Response:
    add(store, actor, checked(CriterionIn, code=code, dimension=dimension, kind=kind, text=text))
    return _back("added")


@router.post("/screening/criteria/{code}/edit", include_in_schema=False)
def edit_page(
    actor: Editor,
    store: StoreDep,
    code: str,
    new_code: FormLine = "",
    dimension: FormLine = "",
    kind: Annotated[CriterionKind | None, Form()] = None,
    text: FormLine = "",
) -> Response:
    body = checked(
        CriterionPatch,
        code=new_code or None,
        dimension=dimension or None,
        kind=kind,
        text=text or None,
    )
    edit(store, actor, code, body)
    return _back("edited")


@router.post("/screening/criteria/{code}/retire", include_in_schema=False)
def retire_page(
    actor: Editor, store: StoreDep, code: str, retired: Annotated[bool, Form()] = True
) -> Response:
    criteria.retire_criterion(store, code, actor.key, retired=retired)
    return _back("retired" if retired else "restored")


@router.post("/screening/criteria/{code}/delete", include_in_schema=False)
def delete_page(actor: Editor, store: StoreDep, code: str, replace_with: FormLine = "") -> Response:
    done = criteria.delete_criterion(store, code, actor.key, replace_with=replace_with or None)
    return _back("replaced" if done.replaced_by else "deleted")


@router.post("/screening/terms", include_in_schema=False)
def terms_page(
    actor: Editor,
    store: StoreDep,
    terms: FormLine = "",
    kind: Annotated[CriterionKind, Form()] = CriterionKind.INCLUSION,
) -> Response:
    words = [t.strip() for t in terms.split(",") if t.strip()]
    body = checked(TermsIn, terms=words, kind=kind)
    screening.add_highlight_terms(store, body.terms, body.kind, actor.key)
    return _back("terms")


@router.post("/screening/terms/remove", include_in_schema=False)
def remove_term_page(
    actor: Editor,
    store: StoreDep,
    term: Annotated[str, Form(max_length=200)],
    kind: Annotated[CriterionKind, Form()],
) -> Response:
    criteria.remove_highlight_terms(store, [term], actor.key, kind)
    return _back("removed")


# --- API ------------------------------------------------------------------------------------


@router.get("/api/criteria", tags=["screening"])
def criteria_api(actor: Reader, store: StoreDep) -> CriteriaPage:
    """Every criterion (retired ones too, marked) with how many decisions cite it, and
    the highlight terms."""
    return criteria_data(store, actor.key)


@router.post("/api/criteria", tags=["screening"])
def add_api(actor: Editor, store: StoreDep, body: CriterionIn) -> CriteriaPage:
    """Add a criterion that decisions can cite by its code."""
    add(store, actor, body)
    return criteria_data(store, actor.key)


@router.patch("/api/criteria/{code}", tags=["screening"])
def edit_api(actor: Editor, store: StoreDep, code: str, body: CriterionPatch) -> CriteriaPage:
    """Change a criterion's code, dimension, kind or text (a criterion decisions cite
    keeps its kind)."""
    edit(store, actor, code, body)
    return criteria_data(store, actor.key)


@router.post("/api/criteria/{code}/retire", tags=["screening"])
def retire_api(actor: Editor, store: StoreDep, code: str, body: RetiredIn) -> CriteriaPage:
    """Retire a criterion (no longer offered for new decisions; kept for those that cite
    it), or with ``retired: false`` offer it again."""
    criteria.retire_criterion(store, code, actor.key, retired=body.retired)
    return criteria_data(store, actor.key)


@router.delete("/api/criteria/{code}", tags=["screening"])
def delete_api(
    actor: Editor, store: StoreDep, code: str, replace_with: str | None = None
) -> CriteriaPage:
    """Delete a criterion. When decisions cite it, ``replace_with`` names the criterion
    they cite instead; without it the deletion is refused (400) saying which records."""
    criteria.delete_criterion(store, code, actor.key, replace_with=replace_with)
    return criteria_data(store, actor.key)


@router.post("/api/terms", tags=["screening"])
def terms_api(actor: Editor, store: StoreDep, body: TermsIn) -> CriteriaPage:
    """Add highlight terms of one kind (a trailing * matches any ending)."""
    screening.add_highlight_terms(store, body.terms, body.kind, actor.key)
    return criteria_data(store, actor.key)


@router.delete("/api/terms", tags=["screening"])
def remove_term_api(
    actor: Editor, store: StoreDep, term: str, kind: CriterionKind | None = None
) -> CriteriaPage:
    """Stop highlighting a term (of one kind, or of both)."""
    criteria.remove_highlight_terms(store, [term], actor.key, kind)
    return criteria_data(store, actor.key)
