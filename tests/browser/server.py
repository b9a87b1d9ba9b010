"""A real server for browser tests: ``realist serve``'s uvicorn server, in a thread."""

from __future__ import annotations

import socket
import threading
import time

from realist.cli.web_commands import build_server
from realist.web import WebConfig


class LiveServer:
    """Serves the review at ``target`` on a free loopback port until :meth:`stop`.

    Local mode (no sign-in), acting as ``reviewer`` or the owner, exactly as
    ``realist --reviewer KEY serve --port N`` would; the port comes from a socket bound to
    port 0, so parallel runs never collide.
    """

    def __init__(self, target: str, reviewer: str | None = None) -> None:
        self.config = WebConfig.for_host(target, "127.0.0.1", reviewer=reviewer)
        self.server = build_server(self.config, "127.0.0.1", 0)
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are
        # TCP; without it each keep-alive answer waits ~40 ms for a delayed ACK.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self, timeout: float = 20.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
