"""The web app from the command line: ``realist serve`` and ``realist account``."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
import webbrowser
from typing import TYPE_CHECKING

import click
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.review import ReviewerRole
from realist.errors import InvalidInput
from realist.services import accounts

if TYPE_CHECKING:
    import uvicorn

    from realist.web import WebConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def has_display() -> bool:
    """Whether a browser could be shown: always on macOS and Windows, with X or Wayland
    on Linux (a server or container has neither)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_when_started(server: uvicorn.Server, url: str) -> None:
    """Open the browser once the server answers (from a thread, so serving starts now)."""

    def wait_then_open() -> None:
        for _ in range(200):  # 20 s at most: a server that never starts opens nothing
            if server.started:
                with contextlib.suppress(webbrowser.Error):  # the URL is printed anyway
                    webbrowser.open(url)
                return
            time.sleep(0.1)

    threading.Thread(target=wait_then_open, name="open-browser", daemon=True).start()


def build_server(
    config: WebConfig, host: str, port: int, ssl: tuple[str, str] | None = None
) -> uvicorn.Server:
    """A uvicorn server for the review (imported here: the CLI starts fast without it)."""
    import uvicorn

    from realist.web import create_app
    from realist.web.app import prepare_server_process

    prepare_server_process()
    return uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            log_level="warning",
            ssl_certfile=ssl[0] if ssl else None,
            ssl_keyfile=ssl[1] if ssl else None,
            # Never believe X-Forwarded-For from uvicorn's side (it trusts loopback by
            # default): the app does, and only from --trusted-proxy (web/proxies.py).
            proxy_headers=False,
        )
    )


def _open_when_listening(host: str, port: int, url: str) -> None:
    """Open the browser once the port accepts connections (several workers: no server
    object of ours to ask)."""

    def wait_then_open() -> None:
        for _ in range(200):
            try:
                socket.create_connection((host, port), timeout=0.5).close()
            except OSError:
                time.sleep(0.1)
                continue
            with contextlib.suppress(webbrowser.Error):
                webbrowser.open(url)
            return

    threading.Thread(target=wait_then_open, name="open-browser", daemon=True).start()


def _environment(config: WebConfig, host: str, allow_http: bool) -> dict[str, str]:
    """What the worker processes' app factory (realist.web.asgi) reads."""
    return {
        "REALIST_DATABASE_URL": config.target,
        "REALIST_HOST": host,
        "REALIST_REVIEWER": config.reviewer or "",
        "REALIST_ALLOW_HTTP": "1" if allow_http else "",
        "REALIST_LOCK_WAIT": f"{config.lock_wait:g}",
        "REALIST_TRUSTED_PROXIES": ",".join(config.trusted_proxies),
    }


def run_workers(
    config: WebConfig,
    host: str,
    port: int,
    workers: int,
    ssl: tuple[str, str] | None = None,
    allow_http: bool = False,
) -> None:
    """Serve with ``workers`` processes (uvicorn's supervisor restarts one that dies);
    each builds the app with realist.web.asgi.create_app_from_env."""
    import uvicorn

    os.environ.update(_environment(config, host, allow_http))
    uvicorn.run(
        "realist.web.asgi:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        ssl_certfile=ssl[0] if ssl else None,
        ssl_keyfile=ssl[1] if ssl else None,
        proxy_headers=False,  # the app reads them, only from --trusted-proxy
    )


def serve_review(
    state: CliState,
    target: str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    allow_http: bool = False,
    ssl: tuple[str, str] | None = None,
    trusted_proxies: tuple[str, ...] = (),
    workers: int = 1,
) -> None:
    """Serve ``target`` until Ctrl+C; shared on a non-loopback host (accounts required)."""
    from realist.web import WebConfig
    from realist.web.proxies import parse_proxies

    parse_proxies(trusted_proxies)  # refuse a typo before starting
    config = WebConfig.for_host(
        target,
        host,
        reviewer=state.reviewer,
        allow_http=allow_http,
        trusted_proxies=trusted_proxies,
    )
    if not config.local:
        _check_shared(state, target, allow_http, ssl)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    url = f"{'https' if ssl else 'http'}://{shown}:{port}/"
    mode = "local, no sign-in" if config.local else "shared, sign-in required"
    processes = f", {workers} worker processes" if workers > 1 else ""
    state.console.print(
        f"Serving [bold]{target}[/] at [bold]{url}[/] ({mode}{processes}). Ctrl+C stops."
    )
    browse = open_browser and config.local and has_display()
    if workers > 1:
        if browse:
            _open_when_listening(shown.strip("[]"), port, url)
        run_workers(config, host, port, workers, ssl, allow_http)
        return
    server = build_server(config, host, port, ssl)
    if browse:
        _open_when_started(server, url)
    server.run()


def _check_shared(state: CliState, target: str, allow_http: bool, ssl: object) -> None:
    from realist.store import open_store

    store = open_store(target)
    try:
        if not accounts.any_account(store):
            raise InvalidInput(
                "a shared server needs accounts: add one first with "
                "`realist account add KEY --role owner`"
            )
    finally:
        store.close()
    if not ssl and not allow_http:
        state.console.print(
            "[yellow]Session cookies are marked Secure: serve over HTTPS (--certfile and "
            "--keyfile, or a TLS proxy in front), or pass --allow-http on a trusted network.[/]"
        )


@cli.command(
    epilog=examples(
        "realist serve",
        "realist --db demo.realist serve --port 9000 --no-browser",
        "realist --reviewer ann serve",
        "realist serve --host 0.0.0.0 --certfile cert.pem --keyfile key.pem",
        "realist serve --host 10.0.0.2 --trusted-proxy 10.0.0.1   # behind a TLS proxy",
        "realist --db postgresql://realist@db/review serve --host 0.0.0.0 --workers 4",
    )
)
@click.option(
    "--db", "serve_db", metavar="PATH-or-URL", help="The review (same as the global --db)."
)
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; anything but loopback makes a shared server with sign-in.",
)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.option(
    "--certfile", type=click.Path(exists=True, dir_okay=False), help="TLS certificate (PEM)."
)
@click.option(
    "--keyfile", type=click.Path(exists=True, dir_okay=False), help="TLS private key (PEM)."
)
@click.option(
    "--allow-http",
    is_flag=True,
    help="Shared server without TLS: session cookies lose the Secure flag.",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS",
    envvar="REALIST_TRUSTED_PROXIES",
    show_envvar=True,
    help="A reverse proxy (address or network) whose X-Forwarded-For/-Proto are believed; "
    "repeat for several. Default: none.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes. Several serve more people at once on PostgreSQL; on SQLite "
    "they share one writer (allowed, see docs/WEB.md).",
)
@click.pass_obj
def serve(
    state: CliState,
    serve_db: str | None,
    host: str,
    port: int,
    no_browser: bool,
    certfile: str | None,
    keyfile: str | None,
    allow_http: bool,
    trusted_proxies: tuple[str, ...],
    workers: int,
) -> None:
    """Start the web app for a review and open it in the browser.

    On 127.0.0.1 (the default) nobody signs in: you act as the owner, or as --reviewer.
    On any other address the server is shared: people sign in with accounts
    (`realist account add`), and roles decide what each may do.
    """
    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    ssl = (certfile, keyfile) if certfile and keyfile else None
    serve_review(
        state,
        serve_db or state.target,
        host=host,
        port=port,
        open_browser=not no_browser,
        allow_http=allow_http,
        ssl=ssl,
        trusted_proxies=trusted_proxies,
        workers=workers,
    )


@cli.group(epilog=examples("realist account add ann --role reviewer", "realist account list"))
def account() -> None:
    """Sign-in accounts for a shared web server (passwords are stored as Argon2 hashes)."""


@account.command(
    "add",
    epilog=examples(
        "realist account add ann --role reviewer --name 'Ann Smith'",
        "realist account add jm   # set a new password for jm",
    ),
)
@click.argument("key")
@click.option(
    "--role",
    type=click.Choice([r.value for r in ReviewerRole]),
    help="For a new person: default reviewer. For an existing one: change it.",
)
@click.option("--name", default="", help="Full name of a new person.")
@click.password_option(
    "--password",
    prompt="Password",
    help="Prompted for when not given.",
    envvar="REALIST_NEW_PASSWORD",
    show_envvar=True,
)
@click.pass_obj
def account_add(state: CliState, key: str, role: str | None, name: str, password: str) -> None:
    """Let a person sign in (adding them to the review if new), or reset their password."""
    store = state.open()
    try:
        person = accounts.add_account(
            store,
            key,
            password,
            role=ReviewerRole(role) if role else None,
            name=name,
            by=state.reviewer,
        )
    finally:
        store.close()
    state.console.print(f"Account [bold]{person.key}[/] ({person.role.value}) can sign in.")


@account.command("list", epilog=examples("realist account list", "realist account list --json"))
@json_option
@click.pass_obj
def account_list(state: CliState, as_json: bool) -> None:
    """Everyone in the review, their role, and whether they can sign in."""
    store = state.open()
    try:
        people = accounts.list_people(store)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {"key": p.key, "name": p.name, "role": p.role.value, "has_account": p.has_account}
                for p in people
            ]
        )
        return
    table = Table("Key", "Name", "Role", "Can sign in", box=None, header_style="bold")
    for p in people:
        table.add_row(p.key, p.name, p.role.value, "yes" if p.has_account else "no")
    state.console.print(table)


@account.command("remove", epilog=examples("realist account remove ann"))
@click.argument("key")
@click.pass_obj
def account_remove(state: CliState, key: str) -> None:
    """Stop a person signing in (their work stays attributed to them)."""
    store = state.open()
    try:
        removed = accounts.remove_account(store, key, by=state.reviewer)
    finally:
        store.close()
    state.console.print(f"{key} can no longer sign in." if removed else f"{key} had no account.")
