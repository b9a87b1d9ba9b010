"""Correcting documents, excerpts and codings: a document's key, title, type and design,
or deleting it (``/documents/{key}/edit``); in the reader, an excerpt's label, deleting
an excerpt, and what a coding says or points at.

A change in the reader answers as the reader's other changes do (``documents.changed``:
a fragment for htmx, else a redirect); the document's own page answers with a redirect,
and a deletion with a page that says what went. The rules are
``services.document_edits``' and ``services.excerpt_edits``'.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.coding import Stance
from realist.domain.documents import DocumentType, StudyDesign
from realist.domain.theory import Role
from realist.errors import InvalidInput
from realist.services import coding, document_edits, documents, excerpt_edits
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep
from realist.web.params import Id, Position
from realist.web.routers.documents import ExcerptItem, changed, excerpt_data
from realist.web.routers.theory import checked
from realist.web.templating import render

router = APIRouter()

SAVED = {
    "edited": "Document saved.",
    "renamed": "Document renamed: its excerpts, codings and links came with it.",
}


class DocumentEditPage(BaseModel):
    """A document's correctable fields, and what deleting it would take with it."""

    key: str
    title: str
    document_type: DocumentType
    study_design: StudyDesign | None
    record_id: int | None
    versions: int
    excerpts: int
    codings: int
    message: str = ""


def edit_data(store: Store, key: str, message: str = "") -> DocumentEditPage:
    view = documents.show_document(store, key)
    d = view.document
    found = coding.list_excerpts(store, key)
    return DocumentEditPage(
        key=d.key,
        title=d.title,
        document_type=d.document_type,
        study_design=d.study_design,
        record_id=d.record_id,
        versions=view.versions,
        excerpts=len(found),
        codings=sum(len(e.codings) for e in found),
        message=message,
    )


class DocumentPatch(BaseModel):
    """Only the fields given change; ``unknown_design`` clears the study design."""

    title: str | None = Field(None, min_length=1, max_length=1000)
    document_type: DocumentType | None = None
    study_design: StudyDesign | None = None
    unknown_design: bool = False


class RenameIn(BaseModel):
    key: str = Field(min_length=1, max_length=100)


class Removed(BaseModel):
    """What deleting a document took with it."""

    key: str
    versions: int
    files: int
    excerpts: int
    codings: int
    interventions: list[int]
    appraisals: int


class LabelIn(BaseModel):
    label: str = Field("", max_length=64, description="empty removes the label")


class CodingPatch(BaseModel):
    """``role`` and ``position`` (from 0) choose the part; ``configuration`` the whole."""

    stance: Stance | None = None
    role: Role | None = None
    position: Position | None = None


class CodingItemOut(BaseModel):
    id: int
    configuration: str
    role: Role
    position: int | None
    stance: Stance
    reviewer: str


def _edit(store: Store, key: str, who: str, body: DocumentPatch) -> None:
    document_edits.edit_document(
        store,
        key,
        who,
        title=body.title,
        document_type=body.document_type,
        study_design=body.study_design,
        unknown_design=body.unknown_design,
    )


def _delete(store: Store, key: str, who: str, force: bool) -> Removed:
    done = document_edits.delete_document(store, key, who, force=force)
    return Removed(
        key=done.key,
        versions=done.versions,
        files=done.files,
        excerpts=done.excerpts,
        codings=done.codings,
        interventions=done.interventions,
        appraisals=done.appraisals,
    )


# --- the document's page --------------------------------------------------------------------


@router.get("/documents/{key}/edit", include_in_schema=False)
def edit_page(request: Request, _: Reader, store: StoreDep, key: str, saved: str = "") -> Response:
    page = edit_data(store, key, SAVED.get(saved, ""))
    context = {"page": page, "types": list(DocumentType), "designs": list(StudyDesign)}
    return render(request, "documents/edit.html", context)


@router.post("/documents/{key}/edit", include_in_schema=False)
def edit_form(
    actor: Editor,
    store: StoreDep,
    key: str,
    title: Annotated[str, Form(max_length=1000)] = "",
    document_type: Annotated[DocumentType | None, Form()] = None,
    study_design: Annotated[StudyDesign | Literal[""], Form()] = "",
) -> Response:
    """The form sends every field; the service records what changed."""
    body = checked(
        DocumentPatch,
        title=title.strip() or None,
        document_type=document_type,
        study_design=study_design or None,
        unknown_design=not study_design,
    )
    _edit(store, key, actor.key, body)
    return RedirectResponse(f"/documents/{url_quote(key)}/edit?saved=edited", status_code=303)


@router.post("/documents/{key}/rename", include_in_schema=False)
def rename_form(
    actor: Editor, store: StoreDep, key: str, new_key: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    done = document_edits.rename_document(store, key, new_key, actor.key)
    return RedirectResponse(f"/documents/{url_quote(done.key)}/edit?saved=renamed", 303)


@router.post("/documents/{key}/delete", include_in_schema=False)
def delete_form(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    force: Annotated[bool, Form()] = False,
) -> Response:
    """Answered with a page that says what went (there is no document to go back to)."""
    return render(
        request, "documents/deleted.html", {"done": _delete(store, key, actor.key, force)}
    )


# --- in the reader --------------------------------------------------------------------------


@router.post("/documents/{key}/excerpts/{excerpt_id}/delete", include_in_schema=False)
def delete_excerpt_form(
    request: Request, actor: Editor, store: StoreDep, key: str, excerpt_id: Id
) -> Response:
    excerpt_edits.delete_excerpt(store, _in(store, key, excerpt_id), actor.key)
    return changed(request, store, key, None, "excerpt_deleted")


@router.post("/documents/{key}/excerpts/{excerpt_id}/label", include_in_schema=False)
def label_form(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    excerpt_id: Id,
    label: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    excerpt_edits.label_excerpt(store, _in(store, key, excerpt_id), label, actor.key)
    return changed(request, store, key, excerpt_id, "labelled")


@router.post("/documents/{key}/codings/{coding_id}/change", include_in_schema=False)
def recode_form(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    coding_id: Id,
    excerpt: Annotated[Id, Form()],
    stance: Annotated[Stance | None, Form()] = None,
    role: Annotated[Role | None, Form()] = None,
    part: Annotated[Id | None, Form()] = None,
) -> Response:
    """``part`` counts from 1, as people count a configuration's contexts."""
    _in(store, key, excerpt)
    excerpt_edits.recode(
        store, coding_id, actor.key, stance=stance, role=role,
        position=part - 1 if part else None,
    )  # fmt: skip
    return changed(request, store, key, excerpt, "recoded")


def _in(store: Store, key: str, excerpt_id: int) -> int:
    """The excerpt, which must be in document ``key`` (a URL cannot reach another's)."""
    found = coding.get_excerpt(store, excerpt_id)
    if found.document_key != key:
        raise InvalidInput(f"excerpt {excerpt_id} is not in document '{key}'")
    return excerpt_id


# --- API ------------------------------------------------------------------------------------


@router.get("/api/documents/{key}/edit", tags=["documents"])
def edit_api_page(_: Reader, store: StoreDep, key: str) -> DocumentEditPage:
    """A document's correctable fields, and how many excerpts and codings it has."""
    return edit_data(store, key)


@router.patch("/api/documents/{key}", tags=["documents"])
def edit_api(actor: Editor, store: StoreDep, key: str, body: DocumentPatch) -> DocumentEditPage:
    """Change a document's title, type or study design."""
    _edit(store, key, actor.key, body)
    return edit_data(store, key)


@router.post("/api/documents/{key}/rename", tags=["documents"])
def rename_api(actor: Editor, store: StoreDep, key: str, body: RenameIn) -> DocumentEditPage:
    """Give a document a new key (letters, digits, '.', '_', '-'; unique)."""
    done = document_edits.rename_document(store, key, body.key, actor.key)
    return edit_data(store, done.key)


@router.delete("/api/documents/{key}", tags=["documents"])
def delete_api(actor: Editor, store: StoreDep, key: str, force: bool = False) -> Removed:
    """Delete a document with its texts, files, excerpts, codings, appraisals and
    intervention links; one with excerpts is refused (400, saying how many) unless
    ``force``."""
    return _delete(store, key, actor.key, force)


@router.delete("/api/excerpts/{excerpt_id}", tags=["documents"])
def delete_excerpt_api(actor: Editor, store: StoreDep, excerpt_id: Id) -> dict[str, int]:
    """Delete an excerpt and its codings; returns how many codings went."""
    return {
        "excerpt_id": excerpt_id,
        "codings": excerpt_edits.delete_excerpt(store, excerpt_id, actor.key),
    }


@router.patch("/api/excerpts/{excerpt_id}", tags=["documents"])
def label_api(actor: Editor, store: StoreDep, excerpt_id: Id, body: LabelIn) -> ExcerptItem:
    """Give an excerpt a label (unique; not only digits), or remove it with ``""``."""
    excerpt_edits.label_excerpt(store, excerpt_id, body.label, actor.key)
    return excerpt_data(store, excerpt_id)


@router.patch("/api/codings/{coding_id}", tags=["documents"])
def recode_api(actor: Editor, store: StoreDep, coding_id: Id, body: CodingPatch) -> CodingItemOut:
    """Change a coding's stance, or the part of its configuration it points at."""
    done = excerpt_edits.recode(
        store, coding_id, actor.key, stance=body.stance, role=body.role, position=body.position
    )
    assert done.id is not None
    return CodingItemOut(
        id=done.id,
        configuration=done.configuration_identifier,
        role=done.role,
        position=done.component_position,
        stance=done.stance,
        reviewer=done.reviewer_key,
    )
