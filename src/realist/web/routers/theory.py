"""The theory board: configurations by topic as cards, and one configuration's page with
its evidence, memo and history.

Changes to configurations are in ``theory_edit`` (create, edit, split, merge, topics,
memos) and ``theory_verdicts`` (verdicts and the final model). Every change is a plain
form post answered with a redirect (303) back to the page (:func:`back`), or a JSON post
under ``/api/theories``; the services record who, when and why.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.coding import Stance
from realist.domain.theory import (
    MechanismKind,
    ModelStyle,
    Origin,
    Role,
    Standing,
    Verdict,
    describe_standing,
)
from realist.errors import InvalidInput
from realist.services import memos, testing, theories
from realist.services.theories import TheoryView
from realist.store import Store
from realist.web.auth import Reader, StoreDep
from realist.web.templating import render

router = APIRouter()
PALETTE = 6  # topic colours in realist.css: .topic-0 ... .topic-5
PARTS = (Role.CONTEXT, Role.MECHANISM, Role.OUTCOME)

# What a redirect back to a page says was done (a fixed text per key: nothing reflected).
SAVED = {
    "created": "Configuration created.",
    "edited": "Saved: the previous wording is in the history.",
    "split": "Split: this new configuration was made from the other's parts.",
    "merged": "Merged: the codings moved here and the other is marked not supported.",
    "verdict": "Verdict recorded.",
    "memo": "Memo saved.",
    "topic": "Topic added.",
    "topic_edited": "Topic saved.",
    "topic_deleted": "Topic deleted.",
    "renamed": "Renamed: its codings, memo and history came with it.",
    "deleted": "Configuration deleted; the event log keeps its wording, history and codings.",
}


# --- page data ------------------------------------------------------------------------------


class PartItem(BaseModel):
    """A context, mechanism or outcome; ``position`` counts from 0 within its role."""

    role: Role
    position: int
    text: str
    kind: MechanismKind | None = None


class HistoryItem(BaseModel):
    """An earlier version of a configuration: who changed it, when, why, and what it was."""

    version: int
    reviewer: str
    why: str
    at: str | None
    before: dict[str, Any]


class Proposed(BaseModel):
    """What the review's verdict rule proposes from the evidence, and why; no verdict when
    no evidence is coded (untested)."""

    verdict: Verdict | None
    reason: str


class EvidenceCounts(BaseModel):
    """Distinct excerpts coded to the configuration (or its parts), by stance."""

    supports: int
    refutes: int
    refines: int
    excerpts: int


class Card(BaseModel):
    identifier: str
    topic: str
    title: str
    statement: str = Field(description="If ... then ..., because ...")
    contexts: list[PartItem]
    mechanisms: list[PartItem]
    outcomes: list[PartItem]
    origin: Origin
    partial: bool
    verdict: Verdict | None
    rationale: str
    proposed: Proposed
    agrees: bool = Field(description="the recorded verdict is the proposed one")
    model_style: ModelStyle
    standing: Standing = Field(
        description="untested (no evidence coded), awaiting a verdict, or the verdict given"
    )
    status: str = Field(description="its standing with its evidence (untested: no evidence coded)")
    disputes: list[str] = Field(
        default_factory=list, description="excerpts coded with opposite stances, to reconcile"
    )
    evidence: EvidenceCounts
    middle_range_theories: list[str]
    source_note: str
    history: list[HistoryItem]


class TopicColumn(BaseModel):
    key: str
    name: str
    negative: bool
    colour: int = Field(description="the topic's colour, 0-5, as on the document stripes")
    next_identifier: str = Field(description="a free identifier for a new configuration")
    cards: list[Card]


class BoardPage(BaseModel):
    """Every configuration, grouped by topic, with evidence, verdicts and history."""

    topics: list[TopicColumn]
    rule: str = Field(description="the review's rule for proposing verdicts")
    message: str = ""


class EvidenceRow(BaseModel):
    excerpt_id: int
    label: str
    document: str
    stance: Stance
    relevance: str | None
    rigour: str | None
    text: str


class MemoItem(BaseModel):
    version: int
    text: str
    reviewer: str
    at: str | None


class TheoryPage(BaseModel):
    """One configuration with its evidence, memo and what it could be merged into."""

    card: Card
    colour: int
    topic_name: str
    evidence: list[EvidenceRow]
    memos: list[MemoItem] = Field(description="every version of its memo, oldest first")
    others: list[str] = Field(description="identifiers it could be merged into")
    message: str = ""


def _parts(view: TheoryView, role: Role) -> list[PartItem]:
    return [
        PartItem(role=role, position=p.position, text=p.text, kind=p.kind)
        for p in view.configuration.of_role(role)
    ]


def _card(view: TheoryView, tested: testing.TestedConfiguration) -> Card:
    c = view.configuration
    shape = view.as_json()
    return Card(
        identifier=c.identifier,
        topic=c.topic_key,
        title=c.title,
        statement=c.statement,
        contexts=_parts(view, Role.CONTEXT),
        mechanisms=_parts(view, Role.MECHANISM),
        outcomes=_parts(view, Role.OUTCOME),
        origin=c.origin,
        partial=c.partial,
        verdict=c.verdict,
        rationale=c.rationale,
        proposed=Proposed(verdict=tested.proposal.verdict, reason=tested.proposal.reason),
        agrees=tested.agrees,
        model_style=ModelStyle(shape["model_style"]),
        standing=tested.standing,
        status=describe_standing(tested.standing, view.evidence),
        disputes=[d.describe() for d in tested.disputes],
        evidence=EvidenceCounts(**view.evidence),
        middle_range_theories=[t.name for t in view.middle_range_theories],
        source_note=c.source_note,
        history=[HistoryItem(**h) for h in shape["history"]],
    )


def next_identifier(identifiers: list[str], in_topic: list[str]) -> str:
    """A free identifier in the style of the topic's ("25" after "24", "N9" after "N8")."""
    prefixes = [m.group(1) for i in in_topic if (m := re.fullmatch(r"(\D*)(\d+)", i))]
    prefix = max(set(prefixes), key=prefixes.count) if prefixes else ""
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    numbers = [int(m.group(1)) for i in identifiers if (m := pattern.fullmatch(i))]
    number = max(numbers, default=0) + 1
    while f"{prefix}{number}" in identifiers:
        number += 1
    return f"{prefix}{number}"


def board_data(store: Store, message: str = "") -> BoardPage:
    views = theories.list_theories(store)
    tested = {t.configuration.identifier: t for t in testing.weigh_evidence(store)}
    identifiers = [v.configuration.identifier for v in views]
    columns: dict[str, TopicColumn] = {}
    for topic in theories.list_topics(store):
        in_topic = [v.configuration.identifier for v in views if v.topic.key == topic.key]
        columns[topic.key] = TopicColumn(
            key=topic.key,
            name=topic.name,
            negative=topic.negative,
            colour=topic.position % PALETTE,
            next_identifier=next_identifier(identifiers, in_topic),
            cards=[],
        )
    for view in views:
        columns[view.topic.key].cards.append(_card(view, tested[view.configuration.identifier]))
    return BoardPage(
        topics=list(columns.values()),
        rule=testing.verdict_rule(store).describe(),
        message=message,
    )


def theory_data(store: Store, identifier: str, message: str = "") -> TheoryPage:
    view = theories.show_theory(store, identifier)
    identifier = view.configuration.identifier
    tested = testing.weigh_evidence(store, identifier)[0]
    others = [
        v.configuration.identifier
        for v in theories.list_theories(store)
        if v.configuration.identifier != identifier
    ]
    return TheoryPage(
        card=_card(view, tested),
        colour=view.topic.position % PALETTE,
        topic_name=view.topic.name,
        evidence=[
            EvidenceRow(
                excerpt_id=e.excerpt_id,
                label=e.label,
                document=e.document_key,
                stance=e.stance,
                relevance=e.relevance.value if e.relevance else None,
                rigour=e.rigour.value if e.rigour else None,
                text=e.text,
            )
            for e in tested.summary.items
        ],
        memos=[
            MemoItem(version=m.version, text=m.text, reviewer=m.reviewer_key, at=m.created_at)
            for m in memos.memo_history(store, identifier)
        ],
        others=others,
        message=message,
    )


# --- what the changes share -----------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
FormText = Annotated[str, Form(max_length=20000)]

M = TypeVar("M", bound=BaseModel)


def checked(model: type[M], **fields: Any) -> M:
    """A form's fields as the API's body model: one set of rules for both (a missing
    'why' is a 400 with a message, not a server error)."""
    try:
        return model(**fields)
    except ValidationError as error:
        raise InvalidInput(
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}"
                for e in error.errors()
            )
        ) from None


def back(identifier: str, saved: str) -> RedirectResponse:
    """After a form post: back to the configuration's page, saying what was done."""
    return RedirectResponse(f"/theories/{quote(identifier)}?saved={saved}", status_code=303)


def _saved(key: str) -> str:
    return SAVED.get(key, "")


# --- pages ----------------------------------------------------------------------------------


@router.get("/theories", include_in_schema=False)
def board_page(request: Request, _: Reader, store: StoreDep, saved: str = "") -> Response:
    page = board_data(store, _saved(saved))
    return render(request, "theory/index.html", {"page": page})


@router.get("/theories/{identifier}", include_in_schema=False)
def theory_page(
    request: Request, _: Reader, store: StoreDep, identifier: str, saved: str = ""
) -> Response:
    page = theory_data(store, identifier, _saved(saved))
    return render(request, "theory/card.html", {"page": page, "verdicts": list(Verdict)})


# --- API ------------------------------------------------------------------------------------


@router.get("/api/theories", tags=["theories"])
def board_api(_: Reader, store: StoreDep) -> BoardPage:
    """Every configuration by topic: If–Then statement, C/M/O, evidence counts by stance,
    the recorded and the proposed verdict, and history."""
    return board_data(store)


@router.get("/api/theories/{identifier}", tags=["theories"])
def theory_api(_: Reader, store: StoreDep, identifier: str) -> TheoryPage:
    """One configuration with its evidence (excerpts by stance), memo and history."""
    return theory_data(store, identifier)
