"""Who is asking, and may they? One dependency on every route decides both.

Every route declares exactly one of the dependencies below (a test walks the routes):

- ``Reader``, ``Editor``, ``Manager``: the acting reviewer (an :class:`Actor`), after
  checking the CSRF token on unsafe methods, that someone is signed in (shared mode), and
  that their role grants the permission;
- ``Visitor``: pages anyone may open (sign-in), still CSRF-checked on unsafe methods.

In local mode (a loopback server) nobody signs in: requests act as the reviewer given with
``--reviewer``, or the owner. In shared mode the session cookie names the reviewer and when
their password was set, so changing a password ends the sessions started before it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from realist.domain.review import ReviewerRole
from realist.errors import InvalidInput, NotFound
from realist.services import accounts
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


class LoginRequired(Exception):
    """Shared mode and nobody signed in: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but the role does not grant what the route needs (403)."""


SESSION_REVIEWER = "reviewer"
SESSION_SINCE = "since"


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
    key = request.session.get(SESSION_REVIEWER)
    if not isinstance(key, str):
        return None
    try:
        person: accounts.Person | None = accounts.acting_person(store, key)
    except (NotFound, InvalidInput):  # deleted, or retired, since signing in
        person = None
    if person is None or not person.has_account:
        request.session.pop(SESSION_REVIEWER, None)
        return None
    if person.password_set_at != request.session.get(SESSION_SINCE):
        request.session.pop(SESSION_REVIEWER, None)  # password changed since sign-in
        return None
    return Actor(person.key, person.name, person.role, local=False)


def sign_in(request: Request, person: accounts.Person) -> None:
    """Start a session for ``person``: nothing of the anonymous session is carried over."""
    request.session.clear()
    request.session[SESSION_REVIEWER] = person.key
    request.session[SESSION_SINCE] = person.password_set_at
    csrf.renew(request)


def sign_out(request: Request) -> None:
    request.session.clear()
    csrf.renew(request)


class Allow:
    """The dependency that guards a route: CSRF, then sign-in, then the role's grant."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Actor:
        await csrf.verify(request)
        # Looking up the actor is two indexed reads. On SQLite (WAL: readers never wait for
        # the writer) they take less time than handing them to the thread pool and back,
        # so they run here, when a pooled connection is free (waiting for one would stall
        # the server); a PostgreSQL round trip could stall it too, so it is handed over.
        if store_of(request).has_idle_sqlite_connection():
            actor = _actor(request)
        else:
            actor = await run_in_threadpool(_actor, request)
        if actor is None:
            raise LoginRequired()
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


class Throttle:
    """At most ``limit`` failed sign-ins per key (reviewer, client address) per ``window``
    seconds: slows password guessing without locking anyone out for long."""

    def __init__(self, limit: int = 10, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        found = self._failures.setdefault(key, deque())
        while found and found[0] < time.monotonic() - self.window:
            found.popleft()
        return found

    def blocked(self, *keys: str) -> bool:
        """Whether any of ``keys`` has used up its failures."""
        return any(len(self._recent(k)) >= self.limit for k in keys)

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._recent(key).append(time.monotonic())
