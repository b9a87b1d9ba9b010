"""Who the client is, behind a reverse proxy that the server was told to trust.

A proxy in front of the server (nginx, Caddy, a load balancer) connects from its own
address and says who the client was in ``X-Forwarded-For``, and whether the client spoke
HTTPS in ``X-Forwarded-Proto``. Anyone can send those headers, so they are believed only
from the addresses given with ``--trusted-proxy`` (or ``$REALIST_TRUSTED_PROXIES``);
by default nobody's, not even loopback's (a process on the same host is not a proxy
unless you say so). The client is the rightmost address in ``X-Forwarded-For`` that is not
itself a trusted proxy: addresses to its left were written by the client and prove nothing.
The sign-in throttle counts attempts per client address, and HSTS is sent when the client
spoke HTTPS, so both depend on this.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from realist.errors import InvalidInput

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks ("10.0.0.5", "10.0.0.0/24", "::1"), each of ``values`` may
    hold several separated by commas; InvalidInput names one that is not."""
    found = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise InvalidInput(
                    f"trusted proxy '{part}' is not an address or network (e.g. 10.0.0.5 or "
                    "10.0.0.0/24)"
                ) from None
    return tuple(found)


def _trusted(host: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return any(address in network for network in networks)


class TrustedProxies:
    """Rewrites the client's address and scheme from a trusted proxy's headers (ASGI)."""

    def __init__(self, app: ASGIApp, networks: tuple[Network, ...]) -> None:
        self.app, self.networks = app, networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and _trusted(client[0], self.networks):
            headers = Headers(scope=scope)
            scope = dict(scope)
            hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",")]
            hops = [h for h in hops if h]
            for hop in reversed(hops):
                scope["client"] = (hop[:64], 0)
                if not _trusted(hop, self.networks):
                    break
            proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The client's address (after TrustedProxies), as the throttle counts it."""
    return request.client.host if request.client else ""
