"""Documents: the list, attaching full texts, the reader, coding a selection, appraisal.

Offsets are Unicode code points here, as everywhere on the server; the reader's script
(``static/js/reader.js``) converts the browser's UTF-16 selection before sending it, and
sends the selected words too, so a selection counted in the wrong units is refused
(``services.coding.excerpt_for_selection``) instead of storing other words.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote as url_quote

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.appraisal import MMAT_CRITERIA, MMAT_SCREENING_QUESTIONS, Grade, MMATAnswer
from realist.domain.coding import Coding, Excerpt, Stance, span_problems
from realist.domain.documents import DocumentType, StudyDesign
from realist.domain.theory import MechanismKind, Role
from realist.errors import InvalidInput
from realist.services import coding, documents, theories
from realist.services.documents import DocumentView
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep, config_of
from realist.web.routers import theory
from realist.web.templating import is_htmx, render

router = APIRouter()

SAVED = {
    "mmat": "MMAT appraisal saved.",
    "appraised": "Appraisal of the excerpt saved.",
    "uncoded": "Coding removed.",
    "coded": "Excerpt coded.",
}


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


class PageItem(BaseModel):
    """Page ``number`` covers code points ``[start, end)`` of the text."""

    number: int
    start: int
    end: int


class CodingItem(BaseModel):
    id: int
    configuration: str
    topic: str
    colour: int = Field(description="the topic's colour, 0-5 (as on the theory board)")
    role: Role
    position: int | None
    part: str = Field(description="the component's text, or the configuration's title")
    stance: Stance
    reviewer: str


class ExcerptItem(BaseModel):
    """A span ``[start, end)`` in code points; ``current`` when it is on the current text."""

    id: int
    label: str
    start: int
    end: int
    text: str
    page: int | None
    relevance: Grade | None
    rigour: Grade | None
    note: str
    reviewer: str
    current: bool
    codings: list[CodingItem]


class TargetPart(BaseModel):
    role: Role
    position: int
    text: str
    kind: MechanismKind | None


class TargetConfiguration(BaseModel):
    """A configuration the panel can code to, as a whole or one of its parts."""

    identifier: str
    title: str
    statement: str
    topic: str
    colour: int
    parts: list[TargetPart]


class TopicOption(BaseModel):
    key: str
    name: str
    colour: int
    next_identifier: str


class MMATCategory(BaseModel):
    category: StudyDesign
    criteria: list[str]


class MMATItem(BaseModel):
    category: StudyDesign
    screening: list[MMATAnswer]
    criteria: list[MMATAnswer]
    reviewer: str
    note: str
    met: int


class DocumentPage(BaseModel):
    """A document's current text with its page map, excerpts and codings, what it can be
    coded to, and its MMAT appraisals."""

    key: str
    title: str
    citation: str
    document_type: DocumentType
    study_design: StudyDesign | None
    versions: int
    text: str
    pages: list[PageItem]
    excerpts: list[ExcerptItem]
    configurations: list[TargetConfiguration]
    topics: list[TopicOption]
    mmat_questions: list[str]
    mmat_categories: list[MMATCategory]
    mmat: list[MMATItem]
    selected: ExcerptItem | None = Field(None, description="the excerpt asked for")
    message: str = ""


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
    )


def documents_data(store: Store, attached: AttachResult | None = None) -> DocumentsPage:
    return DocumentsPage(
        documents=[_item(s) for s in documents.document_summaries(store)], attached=attached
    )


class _Theory:
    """What the reader needs to know of the configurations, read once per page."""

    def __init__(self, store: Store) -> None:
        self.views = theories.list_theories(store)
        self.topics = theories.list_topics(store)
        self.colour = {t.key: t.position % theory.PALETTE for t in self.topics}
        self.by_id = {v.configuration.identifier: v for v in self.views}

    def coding(self, c: Coding) -> CodingItem:
        assert c.id is not None
        view = self.by_id.get(c.configuration_identifier)
        part = ""
        if view is not None:
            part = view.configuration.title or view.configuration.statement
            if c.role is not Role.CONFIGURATION:
                found = [
                    p
                    for p in view.configuration.of_role(c.role)
                    if p.position == (c.component_position or 0)
                ]
                part = found[0].text if found else part
        topic = view.topic.key if view else ""
        return CodingItem(
            id=c.id,
            configuration=c.configuration_identifier,
            topic=topic,
            colour=self.colour.get(topic, 0),
            role=c.role,
            position=c.component_position,
            part=part,
            stance=c.stance,
            reviewer=c.reviewer_key,
        )

    def targets(self) -> list[TargetConfiguration]:
        return [
            TargetConfiguration(
                identifier=v.configuration.identifier,
                title=v.configuration.title,
                statement=v.configuration.statement,
                topic=v.topic.key,
                colour=self.colour[v.topic.key],
                parts=[
                    TargetPart(role=p.role, position=p.position, text=p.text, kind=p.kind)
                    for role in theory.PARTS
                    for p in v.configuration.of_role(role)
                ],
            )
            for v in self.views
        ]

    def topic_options(self) -> list[TopicOption]:
        identifiers = list(self.by_id)
        return [
            TopicOption(
                key=t.key,
                name=t.name,
                colour=self.colour[t.key],
                next_identifier=theory.next_identifier(
                    identifiers,
                    [i for i, v in self.by_id.items() if v.topic.key == t.key],
                ),
            )
            for t in self.topics
        ]


def _excerpt(view: DocumentView, known: _Theory, e: Excerpt) -> ExcerptItem:
    assert e.id is not None
    text = view.document.text
    return ExcerptItem(
        id=e.id,
        label=e.label,
        start=e.start,
        end=e.end,
        text=e.text,
        page=documents.page_of_offset(view, e.start) if e.end <= len(text) else None,
        relevance=e.relevance,
        rigour=e.rigour,
        note=e.note,
        reviewer=e.reviewer_key,
        current=not span_problems(text, e.start, e.end, e.text),
        codings=[known.coding(c) for c in e.codings],
    )


def document_data(
    store: Store, key: str, selected: int | None = None, message: str = ""
) -> DocumentPage:
    view = documents.show_document(store, key)
    d = view.document
    known = _Theory(store)
    excerpts = [_excerpt(view, known, e) for e in coding.list_excerpts(store, d.key)]
    pages = [PageItem(number=p.number, start=p.start, end=p.end) for p in view.pages]
    if not pages and d.text:
        pages = [PageItem(number=1, start=0, end=len(d.text))]
    return DocumentPage(
        key=d.key,
        title=d.title,
        citation=d.citation,
        document_type=d.document_type,
        study_design=d.study_design,
        versions=view.versions,
        text=d.text,
        pages=pages,
        excerpts=excerpts,
        configurations=known.targets(),
        topics=known.topic_options(),
        mmat_questions=list(MMAT_SCREENING_QUESTIONS),
        mmat_categories=[
            MMATCategory(category=c, criteria=list(q)) for c, q in MMAT_CRITERIA.items()
        ],
        mmat=[
            MMATItem(
                category=m.category,
                screening=m.screening,
                criteria=m.criteria,
                reviewer=m.reviewer_key,
                note=m.note,
                met=m.met,
            )
            for m in documents.mmat_table(store)
            if m.document_key == d.key
        ],
        selected=next((e for e in excerpts if e.id == selected), None),
        message=message,
    )


def excerpt_data(store: Store, excerpt_id: int) -> ExcerptItem:
    found = coding.get_excerpt(store, excerpt_id)
    view = documents.show_document(store, found.document_key)
    return _excerpt(view, _Theory(store), found)


# --- changes --------------------------------------------------------------------------------


class CodeIn(BaseModel):
    """Code a selection: ``start``/``end`` in code points with the words they cover as
    ``quote``; or only ``quote`` (its first occurrence); or an existing ``excerpt``."""

    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=1)
    quote: str = Field("", max_length=100_000)
    excerpt: int | None = None
    configuration: str = Field(min_length=1, max_length=32)
    role: Role = Role.CONFIGURATION
    position: int | None = Field(None, ge=0)
    stance: Stance = Stance.SUPPORTS


class Coded(BaseModel):
    """The excerpt (new or reused) with its codings, and the coding just made."""

    excerpt: ExcerptItem
    coding_id: int
    new_excerpt: bool


class NewFromSelection(BaseModel):
    """A new (inductive) configuration found in a selection, which is coded to it."""

    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=1)
    quote: str = Field("", max_length=100_000)
    excerpt: int | None = None
    identifier: str = Field(min_length=1, max_length=32)
    topic: str = Field(min_length=1, max_length=64)
    title: str = Field("", max_length=500)
    stance: Stance = Stance.SUPPORTS


class AppraisalIn(BaseModel):
    relevance: Grade | None = None
    rigour: Grade | None = None
    note: str | None = Field(None, max_length=4000)


class MMATIn(BaseModel):
    """MMAT 2018: two screening answers, then the category's five criteria (only when both
    screening answers are yes)."""

    category: StudyDesign
    screening: list[MMATAnswer] = Field(min_length=2, max_length=2)
    criteria: list[MMATAnswer] = Field([], max_length=5)
    note: str = Field("", max_length=4000)


class Removed(BaseModel):
    coding_id: int


def _selection(
    store: Store,
    actor: Actor,
    key: str,
    start: int | None,
    end: int | None,
    quote: str,
    excerpt: int | None,
) -> tuple[Excerpt, bool]:
    """The excerpt a request points at: an existing one, or the selection's."""
    if excerpt is not None:
        found = coding.get_excerpt(store, excerpt)
        if found.document_key != key:
            raise InvalidInput(f"excerpt {excerpt} is not in document '{key}'")
        return found, False
    if not quote:
        raise InvalidInput("select some text first (or paste the words to code)")
    if start is None or end is None:
        start, end = coding.find_quote(store, key, quote)
    return coding.excerpt_for_selection(store, key, start, end, quote, actor.key)


def code(store: Store, actor: Actor, key: str, body: CodeIn) -> Coded:
    """Code an existing excerpt, or the selection (excerpt and coding in one transaction,
    so a wrong target leaves no uncoded excerpt behind)."""
    position = None if body.role is Role.CONFIGURATION else body.position or 0
    if body.excerpt is not None:
        found, new = _selection(store, actor, key, None, None, "", body.excerpt)
        assert found.id is not None
        made = coding.code_excerpt(
            store,
            found.id,
            body.configuration,
            actor.key,
            role=body.role,
            position=position,
            stance=body.stance,
        )
    else:
        if not body.quote:
            raise InvalidInput("select some text first (or paste the words to code)")
        start, end = body.start, body.end
        if start is None or end is None:
            start, end = coding.find_quote(store, key, body.quote)
        found, made, new = coding.code_selection(
            store,
            key,
            start,
            end,
            body.quote,
            body.configuration,
            actor.key,
            role=body.role,
            position=position,
            stance=body.stance,
        )
    assert found.id is not None and made.id is not None
    return Coded(excerpt=excerpt_data(store, found.id), coding_id=made.id, new_excerpt=new)


def new_from_selection(store: Store, actor: Actor, key: str, body: NewFromSelection) -> Coded:
    found, new = _selection(store, actor, key, body.start, body.end, body.quote, body.excerpt)
    assert found.id is not None
    title = body.title.strip() or " ".join(found.text.split())[:120]
    identifier = theory.create(
        store,
        actor,
        theory.NewConfiguration(
            identifier=body.identifier,
            topic=body.topic,
            title=title,
            excerpt=found.id,
            stance=body.stance,
        ),
    )
    item = excerpt_data(store, found.id)
    made = [c.id for c in item.codings if c.configuration == identifier]
    return Coded(excerpt=item, coding_id=made[-1], new_excerpt=new)


def appraise(store: Store, actor: Actor, excerpt_id: int, body: AppraisalIn) -> ExcerptItem:
    coding.appraise_excerpt(store, excerpt_id, actor.key, body.relevance, body.rigour, body.note)
    return excerpt_data(store, excerpt_id)


def appraise_mmat(store: Store, actor: Actor, key: str, body: MMATIn) -> MMATItem:
    m = documents.appraise_mmat(
        store, key, body.category, body.screening, body.criteria, actor.key, body.note
    )
    return MMATItem(
        category=m.category,
        screening=m.screening,
        criteria=m.criteria,
        reviewer=m.reviewer_key,
        note=m.note,
        met=m.met,
    )


def _safe_name(name: str | None) -> str:
    """The upload's own file name (its suffix says the format), harmless as a file name."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()+]", "_", base).strip(". ") or "upload"
    return base[-120:]


async def _save_upload(upload: UploadFile, limit: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="realist-document-"))
    path = folder / _safe_name(upload.filename)
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        path.unlink()
        folder.rmdir()
        raise InvalidInput(f"{path.name}: larger than the upload limit of {limit >> 20} MB")
    return path


def _attach(
    store: Store,
    path: Path,
    actor: Actor,
    key: str,
    title: str,
    document_type: DocumentType,
    study_design: StudyDesign | None,
) -> AttachResult:
    """Attach the saved upload, then remove it and its temporary folder."""
    try:
        done = documents.attach_document(
            store,
            path,
            key=key.strip() or None,
            title=title.strip() or None,
            document_type=document_type,
            study_design=study_design,
            reviewer=actor.key,
        )
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    return AttachResult(
        key=done.key,
        version=done.version,
        format=done.format,
        characters=done.characters,
        pages=done.pages,
        warnings=done.warnings,
        stale_excerpts=done.stale_excerpts,
    )


# --- pages ----------------------------------------------------------------------------------

Upload = Annotated[UploadFile, File(description="a full text: PDF, DOCX, HTML, TXT or Markdown")]
KeyField = Annotated[str, Form(max_length=80, description="attach to this document (new version)")]
TitleField = Annotated[str, Form(max_length=1000)]
TypeField = Annotated[DocumentType, Form()]
DesignField = Annotated[StudyDesign | Literal[""], Form()]
FormText = Annotated[str, Form(max_length=100_000)]
Offset = Annotated[int | None, Form(ge=0)]
ExcerptField = Annotated[int | None, Form(description="an existing excerpt")]


def _design(value: StudyDesign | Literal[""]) -> StudyDesign | None:
    return value or None


def _mmat_category(page: DocumentPage, asked: str) -> StudyDesign:
    """The MMAT category whose criteria the form shows: asked for, else the document's."""
    for category in (asked, page.study_design):
        if category in {c.value for c in MMAT_CRITERIA}:
            return StudyDesign(category)
    return next(iter(MMAT_CRITERIA))


def _changed(
    request: Request, store: Store, key: str, excerpt_id: int | None, saved: str
) -> Response:
    """After a change in the reader: htmx gets the excerpts list (with the message) and
    the excerpt's details; a plain form goes back to the page."""
    if not is_htmx(request):
        where = f"/documents/{url_quote(key)}?saved={saved}"
        if excerpt_id is not None:
            where += f"&excerpt={excerpt_id}"
        return RedirectResponse(where, status_code=303)
    page = document_data(store, key, excerpt_id, SAVED[saved])
    return render(request, "documents/_changed.html", {"page": page, "grades": list(Grade)})


@router.get("/documents", include_in_schema=False)
def documents_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(
        request,
        "documents/index.html",
        {"page": documents_data(store), "types": list(DocumentType), "designs": list(StudyDesign)},
    )


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
) -> Response:
    """Attach the file and show what happened (warnings included) above the list."""
    path = await _save_upload(file, config_of(request).max_upload_bytes)
    result = await run_in_threadpool(
        _attach, store, path, actor, key, title, document_type, _design(study_design)
    )
    page = await run_in_threadpool(documents_data, store, result)
    return render(
        request,
        "documents/index.html",
        {"page": page, "types": list(DocumentType), "designs": list(StudyDesign)},
    )


@router.get("/documents/{key}", include_in_schema=False)
def document_page(
    request: Request,
    _: Reader,
    store: StoreDep,
    key: str,
    excerpt: int | None = None,
    saved: str = "",
    mmat: str = "",
) -> Response:
    page = document_data(store, key, excerpt, SAVED.get(saved, ""))
    context = {
        "page": page,
        "stances": list(Stance),
        "grades": list(Grade),
        "answers": list(MMATAnswer),
        "mmat_category": _mmat_category(page, mmat),
        "mmat_message": page.message if saved == "mmat" else "",
        "types": list(DocumentType),
        "designs": list(StudyDesign),
    }
    return render(request, "documents/reader.html", context)


@router.get("/documents/{key}/excerpts/{excerpt_id}", include_in_schema=False)
def excerpt_page(
    request: Request, _: Reader, store: StoreDep, key: str, excerpt_id: int
) -> Response:
    """The excerpt's codings and appraisal: a fragment for htmx, else the reader with it."""
    if not is_htmx(request):
        return RedirectResponse(
            f"/documents/{url_quote(key)}?excerpt={excerpt_id}", status_code=303
        )
    item = excerpt_data(store, excerpt_id)
    return render(
        request,
        "documents/_excerpt.html",
        {"e": item, "key": key, "grades": list(Grade), "message": ""},
    )


@router.post("/documents/{key}/code", include_in_schema=False)
def code_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    target: Annotated[str, Form(max_length=100)] = "",
    stance: Annotated[Stance, Form()] = Stance.SUPPORTS,
    start: Offset = None,
    end: Offset = None,
    quote: FormText = "",
    excerpt: ExcerptField = None,
) -> Response:
    """Code the selection to ``target``: "role:position:identifier" (role "configuration"
    for the configuration as a whole)."""
    role, _, rest = target.partition(":")
    position, _, identifier = rest.partition(":")
    if not identifier or role not in {r.value for r in Role} or not position.isdigit():
        raise InvalidInput("choose a configuration (or one of its parts) to code to")
    body = CodeIn(
        start=start,
        end=end,
        quote=quote,
        excerpt=excerpt,
        configuration=identifier,
        role=Role(role),
        position=int(position),
        stance=stance,
    )
    done = code(store, actor, key, body)
    return _changed(request, store, key, done.excerpt.id, "coded")


@router.post("/documents/{key}/new-configuration", include_in_schema=False)
def new_configuration_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    identifier: Annotated[str, Form(max_length=32)] = "",
    topic: Annotated[str, Form(max_length=64)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    stance: Annotated[Stance, Form()] = Stance.SUPPORTS,
    start: Offset = None,
    end: Offset = None,
    quote: FormText = "",
    excerpt: ExcerptField = None,
) -> Response:
    """A new inductive configuration from the selection, which is coded to it."""
    if not identifier.strip() or not topic:
        raise InvalidInput("a new configuration needs an identifier and a topic")
    body = NewFromSelection(
        start=start,
        end=end,
        quote=quote,
        excerpt=excerpt,
        identifier=identifier.strip(),
        topic=topic,
        title=title,
        stance=stance,
    )
    done = new_from_selection(store, actor, key, body)
    if not is_htmx(request):
        return RedirectResponse(f"/theories/{url_quote(body.identifier)}?saved=created", 303)
    page = document_data(store, key, done.excerpt.id, f"Created {body.identifier} and coded it.")
    return render(
        request,
        "documents/_changed.html",
        {"page": page, "grades": list(Grade), "targets": True},
    )


@router.post("/documents/{key}/codings/{coding_id}/delete", include_in_schema=False)
def uncode_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    coding_id: int,
    excerpt: Annotated[int, Form()],
) -> Response:
    coding.uncode(store, coding_id, actor.key)
    return _changed(request, store, key, excerpt, "uncoded")


@router.post("/documents/{key}/excerpts/{excerpt_id}/appraisal", include_in_schema=False)
def appraise_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    excerpt_id: int,
    relevance: Annotated[Grade | Literal[""], Form()] = "",
    rigour: Annotated[Grade | Literal[""], Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    body = AppraisalIn(relevance=relevance or None, rigour=rigour or None, note=note)
    appraise(store, actor, excerpt_id, body)
    return _changed(request, store, key, excerpt_id, "appraised")


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
) -> Response:
    criteria = [c for c in (c1, c2, c3, c4, c5) if c]
    body = MMATIn(category=category, screening=[s1, s2], criteria=criteria, note=note)
    appraise_mmat(store, actor, key, body)
    if not is_htmx(request):
        where = f"/documents/{url_quote(key)}?saved=mmat&mmat={category.value}#mmat"
        return RedirectResponse(where, status_code=303)
    page = document_data(store, key, None, SAVED["mmat"])
    return render(
        request,
        "documents/_mmat.html",
        {
            "page": page,
            "answers": list(MMATAnswer),
            "mmat_category": category,
            "mmat_message": SAVED["mmat"],
        },
    )


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
) -> AttachResult:
    """Attach a full text (multipart) and extract its text; to an existing ``key`` it adds
    a new text version and names the excerpts whose words moved."""
    path = await _save_upload(file, config_of(request).max_upload_bytes)
    return await run_in_threadpool(
        _attach, store, path, actor, key, title, document_type, _design(study_design)
    )


@router.get("/api/documents/{key}", tags=["documents"])
def document_api(_: Reader, store: StoreDep, key: str) -> DocumentPage:
    """The current text and page map (offsets in code points), excerpts with codings,
    the configurations to code to, and MMAT appraisals."""
    return document_data(store, key)


@router.post("/api/documents/{key}/codings", tags=["documents"])
def code_api(actor: Editor, store: StoreDep, key: str, body: CodeIn) -> Coded:
    """Code a selection (``start``/``end`` in code points and its ``quote``, which must
    match) or an existing ``excerpt`` to a configuration or one of its parts."""
    return code(store, actor, key, body)


@router.post("/api/documents/{key}/configurations", tags=["documents"])
def new_configuration_api(
    actor: Editor, store: StoreDep, key: str, body: NewFromSelection
) -> Coded:
    """A new inductive configuration from a selection, with the selection coded to it."""
    return new_from_selection(store, actor, key, body)


@router.post("/api/documents/{key}/mmat", tags=["documents"])
def mmat_api(actor: Editor, store: StoreDep, key: str, body: MMATIn) -> MMATItem:
    """Save an MMAT 2018 appraisal of the document by the acting reviewer."""
    return appraise_mmat(store, actor, key, body)


@router.get("/api/excerpts/{excerpt_id}", tags=["documents"])
def excerpt_api(_: Reader, store: StoreDep, excerpt_id: int) -> ExcerptItem:
    """One excerpt with its codings and appraisal."""
    return excerpt_data(store, excerpt_id)


@router.post("/api/excerpts/{excerpt_id}/appraisal", tags=["documents"])
def appraise_api(actor: Editor, store: StoreDep, excerpt_id: int, body: AppraisalIn) -> ExcerptItem:
    """Relevance and rigour (high, moderate, low) of an excerpt, and a note."""
    return appraise(store, actor, excerpt_id, body)


@router.delete("/api/codings/{coding_id}", tags=["documents"])
def uncode_api(actor: Editor, store: StoreDep, coding_id: int) -> Removed:
    """Remove one coding (the event log keeps what it was)."""
    coding.uncode(store, coding_id, actor.key)
    return Removed(coding_id=coding_id)
