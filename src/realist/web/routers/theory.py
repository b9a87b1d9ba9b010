"""The theory board: configurations by topic as cards; edit, create, split, merge, verdicts;
and the final model (struck-through unsupported theories, NEW ones in capitals).

Every change is a plain form post answered with a redirect (303) back to the page, or a
JSON post under ``/api/theories``; the services record who, when and why.
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
from realist.domain.theory import MechanismKind, ModelStyle, Origin, Role, Verdict
from realist.errors import InvalidInput
from realist.reports.model import model_json
from realist.services import coding, memos, model, testing, theories
from realist.services.theories import TheoryView
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
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
    """What the review's verdict rule proposes from the evidence, and why."""

    verdict: Verdict
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


class NewPage(BaseModel):
    """The form for a new configuration, perhaps from an excerpt (``excerpt``)."""

    topics: list[TopicColumn]
    excerpt_id: int | None
    excerpt_text: str
    document: str


class ModelEntryItem(BaseModel):
    identifier: str
    style: ModelStyle
    text: str = Field(description="CAPITALS for new theories, as the style asks")
    partial: bool
    middle_range_theories: list[str]
    evidence: int


class ModelTopic(BaseModel):
    key: str
    name: str
    configurations: list[ModelEntryItem]


class ModelPage(BaseModel):
    """The final model by topic: normal (supported), struck (no evidence), new (capitals);
    inductive ideas the evidence did not bear out are left out."""

    topics: list[ModelTopic]
    counts: dict[str, int]
    legend: dict[str, str]


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


def new_data(store: Store, excerpt: int | None) -> NewPage:
    found = coding.get_excerpt(store, excerpt) if excerpt is not None else None
    return NewPage(
        topics=board_data(store).topics,
        excerpt_id=found.id if found else None,
        excerpt_text=found.text if found else "",
        document=found.document_key if found else "",
    )


def model_data(store: Store) -> ModelPage:
    return ModelPage(**model_json(model.final_model(store)))


# --- changes --------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class MechanismIn(BaseModel):
    text: Required
    kind: MechanismKind | None = None


class NewConfiguration(BaseModel):
    """A new configuration (inductive unless said otherwise); with ``excerpt``, that excerpt
    is coded to it with ``stance`` (a configuration found in that passage)."""

    identifier: Key
    topic: Key
    title: Text = ""
    statement: Text = ""
    contexts: list[Required] = []
    mechanisms: list[MechanismIn] = []
    outcomes: list[Required] = []
    origin: Origin = Origin.INDUCTIVE
    excerpt: int | None = None
    stance: Stance = Stance.SUPPORTS


class EditIn(BaseModel):
    """New wording; parts given replace that role's parts in order (codings of a part stay
    with its position, so removing the last line removes that part and its codings)."""

    why: Required
    title: Text | None = None
    statement: Text | None = None
    contexts: list[Required] | None = None
    mechanisms: list[Required] | None = None
    outcomes: list[Required] | None = None


class PartRef(BaseModel):
    role: Role
    position: int = Field(ge=0)


class SplitIn(BaseModel):
    new_identifier: Key
    parts: list[PartRef] = Field(min_length=1)
    why: Required
    title: Text = ""
    statement: Text = ""


class MergeIn(BaseModel):
    into: Key
    rationale: Required


class VerdictIn(BaseModel):
    """No ``verdict`` confirms the proposed one; a rationale is always required."""

    rationale: Required
    verdict: Verdict | None = None


class TopicIn(BaseModel):
    key: Key
    name: Required
    negative: bool = False


class MemoIn(BaseModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


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


def create(store: Store, actor: Actor, body: NewConfiguration) -> str:
    """Create the configuration (and code the excerpt to it); returns its identifier."""
    if body.excerpt is not None:
        coding.get_excerpt(store, body.excerpt)  # NotFound before anything is created
    item = coding.create_configuration(
        store,
        body.identifier,
        body.topic,
        actor.key,
        title=body.title,
        statement=body.statement,
        contexts=body.contexts,
        mechanisms=[(m.text, m.kind) for m in body.mechanisms],
        outcomes=body.outcomes,
        origin=body.origin,
    )
    if body.excerpt is not None:
        coding.code_excerpt(store, body.excerpt, item.identifier, actor.key, stance=body.stance)
    return item.identifier


def edit(store: Store, actor: Actor, identifier: str, body: EditIn) -> None:
    given = {
        Role.CONTEXT: body.contexts,
        Role.MECHANISM: body.mechanisms,
        Role.OUTCOME: body.outcomes,
    }
    theories.edit_configuration(
        store,
        identifier,
        actor.key,
        body.why,
        statement=body.statement,
        title=body.title,
        set_parts={role: texts for role, texts in given.items() if texts is not None} or None,
    )


def split(store: Store, actor: Actor, identifier: str, body: SplitIn) -> str:
    created = theories.split_configuration(
        store,
        identifier,
        body.new_identifier,
        [(p.role, p.position) for p in body.parts],
        actor.key,
        body.why,
        title=body.title,
        statement=body.statement,
    )
    return created.configuration.identifier


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


_KIND = re.compile(r"^(resource|reasoning)\s*:\s*", re.IGNORECASE)


def _mechanisms(text: str) -> list[dict[str, str | None]]:
    """One mechanism a line; "resource: ..." or "reasoning: ..." gives its kind."""
    found = []
    for line in _lines(text):
        kind = _KIND.match(line)
        found.append({"text": _KIND.sub("", line), "kind": kind.group(1).lower() if kind else None})
    return found


def _part(value: str) -> dict[str, str]:
    role, _, position = value.partition(":")  # "mechanism:0"
    return {"role": role, "position": position or "0"}


def _back(identifier: str, saved: str) -> RedirectResponse:
    return RedirectResponse(f"/theories/{quote(identifier)}?saved={saved}", status_code=303)


def _saved(key: str) -> str:
    return SAVED.get(key, "")


# --- pages ----------------------------------------------------------------------------------


FormText = Annotated[str, Form(max_length=20000)]


@router.get("/theories", include_in_schema=False)
def board_page(request: Request, _: Reader, store: StoreDep, saved: str = "") -> Response:
    page = board_data(store, _saved(saved))
    return render(request, "theory/index.html", {"page": page})


@router.get("/theories/model", include_in_schema=False)
def model_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(request, "theory/model.html", {"page": model_data(store)})


@router.get("/theories/new", include_in_schema=False)
def new_page(request: Request, _: Reader, store: StoreDep, excerpt: int | None = None) -> Response:
    page = new_data(store, excerpt)
    return render(request, "theory/new.html", {"page": page, "stances": list(Stance)})


@router.post("/theories/new", include_in_schema=False)
def new_form(
    actor: Editor,
    store: StoreDep,
    identifier: FormText = "",
    topic: FormText = "",
    title: FormText = "",
    statement: FormText = "",
    contexts: FormText = "",
    mechanisms: FormText = "",
    outcomes: FormText = "",
    origin: Annotated[Origin, Form()] = Origin.INDUCTIVE,
    excerpt: Annotated[int | None, Form()] = None,
    stance: Annotated[Stance, Form()] = Stance.SUPPORTS,
) -> Response:
    body = checked(
        NewConfiguration,
        identifier=identifier,
        topic=topic,
        title=title,
        statement=statement,
        contexts=_lines(contexts),
        mechanisms=_mechanisms(mechanisms),
        outcomes=_lines(outcomes),
        origin=origin,
        excerpt=excerpt,
        stance=stance,
    )
    return _back(create(store, actor, body), "created")


@router.post("/theories/topics", include_in_schema=False)
def topic_form(
    actor: Editor,
    store: StoreDep,
    key: FormText = "",
    name: FormText = "",
    negative: Annotated[bool, Form()] = False,
) -> Response:
    body = checked(TopicIn, key=key, name=name, negative=negative)
    theories.add_topic(store, body.key, body.name, actor.key, body.negative)
    return RedirectResponse("/theories?saved=topic", status_code=303)


@router.get("/theories/{identifier}", include_in_schema=False)
def theory_page(
    request: Request, _: Reader, store: StoreDep, identifier: str, saved: str = ""
) -> Response:
    page = theory_data(store, identifier, _saved(saved))
    return render(request, "theory/card.html", {"page": page, "verdicts": list(Verdict)})


@router.post("/theories/{identifier}/edit", include_in_schema=False)
def edit_form(
    actor: Editor,
    store: StoreDep,
    identifier: str,
    why: FormText = "",
    title: FormText = "",
    statement: FormText = "",
    contexts: FormText = "",
    mechanisms: FormText = "",
    outcomes: FormText = "",
) -> Response:
    body = checked(
        EditIn,
        why=why,
        title=title,
        statement=statement,
        contexts=_lines(contexts),
        mechanisms=_lines(mechanisms),
        outcomes=_lines(outcomes),
    )
    edit(store, actor, identifier, body)
    return _back(identifier, "edited")


@router.post("/theories/{identifier}/split", include_in_schema=False)
def split_form(
    actor: Editor,
    store: StoreDep,
    identifier: str,
    new_identifier: FormText = "",
    why: FormText = "",
    parts: Annotated[list[str] | None, Form()] = None,
    title: FormText = "",
    statement: FormText = "",
) -> Response:
    body = checked(
        SplitIn,
        new_identifier=new_identifier,
        parts=[_part(p) for p in parts or []],
        why=why,
        title=title,
        statement=statement,
    )
    return _back(split(store, actor, identifier, body), "split")


@router.post("/theories/{identifier}/merge", include_in_schema=False)
def merge_form(
    actor: Editor, store: StoreDep, identifier: str, into: FormText = "", rationale: FormText = ""
) -> Response:
    body = checked(MergeIn, into=into, rationale=rationale)
    theories.merge_configurations(store, identifier, body.into, actor.key, body.rationale)
    return _back(body.into, "merged")


@router.post("/theories/{identifier}/verdict", include_in_schema=False)
def verdict_form(
    actor: Editor,
    store: StoreDep,
    identifier: str,
    rationale: FormText = "",
    verdict: FormText = "",
) -> Response:
    body = checked(VerdictIn, rationale=rationale, verdict=verdict or None)
    testing.set_verdict(store, identifier, actor.key, body.rationale, body.verdict)
    return _back(identifier, "verdict")


@router.post("/theories/{identifier}/memo", include_in_schema=False)
def memo_form(actor: Editor, store: StoreDep, identifier: str, text: FormText = "") -> Response:
    body = checked(MemoIn, text=text)
    memos.write_memo(store, identifier, body.text, actor.key)
    return _back(identifier, "memo")


# --- API ------------------------------------------------------------------------------------


@router.get("/api/theories", tags=["theories"])
def board_api(_: Reader, store: StoreDep) -> BoardPage:
    """Every configuration by topic: If–Then statement, C/M/O, evidence counts by stance,
    the recorded and the proposed verdict, and history."""
    return board_data(store)


@router.get("/api/theories/model", tags=["theories"])
def model_api(_: Reader, store: StoreDep) -> ModelPage:
    """The final theoretical model (derived from origins and verdicts, never stored)."""
    return model_data(store)


@router.post("/api/theories", tags=["theories"])
def create_api(actor: Editor, store: StoreDep, body: NewConfiguration) -> TheoryPage:
    """Create a configuration; with ``excerpt``, code that excerpt to it."""
    return theory_data(store, create(store, actor, body))


@router.post("/api/theories/topics", tags=["theories"])
def topic_api(actor: Editor, store: StoreDep, body: TopicIn) -> BoardPage:
    """Add a topic to group configurations."""
    theories.add_topic(store, body.key, body.name, actor.key, body.negative)
    return board_data(store)


@router.get("/api/theories/{identifier}", tags=["theories"])
def theory_api(_: Reader, store: StoreDep, identifier: str) -> TheoryPage:
    """One configuration with its evidence (excerpts by stance), memo and history."""
    return theory_data(store, identifier)


@router.post("/api/theories/{identifier}/edit", tags=["theories"])
def edit_api(actor: Editor, store: StoreDep, identifier: str, body: EditIn) -> TheoryPage:
    """Change the wording; ``why`` is required and the previous version is kept."""
    edit(store, actor, identifier, body)
    return theory_data(store, identifier)


@router.post("/api/theories/{identifier}/split", tags=["theories"])
def split_api(actor: Editor, store: StoreDep, identifier: str, body: SplitIn) -> TheoryPage:
    """A new configuration from some of this one's parts; returns the new one."""
    return theory_data(store, split(store, actor, identifier, body))


@router.post("/api/theories/{identifier}/merge", tags=["theories"])
def merge_api(actor: Editor, store: StoreDep, identifier: str, body: MergeIn) -> TheoryPage:
    """Move this configuration's codings to ``into`` and mark it not supported; returns
    ``into``."""
    theories.merge_configurations(store, identifier, body.into, actor.key, body.rationale)
    return theory_data(store, body.into)


@router.post("/api/theories/{identifier}/verdict", tags=["theories"])
def verdict_api(actor: Editor, store: StoreDep, identifier: str, body: VerdictIn) -> TheoryPage:
    """Confirm the proposed verdict (no ``verdict``) or override it, with a rationale."""
    testing.set_verdict(store, identifier, actor.key, body.rationale, body.verdict)
    return theory_data(store, identifier)


@router.post("/api/theories/{identifier}/memo", tags=["theories"])
def memo_api(actor: Editor, store: StoreDep, identifier: str, body: MemoIn) -> TheoryPage:
    """Write a new version of the configuration's memo (earlier versions stay)."""
    memos.write_memo(store, identifier, body.text, actor.key)
    return theory_data(store, identifier)
