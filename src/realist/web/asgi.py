"""The web app for an ASGI server, configured from the environment.

``realist serve --workers N`` runs N processes of this; a team can also run it under
gunicorn or uvicorn directly (docs/WEB.md, "Deployment")::

    REALIST_DATABASE_URL=postgresql://realist@db/review REALIST_HOST=0.0.0.0 \\
        uvicorn --factory realist.web.asgi:create_app_from_env --workers 4 --port 8765

Each process opens the review itself. Everything the processes must agree on is in the
database: accounts, the cookie-signing secret, import jobs and the review itself.
"""

from __future__ import annotations

from fastapi import FastAPI

from realist.errors import InvalidInput
from realist.services import accounts
from realist.settings import setting
from realist.web.app import create_app, prepare_server_process
from realist.web.config import WebConfig

TRUE = frozenset({"1", "true", "yes", "on"})


def config_from_env() -> WebConfig:
    """The server's configuration from ``REALIST_*`` variables (see realist.settings):
    the review (``DATABASE_URL``), local or shared from the listening address (``HOST``;
    empty counts as shared, so a server bound to every address never skips sign-in),
    ``REVIEWER`` (local), ``ALLOW_HTTP``, ``ALLOWED_HOSTS`` and ``LOCK_WAIT``."""
    hosts = tuple(h.strip() for h in setting("allowed_hosts").split(",") if h.strip())
    config = WebConfig.for_host(
        setting("database_url"),
        setting("host") or "0.0.0.0",
        reviewer=setting("reviewer") or None,
        allow_http=setting("allow_http").strip().lower() in TRUE,
        allowed_hosts=hosts,
    )
    return config


def create_app_from_env() -> FastAPI:
    """The app factory for ``uvicorn --factory`` and gunicorn's uvicorn workers. A
    shared server without any account is refused, as ``realist serve`` refuses it."""
    prepare_server_process()
    config = config_from_env()
    app = create_app(config)
    if not config.local and not accounts.any_account(app.state.store):
        app.state.store.close()
        raise InvalidInput(
            "a shared server needs accounts: add one first with "
            "`realist account add KEY --role owner`"
        )
    return app
