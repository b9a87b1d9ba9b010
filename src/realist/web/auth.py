"""Who is asking, and may they? One dependency on every route decides both.

Every route declares exactly one of the dependencies below (a test walks the routes):

- ``Reader``, ``Editor``, ``Manager``: the acting reviewer (an :class:`Actor`), after
  checking the CSRF token on unsafe methods, that someone is signed in (shared mode), and
  that their role grants the permission;
- ``Visitor``: pages anyone may open (sign-in), still CSRF-checked on unsafe methods.

In local mode (a loopback server) nobody signs in: requests act as the reviewer given with
``--reviewer``, or the owner. In shared mode the session cookie carries a random token; the
session's row in the review's store (``services.sign_in``) decides whether it is still
valid, so signing out, a new password or role, or removing the account ends it on every
server process at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from realist.domain.review import ReviewerRole
from realist.services import accounts, sign_in
from realist.store import Store
from realist.web import csrf
from realist.web.config import WebConfig


class Permission(StrEnum):
    """What a route needs. Roles grant permissions (``GRANTS``), routes ask for one."""

    READ = "read"  # see the review and its data
    EDIT = "edit"  # change the review's data: import, deduplicate, screen, code, ...
    MANAGE = "manage"  # people, accounts and review-wide settings


GRANTS: dict[ReviewerRole, frozenset[Permission]] = {
    ReviewerRole.OWNER: frozenset(Permission),
    ReviewerRole.REVIEWER: frozenset({Permission.READ, Permission.EDIT}),
    ReviewerRole.VIEWER: frozenset({Permission.READ}),
}


@dataclass(frozen=True)
class Actor:
    """The reviewer a request acts as."""

    key: str
    name: str
    role: ReviewerRole
    local: bool

    def can(self, permission: Permission | str) -> bool:
        """Whether this reviewer's role grants ``permission`` (templates hide controls)."""
        return Permission(permission) in GRANTS[self.role]

    def may_change(self, maker: str) -> bool:
        """Whether this reviewer may change work made by ``maker`` (their own, or anyone's
        as an owner): templates hide what services.ownership would refuse."""
        return self.can(Permission.EDIT) and (self.role is ReviewerRole.OWNER or self.key == maker)


class LoginRequired(Exception):
    """Shared mode and nobody signed in: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but the role does not grant what the route needs (403)."""


SESSION_TOKEN = "session"  # the session's random token (its row is keyed by the hash)


def config_of(request: Request) -> WebConfig:
    config = request.app.state.config
    assert isinstance(config, WebConfig)
    return config


def store_of(request: Request) -> Store:
    store = request.app.state.store
    assert isinstance(store, Store)
    return store


def _actor(request: Request) -> Actor | None:
    config, store = config_of(request), store_of(request)
    if config.local:
        me = accounts.acting_person(store, config.reviewer)
        return Actor(me.key, me.name, me.role, local=True)
    token = request.session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    found = sign_in.current_session(store, token)  # one indexed read
    if found is None:  # signed out, expired, revoked, or the reviewer retired or removed
        request.session.pop(SESSION_TOKEN, None)
        return None
    if found.stale:
        request.state.stale_session = token
    return Actor(found.key, found.name, found.role, local=False)


def start_session(request: Request, token: str) -> None:
    """Hold a new session's token: nothing of the anonymous session is carried over."""
    request.session.clear()
    request.session[SESSION_TOKEN] = token
    csrf.renew(request)


def session_token(request: Request) -> str | None:
    token = request.session.get(SESSION_TOKEN)
    return token if isinstance(token, str) else None


def sign_out(request: Request) -> None:
    """Forget the session in this browser (the caller ended its row on the server)."""
    request.session.clear()
    csrf.renew(request)


class Allow:
    """The dependency that guards a route: CSRF, then sign-in, then the role's grant."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Actor:
        await csrf.verify(request)
        # Looking up the actor is one indexed read (the session's row with its reviewer;
        # in local mode, two). On SQLite (WAL: readers never wait for the writer) it takes
        # less time than handing it to the thread pool and back, so it runs here, when a
        # pooled connection is free (waiting for one would stall the server); a PostgreSQL
        # round trip could stall it too, so it is handed over.
        store = store_of(request)
        if store.has_idle_sqlite_connection():
            actor = _actor(request)
        else:
            actor = await run_in_threadpool(_actor, request)
        if actor is None:
            raise LoginRequired()
        stale = getattr(request.state, "stale_session", None)
        if stale is not None:  # "last seen" is written every few minutes, not every request
            await run_in_threadpool(sign_in.seen, store, stale)
        request.state.actor = actor
        if not actor.can(self.permission):
            raise Forbidden(
                f"your role ({actor.role.value}) does not allow this "
                f"(it needs permission to {self.permission.value})"
            )
        return actor


class Public:
    """The dependency of pages anyone may open: only the CSRF check."""

    async def __call__(self, request: Request) -> None:
        await csrf.verify(request)
        request.state.actor = None


Reader = Annotated[Actor, Depends(Allow(Permission.READ))]
Editor = Annotated[Actor, Depends(Allow(Permission.EDIT))]
Manager = Annotated[Actor, Depends(Allow(Permission.MANAGE))]
Visitor = Annotated[None, Depends(Public())]


async def _store(request: Request) -> Store:
    # Async on purpose: FastAPI runs a plain function dependency in the thread pool, a hop
    # that costs more than this lookup (and every route asks for the store).
    return store_of(request)


StoreDep = Annotated[Store, Depends(_store)]
