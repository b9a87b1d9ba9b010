"""Correcting the theory board: a topic's key, name, harms flag or order, or deleting it
(moving its configurations); a configuration's identifier, or deleting it.

Form posts are answered with a redirect (to the board, or to the renamed configuration),
JSON requests under ``/api/theories`` with the board's or the configuration's data. The
rules are ``services.theory_edits``'.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import RedirectResponse, Response

from realist.services import theory_edits
from realist.web.auth import Editor, StoreDep
from realist.web.params import Id, Position
from realist.web.routers.theory import (
    BoardPage,
    FormText,
    Key,
    TheoryPage,
    back,
    board_data,
    checked,
    theory_data,
)

router = APIRouter()
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TopicPatch(BaseModel):
    """Only the fields given change; ``position`` counts from 0."""

    key: Key | None = None
    name: Name | None = None
    negative: bool | None = None
    position: Position | None = None


class RenameIn(BaseModel):
    identifier: Annotated[str, Field(min_length=1, max_length=32)]


def _board(saved: str, topic: str = "") -> Response:
    anchor = f"#topic-{topic}" if topic else ""
    return RedirectResponse(f"/theories?saved={saved}{anchor}", status_code=303)


# --- pages ----------------------------------------------------------------------------------


@router.post("/theories/topics/{key}/edit", include_in_schema=False)
def topic_edit_form(
    actor: Editor,
    store: StoreDep,
    key: str,
    new_key: FormText = "",
    name: FormText = "",
    negative: Annotated[bool, Form()] = False,
    position: Annotated[Id | None, Form()] = None,
) -> Response:
    """The board's topic form sends every field; the service records what changed."""
    body = checked(
        TopicPatch,
        key=new_key or None,
        name=name or None,
        negative=negative,
        position=position - 1 if position else None,
    )
    item = theory_edits.edit_topic(
        store, key, actor.key, new_key=body.key, name=body.name, negative=body.negative,
        position=body.position,
    )  # fmt: skip
    return _board("topic_edited", item.key)


@router.post("/theories/topics/{key}/delete", include_in_schema=False)
def topic_delete_form(actor: Editor, store: StoreDep, key: str, move_to: FormText = "") -> Response:
    theory_edits.delete_topic(store, key, actor.key, move_to=move_to or None)
    return _board("topic_deleted", move_to)


@router.post("/theories/{identifier}/rename", include_in_schema=False)
def rename_form(
    actor: Editor, store: StoreDep, identifier: str, new_identifier: FormText = ""
) -> Response:
    body = checked(RenameIn, identifier=new_identifier.strip())
    theory_edits.rename_configuration(store, identifier, body.identifier, actor.key)
    return back(body.identifier, "renamed")


@router.post("/theories/{identifier}/delete", include_in_schema=False)
def delete_form(
    actor: Editor, store: StoreDep, identifier: str, force: Annotated[bool, Form()] = False
) -> Response:
    theory_edits.delete_configuration(store, identifier, actor.key, force=force)
    return _board("deleted")


# --- API ------------------------------------------------------------------------------------


@router.patch("/api/theories/topics/{key}", tags=["theories"])
def topic_edit_api(actor: Editor, store: StoreDep, key: str, body: TopicPatch) -> BoardPage:
    """Change a topic's key, name, whether it explains harms, or its place (from 0)."""
    theory_edits.edit_topic(
        store, key, actor.key, new_key=body.key, name=body.name, negative=body.negative,
        position=body.position,
    )  # fmt: skip
    return board_data(store)


@router.delete("/api/theories/topics/{key}", tags=["theories"])
def topic_delete_api(
    actor: Editor, store: StoreDep, key: str, move_to: str | None = None
) -> BoardPage:
    """Delete a topic; one with configurations is refused (400, naming them) unless
    ``move_to`` names the topic they move to."""
    theory_edits.delete_topic(store, key, actor.key, move_to=move_to)
    return board_data(store)


@router.post("/api/theories/{identifier}/rename", tags=["theories"])
def rename_api(actor: Editor, store: StoreDep, identifier: str, body: RenameIn) -> TheoryPage:
    """Give a configuration a new identifier; its codings, memo and history follow."""
    theory_edits.rename_configuration(store, identifier, body.identifier, actor.key)
    return theory_data(store, body.identifier)


@router.delete("/api/theories/{identifier}", tags=["theories"])
def delete_api(actor: Editor, store: StoreDep, identifier: str, force: bool = False) -> BoardPage:
    """Delete a configuration with its parts and codings; one with codings is refused
    (400, saying how many) unless ``force``. Its history stays in the event log."""
    theory_edits.delete_configuration(store, identifier, actor.key, force=force)
    return board_data(store)
