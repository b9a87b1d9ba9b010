"""Explore, in plain words: "what applies in these circumstances" and full-text search.

The first is for providers who do not know the method: they describe the person or the
programme, and get back the configurations whose circumstances match (``queries.applies``,
as ``realist applies``), split into what may apply and the risks to guard against.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from realist.domain.applies import WORD, stem
from realist.domain.screening import CriterionKind
from realist.errors import InvalidInput
from realist.services import coding, queries
from realist.services.queries import Applicable
from realist.store import Store
from realist.web.auth import Reader, StoreDep
from realist.web.routers.explore import document_titles, reader_href
from realist.web.templating import render

router = APIRouter()

EVIDENCE_SHOWN = 3
# Where a configuration matched the words, said plainly.
WHERE = {
    "context": "its circumstances",
    "statement": "what it says",
    "mechanism": "what it may set off",
    "evidence": "the evidence",
}


# --- what applies ------------------------------------------------------------------------


class EvidenceQuote(BaseModel):
    """An excerpt coded to the configuration, with where the reader shows it."""

    excerpt_id: int
    label: str
    stance: str
    text: str
    document_key: str
    document_title: str
    reader_href: str


class MatchedPlace(BaseModel):
    where: str = Field(description="context, statement, mechanism or evidence")
    label: str
    words: list[str] = Field(description="the asker's own words that matched there")


class ApplicableItem(BaseModel):
    """A configuration that may apply (or, from a negative topic, a risk)."""

    identifier: str
    title: str
    statement: str
    topic: str
    risk: bool
    score: float
    matched_words: list[str]
    matched: list[MatchedPlace]
    contexts: list[str]
    mechanisms: list[str]
    outcomes: list[str]
    evidence: list[EvidenceQuote] = Field(description=f"up to {EVIDENCE_SHOWN}, most on-topic")
    evidence_total: int


class AppliesPage(BaseModel):
    """``realist applies DESCRIPTION``, split into what may apply and risks."""

    q: str
    asked: bool = Field(description="whether a description was given")
    message: str = Field(default="", description="why nothing could be looked for, if so")
    may_apply: list[ApplicableItem]
    risks: list[ApplicableItem]
    examples: list[str] = Field(description="descriptions to try, from the review's contexts")


def _own_words(description: str) -> dict[str, str]:
    """Each stem the matcher uses, back to the first word the asker typed for it, so the
    page says "meetings" where the matcher compared "meet"."""
    said: dict[str, str] = {}
    for word in WORD.findall(description):
        said.setdefault(stem(word), word)
    return said


def _item(
    store: Store, found: Applicable, said: dict[str, str], titles: dict[str, str]
) -> ApplicableItem:
    c = found.configuration
    places = [
        MatchedPlace(where=where, label=WHERE.get(where, where),
                     words=[said.get(s, s) for s in stems])
        for where, stems in found.match.matched.items()
    ]  # fmt: skip
    quotes = []
    for item in found.evidence[:EVIDENCE_SHOWN]:
        excerpt = coding.get_excerpt(store, item.excerpt_id)
        quotes.append(
            EvidenceQuote(
                excerpt_id=item.excerpt_id,
                label=item.label or str(item.excerpt_id),
                stance=item.stance.value,
                text=item.text,
                document_key=item.document_key,
                document_title=titles.get(item.document_key, item.document_key),
                reader_href=reader_href(
                    excerpt.document_key, excerpt.start, excerpt.end, item.excerpt_id
                ),
            )
        )
    return ApplicableItem(
        identifier=c.identifier,
        title=c.title,
        statement=c.statement,
        topic=c.topic_key,
        risk=found.risk,
        score=round(found.match.score, 2),
        matched_words=list(dict.fromkeys(w for p in places for w in p.words)),
        matched=places,
        contexts=[p.text for p in c.contexts],
        mechanisms=[p.text for p in c.mechanisms],
        outcomes=[p.text for p in c.outcomes],
        evidence=quotes,
        evidence_total=len(found.evidence),
    )


def applies_data(store: Store, q: str, limit: int = 10) -> AppliesPage:
    """What applies to the circumstances described in ``q`` (nothing asked when empty)."""
    page = AppliesPage(q=q, asked=bool(q.strip()), may_apply=[], risks=[],
                       examples=queries.example_descriptions(store))  # fmt: skip
    if not page.asked:
        return page
    try:
        found = queries.applies(store, q, limit)
    except InvalidInput as error:
        page.message = str(error)
        return page
    said, titles = _own_words(q), document_titles(store)
    for item in found:
        shown = _item(store, item, said, titles)
        (page.risks if shown.risk else page.may_apply).append(shown)
    return page


Description = Annotated[
    str,
    Query(max_length=2000, description="the circumstances in plain words: who, where, how "
          "the programme is given"),
]  # fmt: skip
Limit = Annotated[int, Query(ge=1, le=50, description="how many configurations at most")]


@router.get("/explore/applies", include_in_schema=False)
def applies_page(
    request: Request, _: Reader, store: StoreDep, q: Description = "", limit: Limit = 10
) -> Response:
    return render(request, "explore/applies.html", {"page": applies_data(store, q, limit)})


@router.get("/api/explore/applies", tags=["explore"])
def applies_api(_: Reader, store: StoreDep, q: Description = "", limit: Limit = 10) -> AppliesPage:
    """Which configurations' circumstances match a plain description: what may apply, the
    mechanisms it may fire, risks to guard against, with evidence (``realist applies``)."""
    return applies_data(store, q, limit)


# --- full-text search --------------------------------------------------------------------


class SearchHit(BaseModel):
    """A document's text or an excerpt matching every word, with the span to jump to."""

    kind: str = Field(description="document (its text) or excerpt")
    document_key: str
    document_title: str
    label: str
    start: int | None = Field(description="the matched words (None if they cannot be placed)")
    end: int | None
    snippet: str
    reader_href: str


class SearchPage(BaseModel):
    q: str
    asked: bool
    message: str = ""
    results: list[SearchHit]
    words: list[str] = Field(description="the words marked in the snippets")


def search_data(store: Store, q: str, limit: int = 20) -> SearchPage:
    page = SearchPage(q=q, asked=bool(q.strip()), results=[], words=[])
    if not page.asked:
        return page
    try:
        found = queries.search(store, q, limit)
    except InvalidInput as error:
        page.message = str(error)
        return page
    titles = document_titles(store)
    page.results = [
        SearchHit(
            kind=r.kind,
            document_key=r.document_key,
            document_title=titles.get(r.document_key, r.document_key),
            label=r.label,
            start=r.start,
            end=r.end,
            snippet=r.snippet,
            reader_href=reader_href(r.document_key, r.start, r.end)
            if r.start is not None and r.end is not None
            else f"/documents/{quote(r.document_key, safe='')}",
        )
        for r in found
    ]
    page.words = [w.rstrip("*") + "*" for w in WORD.findall(q)]
    return page


Words = Annotated[str, Query(max_length=500, description="words that must all occur")]


@router.get("/explore/search", include_in_schema=False)
def search_page(
    request: Request, _: Reader, store: StoreDep, q: Words = "", limit: Limit = 20
) -> Response:
    page = search_data(store, q, limit)
    terms = {CriterionKind.INCLUSION: page.words}
    return render(request, "explore/search.html", {"page": page, "terms": terms})


@router.get("/api/explore/search", tags=["explore"])
def search_api(_: Reader, store: StoreDep, q: Words = "", limit: Limit = 20) -> SearchPage:
    """Full-text search over documents and excerpts (``realist search``)."""
    return search_data(store, q, limit)
