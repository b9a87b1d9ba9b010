"""Coding in the reader: a selection (or an existing excerpt) coded to a configuration or
one of its parts, a new inductive configuration from a selection, a coding removed.

Offsets are Unicode code points here, as everywhere on the server; the reader's script
(``static/js/reader.js``) converts the browser's UTF-16 selection before sending it, and
sends the selected words too, so a selection counted in the wrong units is refused
(``services.coding.excerpt_for_selection``) instead of storing other words.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.coding import Excerpt, Stance
from realist.domain.theory import Role
from realist.errors import InvalidInput
from realist.services import coding
from realist.store import Store
from realist.web.auth import Actor, Editor, StoreDep
from realist.web.params import MAX_ID, Id, Position
from realist.web.routers import theory_edit
from realist.web.routers.documents import (
    ExcerptItem,
    changed,
    changed_fragment,
    excerpt_data,
)
from realist.web.templating import is_htmx

router = APIRouter()


class CodeIn(BaseModel):
    """Code a selection: ``start``/``end`` in code points with the words they cover as
    ``quote``; or only ``quote`` (its first occurrence); or an existing ``excerpt``."""

    start: Position | None = None
    end: Id | None = None
    quote: str = Field("", max_length=100_000)
    excerpt: Id | None = None
    configuration: str = Field(min_length=1, max_length=32)
    role: Role = Role.CONFIGURATION
    position: Position | None = None
    stance: Stance = Stance.SUPPORTS


class Coded(BaseModel):
    """The excerpt (new or reused) with its codings, and the coding just made."""

    excerpt: ExcerptItem
    coding_id: int
    new_excerpt: bool


class NewFromSelection(BaseModel):
    """A new (inductive) configuration found in a selection, which is coded to it."""

    start: Position | None = None
    end: Id | None = None
    quote: str = Field("", max_length=100_000)
    excerpt: Id | None = None
    identifier: str = Field(min_length=1, max_length=32)
    topic: str = Field(min_length=1, max_length=64)
    title: str = Field("", max_length=500)
    stance: Stance = Stance.SUPPORTS


class Removed(BaseModel):
    coding_id: int


def _existing(store: Store, key: str, excerpt_id: int) -> Excerpt:
    """An existing excerpt, which must be in the document ``key``."""
    found = coding.get_excerpt(store, excerpt_id)
    if found.document_key != key:
        raise InvalidInput(f"excerpt {excerpt_id} is not in document '{key}'")
    return found


def _span(
    store: Store, key: str, start: int | None, end: int | None, quote: str
) -> tuple[int, int, str]:
    """The selection's offsets and text: as sent, else the pasted quote's first occurrence
    (found as `realist excerpt --quote` finds it) and the stored text it reads."""
    if not quote:
        raise InvalidInput("select some text first (or paste the words to code)")
    if start is None or end is None:
        return coding.quoted_span(store, key, quote, occurrence=1)
    return start, end, quote


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
        return _existing(store, key, excerpt), False
    start, end, quote = _span(store, key, start, end, quote)
    return coding.excerpt_for_selection(store, key, start, end, quote, actor.key)


def code(store: Store, actor: Actor, key: str, body: CodeIn) -> Coded:
    """Code an existing excerpt, or the selection (excerpt and coding in one transaction,
    so a wrong target leaves no uncoded excerpt behind)."""
    position = None if body.role is Role.CONFIGURATION else body.position or 0
    if body.excerpt is not None:
        found, new = _existing(store, key, body.excerpt), False
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
        start, end, quote = _span(store, key, body.start, body.end, body.quote)
        found, made, new = coding.code_selection(
            store,
            key,
            start,
            end,
            quote,
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
    identifier = theory_edit.create(
        store,
        actor,
        theory_edit.NewConfiguration(
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


def uncode(store: Store, actor: Actor, coding_id: int) -> Removed:
    """Remove one coding (the event log keeps what it was)."""
    coding.uncode(store, coding_id, actor.key)
    return Removed(coding_id=coding_id)


# --- pages ----------------------------------------------------------------------------------

FormText = Annotated[str, Form(max_length=100_000)]
Offset = Annotated[Position | None, Form()]
ExcerptField = Annotated[Id | None, Form(description="an existing excerpt")]


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
    if (
        not identifier
        or role not in {r.value for r in Role}
        or not (position.isascii() and position.isdigit() and int(position) <= MAX_ID)
    ):
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
    return changed(request, store, key, done.excerpt.id, "coded")


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
    message = f"Created {body.identifier} and coded it."
    return changed_fragment(request, store, key, done.excerpt.id, message, targets=True)


@router.post("/documents/{key}/codings/{coding_id}/delete", include_in_schema=False)
def uncode_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    key: str,
    coding_id: Id,
    excerpt: Annotated[Id, Form()],
) -> Response:
    uncode(store, actor, coding_id)
    return changed(request, store, key, excerpt, "uncoded")


# --- API ------------------------------------------------------------------------------------


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


@router.delete("/api/codings/{coding_id}", tags=["documents"])
def uncode_api(actor: Editor, store: StoreDep, coding_id: Id) -> Removed:
    """Remove one coding (the event log keeps what it was)."""
    return uncode(store, actor, coding_id)
