"""How one web server runs: which review, local or shared, and its cookie secret."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from realist.settings import SETTINGS, setting

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
DEFAULT_PORT = 8765
MAX_UPLOAD_BYTES = 512 * 1024 * 1024  # a 100,000-record export is ~150 MB; leave room
LOCK_WAIT = 10.0


def web_lock_wait() -> float:
    """``$REALIST_LOCK_WAIT`` when set, else :data:`LOCK_WAIT`: a web request waits less
    than a command (30 s), since a person is looking at the page."""
    given = os.environ.get(SETTINGS["lock_wait"].env, "").strip()
    return float(given) if given else LOCK_WAIT


MAX_FORM_BYTES = 1024 * 1024  # a form or JSON body: notes and quotes, never megabytes


def _setting_bytes(name: str, unit: int, default: int) -> int:
    value = setting(name)
    return int(value) * unit if value.strip().isdigit() and int(value) > 0 else default


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebConfig:
    """Everything the app factory needs; ``realist serve`` builds one from its options.

    ``local`` means nobody signs in: every request acts as ``reviewer`` (or the owner). It
    is only safe when the server listens on a loopback address, so ``for_host`` decides it
    from the bind address. ``allowed_hosts`` guards a local server against DNS rebinding
    (a web page whose domain resolves to 127.0.0.1 must not reach the review).
    """

    target: str
    local: bool = True
    reviewer: str | None = None
    # Empty: $REALIST_SECRET_KEY, else the review's own (services.accounts.session_secret),
    # so that sessions survive a restart of the server.
    secret_key: str = field(default="", repr=False)
    secure_cookies: bool = False
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    # $REALIST_MAX_UPLOAD_MB and $REALIST_MAX_FORM_KB, read when the config is made.
    max_upload_bytes: int = field(
        default_factory=lambda: _setting_bytes("max_upload_mb", 1 << 20, MAX_UPLOAD_BYTES)
    )
    max_form_bytes: int = field(
        default_factory=lambda: _setting_bytes("max_form_kb", 1 << 10, MAX_FORM_BYTES)
    )
    session_hours: int = 12
    # Addresses or networks of reverse proxies whose X-Forwarded-For / -Proto are believed
    # (web/proxies.py). Empty: $REALIST_TRUSTED_PROXIES, else none.
    trusted_proxies: tuple[str, ...] = ()
    # Seconds a request waits for another writer (an import in another process) before
    # answering 503 with Retry-After; nothing is changed then.
    lock_wait: float = LOCK_WAIT

    @classmethod
    def for_host(
        cls,
        target: str,
        host: str,
        *,
        reviewer: str | None = None,
        allow_http: bool = False,
        allowed_hosts: tuple[str, ...] = (),
        trusted_proxies: tuple[str, ...] = (),
    ) -> WebConfig:
        """Local (no sign-in) on a loopback address; shared (accounts, secure cookies)
        otherwise. ``allow_http`` drops the Secure cookie flag for a server without TLS."""
        if is_loopback(host):
            return cls(
                target=target,
                local=True,
                reviewer=reviewer,
                trusted_proxies=trusted_proxies,
                lock_wait=web_lock_wait(),
            )
        return cls(
            target=target,
            local=False,
            reviewer=None,
            secure_cookies=not allow_http,
            allowed_hosts=allowed_hosts or ("*",),
            trusted_proxies=trusted_proxies,
            lock_wait=web_lock_wait(),
        )
