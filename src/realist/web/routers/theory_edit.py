"""Changing the theory: a new configuration (perhaps from an excerpt), new wording, a
split into a new configuration, a merge into another, a topic, a memo.

Each change is one function here that both its form post (answered with a redirect back
to the page) and its JSON post under ``/api/theories`` call.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.coding import Stance
from realist.domain.theory import MechanismKind, Origin, Role
from realist.services import coding, memos, theories
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
from realist.web.params import Id, Position
from realist.web.routers.theory import (
    BoardPage,
    FormText,
    Key,
    Required,
    Text,
    TheoryPage,
    TopicColumn,
    back,
    board_data,
    checked,
    theory_data,
)
from realist.web.templating import render

router = APIRouter()


# --- page data ------------------------------------------------------------------------------


class NewPage(BaseModel):
    """The form for a new configuration, perhaps from an excerpt (``excerpt``)."""

    topics: list[TopicColumn]
    excerpt_id: int | None
    excerpt_text: str
    document: str


def new_data(store: Store, excerpt: int | None) -> NewPage:
    found = coding.get_excerpt(store, excerpt) if excerpt is not None else None
    return NewPage(
        topics=board_data(store).topics,
        excerpt_id=found.id if found else None,
        excerpt_text=found.text if found else "",
        document=found.document_key if found else "",
    )


# --- changes --------------------------------------------------------------------------------


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
    excerpt: Id | None = None
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
    position: Position


class SplitIn(BaseModel):
    new_identifier: Key
    parts: list[PartRef] = Field(min_length=1)
    why: Required
    title: Text = ""
    statement: Text = ""


class MergeIn(BaseModel):
    into: Key
    rationale: Required


class TopicIn(BaseModel):
    key: Key
    name: Required
    negative: bool = False


class MemoIn(BaseModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


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
    """Make a new configuration from some of this one's parts; returns its identifier."""
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


def merge(store: Store, actor: Actor, identifier: str, body: MergeIn) -> str:
    """Merge the configuration into ``body.into``; returns the one that remains."""
    theories.merge_configurations(store, identifier, body.into, actor.key, body.rationale)
    return body.into


def add_topic(store: Store, actor: Actor, body: TopicIn) -> None:
    theories.add_topic(store, body.key, body.name, actor.key, body.negative)


def write_memo(store: Store, actor: Actor, identifier: str, body: MemoIn) -> None:
    memos.write_memo(store, identifier, body.text, actor.key)


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


# --- pages ----------------------------------------------------------------------------------


@router.get("/theories/new", include_in_schema=False)
def new_page(request: Request, _: Reader, store: StoreDep, excerpt: Id | None = None) -> Response:
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
    excerpt: Annotated[Id | None, Form()] = None,
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
    return back(create(store, actor, body), "created")


@router.post("/theories/topics", include_in_schema=False)
def topic_form(
    actor: Editor,
    store: StoreDep,
    key: FormText = "",
    name: FormText = "",
    negative: Annotated[bool, Form()] = False,
) -> Response:
    add_topic(store, actor, checked(TopicIn, key=key, name=name, negative=negative))
    return RedirectResponse("/theories?saved=topic", status_code=303)


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
    return back(identifier, "edited")


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
    return back(split(store, actor, identifier, body), "split")


@router.post("/theories/{identifier}/merge", include_in_schema=False)
def merge_form(
    actor: Editor, store: StoreDep, identifier: str, into: FormText = "", rationale: FormText = ""
) -> Response:
    body = checked(MergeIn, into=into, rationale=rationale)
    return back(merge(store, actor, identifier, body), "merged")


@router.post("/theories/{identifier}/memo", include_in_schema=False)
def memo_form(actor: Editor, store: StoreDep, identifier: str, text: FormText = "") -> Response:
    write_memo(store, actor, identifier, checked(MemoIn, text=text))
    return back(identifier, "memo")


# --- API ------------------------------------------------------------------------------------


@router.post("/api/theories", tags=["theories"])
def create_api(actor: Editor, store: StoreDep, body: NewConfiguration) -> TheoryPage:
    """Create a configuration; with ``excerpt``, code that excerpt to it."""
    return theory_data(store, create(store, actor, body))


@router.post("/api/theories/topics", tags=["theories"])
def topic_api(actor: Editor, store: StoreDep, body: TopicIn) -> BoardPage:
    """Add a topic to group configurations."""
    add_topic(store, actor, body)
    return board_data(store)


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
    return theory_data(store, merge(store, actor, identifier, body))


@router.post("/api/theories/{identifier}/memo", tags=["theories"])
def memo_api(actor: Editor, store: StoreDep, identifier: str, body: MemoIn) -> TheoryPage:
    """Write a new version of the configuration's memo (earlier versions stay)."""
    write_memo(store, actor, identifier, body)
    return theory_data(store, identifier)
