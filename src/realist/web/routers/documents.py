"""Documents: the reader of one document, with its text and page map, its excerpts and
their codings, what they can be coded to, and its MMAT appraisals.

The rest of the area has modules of its own: the list and attaching full texts
(``documents_list``), coding a selection (``documents_coding``), appraisal of excerpts and
MMAT (``documents_appraisal``). A change made in the reader answers through
:func:`changed`: a fragment for htmx, else a redirect back to the reader. Offsets are
Unicode code points here, as everywhere on the server (``documents_coding`` says how a
browser's selection becomes one).
"""

from __future__ import annotations

from urllib.parse import quote as url_quote

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.appraisal import (
    MMAT_CRITERIA,
    MMAT_QUANTITATIVE_COMPONENTS,
    MMAT_SCREENING_QUESTIONS,
    Grade,
    MMATAnswer,
    MMATAppraisal,
)
from realist.domain.coding import Coding, Excerpt, Stance, span_problems
from realist.domain.documents import DocumentType, StudyDesign
from realist.domain.theory import MechanismKind, Role
from realist.services import coding, documents, theories
from realist.services.documents import DocumentView
from realist.store import Store
from realist.web.auth import Reader, StoreDep
from realist.web.params import Id
from realist.web.routers import theory
from realist.web.templating import is_htmx, render

router = APIRouter()

# What a change in the reader says it did (a fixed text per key: nothing reflected).
SAVED = {
    "mmat": "MMAT appraisal saved.",
    "appraised": "Appraisal of the excerpt saved.",
    "uncoded": "Coding removed.",
    "coded": "Excerpt coded.",
    "excerpt_deleted": "Excerpt deleted with its codings.",
    "labelled": "Label saved.",
    "recoded": "Coding changed.",
}


# --- page data ------------------------------------------------------------------------------


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


class MMATComponentItem(BaseModel):
    """One component of a mixed methods study, appraised by its own category's criteria."""

    category: StudyDesign
    answers: list[MMATAnswer]
    met: int


class MMATItem(BaseModel):
    category: StudyDesign
    screening: list[MMATAnswer]
    criteria: list[MMATAnswer]
    reviewer: str
    note: str
    met: int
    components: list[MMATComponentItem] = Field(
        [], description="a mixed methods study's qualitative and quantitative components"
    )


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
    mmat_quantitative: list[StudyDesign] = Field(
        description="the categories a mixed methods study's quantitative component can take"
    )
    mmat: list[MMATItem]
    selected: ExcerptItem | None = Field(None, description="the excerpt asked for")
    message: str = ""


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


def mmat_item(m: MMATAppraisal) -> MMATItem:
    return MMATItem(
        category=m.category,
        screening=m.screening,
        criteria=m.criteria,
        reviewer=m.reviewer_key,
        note=m.note,
        met=m.met,
        components=[
            MMATComponentItem(category=c, answers=a, met=m.component_met(c))
            for c, a in m.components.items()
        ],
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
        mmat_quantitative=list(MMAT_QUANTITATIVE_COMPONENTS),
        mmat_categories=[
            MMATCategory(category=c, criteria=list(q)) for c, q in MMAT_CRITERIA.items()
        ],
        mmat=[mmat_item(m) for m in documents.mmat_table(store) if m.document_key == d.key],
        selected=next((e for e in excerpts if e.id == selected), None),
        message=message,
    )


def excerpt_data(store: Store, excerpt_id: int) -> ExcerptItem:
    found = coding.get_excerpt(store, excerpt_id)
    view = documents.show_document(store, found.document_key)
    return _excerpt(view, _Theory(store), found)


# --- answering a change ---------------------------------------------------------------------


def changed_fragment(
    request: Request,
    store: Store,
    key: str,
    excerpt_id: int | None,
    message: str,
    *,
    targets: bool = False,
) -> Response:
    """For htmx: the excerpts list (with the message), the excerpt's details, and with
    ``targets`` the configurations to code to (one was just made)."""
    page = document_data(store, key, excerpt_id, message)
    return render(
        request,
        "documents/_changed.html",
        {"page": page, "grades": list(Grade), "targets": targets},
    )


def changed(
    request: Request, store: Store, key: str, excerpt_id: int | None, saved: str
) -> Response:
    """After a change in the reader: htmx gets the excerpts list (with the message) and
    the excerpt's details; a plain form goes back to the page."""
    if not is_htmx(request):
        where = f"/documents/{url_quote(key)}?saved={saved}"
        if excerpt_id is not None:
            where += f"&excerpt={excerpt_id}"
        return RedirectResponse(where, status_code=303)
    return changed_fragment(request, store, key, excerpt_id, SAVED[saved])


# --- pages ----------------------------------------------------------------------------------


def _mmat_category(page: DocumentPage, asked: str) -> StudyDesign:
    """The MMAT category whose criteria the form shows: asked for, else the document's."""
    for category in (asked, page.study_design):
        if category in {c.value for c in MMAT_CRITERIA}:
            return StudyDesign(category)
    return next(iter(MMAT_CRITERIA))


def _mmat_quantitative(asked: str) -> StudyDesign:
    """The quantitative component whose criteria a mixed methods form shows."""
    for category in MMAT_QUANTITATIVE_COMPONENTS:
        if category.value == asked:
            return category
    return MMAT_QUANTITATIVE_COMPONENTS[0]


@router.get("/documents/{key}", include_in_schema=False)
def document_page(
    request: Request,
    _: Reader,
    store: StoreDep,
    key: str,
    excerpt: Id | None = None,
    saved: str = "",
    mmat: str = "",
    quantitative: str = "",
) -> Response:
    page = document_data(store, key, excerpt, SAVED.get(saved, ""))
    context = {
        "page": page,
        "stances": list(Stance),
        "grades": list(Grade),
        "answers": list(MMATAnswer),
        "mmat_category": _mmat_category(page, mmat),
        "mmat_quantitative": _mmat_quantitative(quantitative),
        "mmat_message": page.message if saved == "mmat" else "",
        "types": list(DocumentType),
        "designs": list(StudyDesign),
    }
    return render(request, "documents/reader.html", context)


@router.get("/documents/{key}/excerpts/{excerpt_id}", include_in_schema=False)
def excerpt_page(
    request: Request, _: Reader, store: StoreDep, key: str, excerpt_id: Id
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


# --- API ------------------------------------------------------------------------------------


@router.get("/api/documents/{key}", tags=["documents"])
def document_api(_: Reader, store: StoreDep, key: str) -> DocumentPage:
    """The current text and page map (offsets in code points), excerpts with codings,
    the configurations to code to, and MMAT appraisals."""
    return document_data(store, key)


@router.get("/api/excerpts/{excerpt_id}", tags=["documents"])
def excerpt_api(_: Reader, store: StoreDep, excerpt_id: Id) -> ExcerptItem:
    """One excerpt with its codings and appraisal."""
    return excerpt_data(store, excerpt_id)
