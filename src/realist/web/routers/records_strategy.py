"""The search strategy (``/records/strategy``): the review question, concept blocks and,
per source, the search as run there, its limits and the date searched (RAMESES items 4
and 8), with forms to change them; ``/api/strategy`` is the same data
(``realist strategy --json``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.review import SourceKind
from realist.services import search_strategy as strategy
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
from realist.web.templating import render

router = APIRouter()

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Long = Annotated[str, StringConstraints(max_length=100_000)]
FormLong = Annotated[str, Form(max_length=100_000)]
FormName = Annotated[str, Form(max_length=200)]


class BlockItem(BaseModel):
    name: str
    terms: list[str]


class SourceItem(BaseModel):
    name: str
    kind: SourceKind
    searched: str | None = Field(description="YYYY-MM-DD or YYYY-MM; null: not recorded")
    search_string: str
    limits: str
    note: str
    batches: int
    records: int


class StrategyPage(BaseModel):
    """``realist strategy --json``: the question, blocks, their boolean search, sources."""

    question: str
    concept_blocks: list[BlockItem]
    query: str = Field(description="blocks AND-ed, each block's terms OR-ed")
    last_search: str | None
    sources: list[SourceItem]


def strategy_data(store: Store) -> StrategyPage:
    review, search = strategy.search_strategy(store)
    return StrategyPage(
        question=review.question,
        concept_blocks=[BlockItem(name=b.name, terms=b.terms) for b in search.concept_blocks],
        query=search.query(),
        last_search=search.last_search,
        sources=[
            SourceItem(name=s.source.name, kind=s.source.kind, searched=s.source.searched,
                       search_string=s.source.search_string, limits=s.source.limits,
                       note=s.source.note, batches=s.batches, records=s.records)
            for s in strategy.source_summaries(store)
        ],
    )  # fmt: skip


class QuestionIn(BaseModel):
    question: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class BlockIn(BaseModel):
    """A concept block: its ``terms`` replace the block's (a new block is added last);
    with ``new``, a block of that name must not exist yet."""

    name: Name
    terms: list[Annotated[str, StringConstraints(max_length=500)]] = Field(max_length=500)
    new: bool = False


class SourceIn(BaseModel):
    """A source, added or changed: fields left out (null) stay as they are."""

    name: Name
    kind: SourceKind | None = None
    search_string: Long | None = None
    limits: Long | None = None
    searched: str | None = Field(None, max_length=32, description="YYYY-MM-DD, YYYY-MM or ''")
    note: Long | None = None
    new: bool = Field(False, description="refuse if a source of that name exists")


def _question(store: Store, actor: Actor, body: QuestionIn) -> None:
    strategy.set_review(store, actor.key, question=body.question)


def _block(store: Store, actor: Actor, body: BlockIn) -> None:
    strategy.set_concept_block(store, body.name, actor.key, terms=list(body.terms),
                               only_new=body.new)  # fmt: skip


def _source(store: Store, actor: Actor, body: SourceIn) -> None:
    strategy.set_source(store, body.name, actor.key, kind=body.kind,
                        search_string=body.search_string, limits=body.limits,
                        searched=body.searched, note=body.note, only_new=body.new)  # fmt: skip


def _back(saved: str) -> RedirectResponse:
    return RedirectResponse(f"/records/strategy?saved={saved}", status_code=303)


@router.get("/records/strategy", include_in_schema=False)
def strategy_page(request: Request, _: Reader, store: StoreDep, saved: str = "") -> Response:
    return render(request, "records/strategy.html", {"page": strategy_data(store),
                  "kinds": list(SourceKind), "saved": saved[:40]})  # fmt: skip


@router.get("/api/strategy", tags=["records"])
def strategy_api(_: Reader, store: StoreDep) -> StrategyPage:
    """The review question and search strategy: concept blocks, the boolean search they
    make, and every source with its search string, limits, date searched and imports."""
    return strategy_data(store)


@router.post("/records/strategy/question", include_in_schema=False)
def question_form(actor: Editor, store: StoreDep, question: FormLong = "") -> Response:
    _question(store, actor, QuestionIn(question=question))
    return _back("question")


@router.post("/api/strategy/question", tags=["records"])
def question_api(actor: Editor, store: StoreDep, body: QuestionIn) -> StrategyPage:
    """Set the review question ('' clears it)."""
    _question(store, actor, body)
    return strategy_data(store)


@router.post("/records/strategy/blocks", include_in_schema=False)
def block_form(
    actor: Editor,
    store: StoreDep,
    name: FormName,
    terms: FormLong = "",
    new: Annotated[bool, Form()] = False,
) -> Response:
    lines = [t.strip() for t in terms.splitlines() if t.strip()]
    _block(store, actor, BlockIn(name=name, terms=lines, new=new))
    return _back("block")


@router.post("/api/strategy/blocks", tags=["records"])
def block_api(actor: Editor, store: StoreDep, body: BlockIn) -> StrategyPage:
    """Add a concept block, or replace an existing block's terms."""
    _block(store, actor, body)
    return strategy_data(store)


@router.post("/records/strategy/sources", include_in_schema=False)
def source_form(
    actor: Editor,
    store: StoreDep,
    name: FormName,
    kind: Annotated[SourceKind, Form()] = SourceKind.DATABASE,
    search_string: FormLong = "",
    limits: FormLong = "",
    searched: Annotated[str, Form(max_length=32)] = "",
    note: FormLong = "",
    new: Annotated[bool, Form()] = False,
) -> Response:
    body = SourceIn(name=name, kind=kind, search_string=search_string, limits=limits,
                    searched=searched, note=note, new=new)  # fmt: skip
    _source(store, actor, body)
    return _back("source")


@router.post("/api/strategy/sources", tags=["records"])
def source_api(actor: Editor, store: StoreDep, body: SourceIn) -> StrategyPage:
    """Add a source or change it: kind, search string as run there, limits (languages,
    years, publication types), date searched (YYYY-MM-DD or YYYY-MM) and a note."""
    _source(store, actor, body)
    return strategy_data(store)
