"""Documents: the list, and attaching full texts (a new document, or a new text version).

The reader of one document is ``documents``; coding and appraisal in it are
``documents_coding`` and ``documents_appraisal``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from realist.domain.documents import DocumentStatus, DocumentType, StudyDesign
from realist.services import documents
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep, config_of
from realist.web.params import Id
from realist.web.templating import render
from realist.web.uploads import discard, save_upload, spool_of

router = APIRouter()


# --- page data ------------------------------------------------------------------------------


class DocumentItem(BaseModel):
    key: str
    title: str
    document_type: DocumentType
    study_design: StudyDesign | None
    reference_number: int | None
    versions: int = Field(description="text versions (0: no full text attached yet)")
    pages: int
    characters: int = Field(description="length of the current text, in code points")
    excerpts: int
    record_id: int | None = None
    status: DocumentStatus | None = Field(
        None, description="whether it counts as included: it follows its record's screening"
    )
    inclusion_override: str = Field("", description="why it was attached to an excluded record")


class AttachResult(BaseModel):
    """What attaching a file did; ``stale_excerpts`` no longer match the new text."""

    key: str
    version: int
    format: str
    characters: int
    pages: int
    warnings: list[str]
    stale_excerpts: list[str]


class DocumentsPage(BaseModel):
    documents: list[DocumentItem]
    attached: AttachResult | None = None


def _item(summary: documents.DocumentSummary) -> DocumentItem:
    d = summary.document
    return DocumentItem(
        key=d.key,
        title=d.title,
        document_type=d.document_type,
        study_design=d.study_design,
        reference_number=d.reference_number,
        versions=summary.versions,
        pages=summary.pages,
        characters=summary.characters,
        excerpts=summary.excerpts,
        record_id=d.record_id,
        status=d.status,
        inclusion_override=d.inclusion_override,
    )


def documents_data(store: Store, attached: AttachResult | None = None) -> DocumentsPage:
    return DocumentsPage(
        documents=[_item(s) for s in documents.document_summaries(store)], attached=attached
    )


# --- attaching a file -----------------------------------------------------------------------


def _attach(
    store: Store,
    path: Path,
    actor: Actor,
    key: str,
    title: str,
    document_type: DocumentType,
    study_design: StudyDesign | None,
    record_id: int | None = None,
    override: str = "",
) -> AttachResult:
    """Attach the saved upload, then remove it and its temporary folder."""
    try:
        done = documents.attach_document(
            store,
            path,
            key=key.strip() or None,
            title=title.strip() or None,
            record_id=record_id,
            document_type=document_type,
            study_design=study_design,
            reviewer=actor.key,
            override=override.strip() or None,
        )
    finally:
        discard(path)
    return AttachResult(
        key=done.key,
        version=done.version,
        format=done.format,
        characters=done.characters,
        pages=done.pages,
        warnings=done.warnings,
        stale_excerpts=done.stale_excerpts,
    )


async def attach(
    request: Request,
    store: Store,
    actor: Actor,
    file: UploadFile,
    key: str,
    title: str,
    document_type: DocumentType,
    study_design: StudyDesign | Literal[""],
    record_id: int | None = None,
    override: str = "",
) -> AttachResult:
    """Save the upload (within the size limit), then attach it off the event loop."""
    path = await save_upload(file, config_of(request).max_upload_bytes, spool_of(request))
    return await run_in_threadpool(
        _attach,
        store,
        path,
        actor,
        key,
        title,
        document_type,
        study_design or None,
        record_id,
        override,
    )


# --- pages ----------------------------------------------------------------------------------

Upload = Annotated[UploadFile, File(description="a full text: PDF, DOCX, HTML, TXT or Markdown")]
KeyField = Annotated[str, Form(max_length=80, description="attach to this document (new version)")]
TitleField = Annotated[str, Form(max_length=1000)]
TypeField = Annotated[DocumentType, Form()]
DesignField = Annotated[StudyDesign | Literal[""], Form()]
RecordField = Annotated[
    Id | Literal[""], Form(description="the record this is the full text of (its id)")
]
OverrideField = Annotated[
    str, Form(max_length=2000, description="why a record screening excluded is attached anyway")
]


def _list_page(request: Request, page: DocumentsPage) -> Response:
    return render(
        request,
        "documents/index.html",
        {"page": page, "types": list(DocumentType), "designs": list(StudyDesign)},
    )


@router.get("/documents", include_in_schema=False)
def documents_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return _list_page(request, documents_data(store))


@router.post("/documents", include_in_schema=False)
async def attach_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    file: Upload,
    key: KeyField = "",
    title: TitleField = "",
    document_type: TypeField = DocumentType.PEER_REVIEWED_ARTICLE,
    study_design: DesignField = "",
    record_id: RecordField = "",
    override: OverrideField = "",
) -> Response:
    """Attach the file and show what happened (warnings included) above the list."""
    result = await attach(
        request, store, actor, file, key, title, document_type, study_design,
        record_id or None, override,
    )  # fmt: skip
    page = await run_in_threadpool(documents_data, store, result)
    return _list_page(request, page)


# --- API ------------------------------------------------------------------------------------


@router.get("/api/documents", tags=["documents"])
def documents_api(_: Reader, store: StoreDep) -> DocumentsPage:
    """Every document: type, design, text versions, pages, characters and excerpts."""
    return documents_data(store)


@router.post("/api/documents", tags=["documents"])
async def attach_api(
    request: Request,
    actor: Editor,
    store: StoreDep,
    file: Upload,
    key: KeyField = "",
    title: TitleField = "",
    document_type: TypeField = DocumentType.PEER_REVIEWED_ARTICLE,
    study_design: DesignField = "",
    record_id: RecordField = "",
    override: OverrideField = "",
) -> AttachResult:
    """Attach a full text (multipart) and extract its text. To an existing ``key`` (or the
    document already attached to ``record_id``) it adds a new text version and names the
    excerpts whose words moved; otherwise it makes a new document with a short key
    (first author and year). A record excluded by screening needs an ``override``."""
    return await attach(
        request, store, actor, file, key, title, document_type, study_design,
        record_id or None, override,
    )  # fmt: skip
