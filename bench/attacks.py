"""The attacks of issue 11 on bounded inputs, against a real server process, with figures.

A shared server (accounts, sign-in) runs in its own process on the review; each attack is
sent over a raw socket (so a body can be sent without a length, and an early answer is seen
while sending). For each, printed: the answer, the seconds until it came, the bytes the
client got to send, the server's peak resident memory against its idle figure (sampled from
/proc every few milliseconds, and the kernel's own high-water mark, reset before each
attack), and the largest amount of upload the server held in files at any moment.

    python bench/attacks.py                                   # SQLite, the default limits
    python bench/attacks.py --db postgresql://realist:realist@127.0.0.1:5432/postgres
    python bench/attacks.py --upload-mb 16 --chunked-mb 64    # quicker, as tests/test_attacks.py

Every attack must be refused (``refused`` column) with the server's peak within 200 MB of
idle. Times are for reading, not for comparing machines: a body refused by its length is
answered in milliseconds, one refused by a count after the bytes it was allowed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import secrets
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MB = 1 << 20
SERVER = """
import sys, uvicorn
from realist.web import WebConfig, create_app
config = WebConfig(target=sys.argv[1], local=False, allowed_hosts=("*",))
uvicorn.run(create_app(config), host="127.0.0.1", port=int(sys.argv[2]), log_level="error")
"""


def _status_value(pid: int, field_name: str) -> int:
    """A VmRSS/VmHWM line of /proc/PID/status, in bytes (0 once the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.M)
    return int(found[1]) * 1024 if found else 0


def _held_in_files(pid: int, folders: tuple[str, ...]) -> int:
    """Bytes of the regular files the process has open under ``folders`` or unnamed (a
    spooled upload in /tmp is deleted as soon as it is made)."""
    total = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(folders) or target.endswith("(deleted)"):
                total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
        except OSError:
            continue
    return total


class Monitor:
    """Samples a process's memory and its open upload files until stopped."""

    def __init__(self, pid: int, folders: tuple[str, ...]) -> None:
        self.pid, self.folders = pid, folders
        self.peak_rss = self.peak_files = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, _status_value(self.pid, "VmRSS"))
            self.peak_files = max(self.peak_files, _held_in_files(self.pid, self.folders))
            time.sleep(0.005)

    def __enter__(self) -> Monitor:
        with contextlib.suppress(OSError):  # "5" resets the kernel's high-water mark (VmHWM)
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, _status_value(self.pid, "VmHWM"))


@dataclass
class Server:
    """A shared-mode server on ``target`` in its own process."""

    target: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    tmp: str = ""

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.tmp = tempfile.mkdtemp(prefix="attack-server-tmp-")
        env = {**os.environ, **self.env, "TMPDIR": self.tmp}
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, self.target, str(self.port)], env=env
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        raise RuntimeError("the server did not answer within 60 s")

    def __exit__(self, *_: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def left_over(self, *folders: Path) -> int:
        """Bytes of files left in the server's temporary folder and in ``folders``."""
        found = [Path(self.tmp), *folders]
        return sum(p.stat().st_size for f in found for p in f.rglob("*") if p.is_file())

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss(self) -> int:
        return _status_value(self.pid, "VmRSS")


@dataclass
class Sent:
    status: int
    seconds: float
    sent: int  # body bytes the client got to send
    headers: dict[str, str]
    body: bytes


def send(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: Iterator[bytes],
    length: int | None,
    timeout: float = 120.0,
) -> Sent:
    """Send a request over a raw socket, stopping as soon as the server answers; ``length``
    None sends the body chunked (no Content-Length)."""
    start = time.perf_counter()
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    )
    sent = 0
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered (or closed): stop sending
            sock.sendall(chunk if length is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        else:
            if length is None:
                sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    received = b""
    try:
        while b"\r\n\r\n" not in received or not _complete(received):
            part = sock.recv(1 << 16)
            if not part:
                break
            received += part
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    seconds = time.perf_counter() - start
    head, _, body = received.partition(b"\r\n\r\n")
    first = head.split(b"\r\n", 1)[0].split()
    status = int(first[1]) if len(first) > 1 else 0
    fields = dict(
        (k.strip().lower(), v.strip())
        for k, _, v in (line.decode("latin-1").partition(":") for line in head.split(b"\r\n")[1:])
    )
    return Sent(status, seconds, sent, fields, body)


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    found = re.search(rb"^content-length:\s*(\d+)", head, re.I | re.M)
    return found is None or len(body) >= int(found[1])


def filler(total: int, prefix: bytes = b"", suffix: bytes = b"") -> Iterator[bytes]:
    """``total`` bytes: ``prefix``, then spaces in 1 MB chunks, then ``suffix``."""
    yield prefix
    left = total - len(prefix) - len(suffix)
    block = b" " * MB
    while left > 0:
        yield block[: min(MB, left)]
        left -= MB
    yield suffix


def multipart(total: int, fields: dict[str, str], filename: str) -> tuple[str, bytes, bytes]:
    """(content type, the bytes before the file's content, the bytes after) of a form."""
    boundary = "attack" + secrets.token_hex(8)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        "\r\nContent-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return f"multipart/form-data; boundary={boundary}", head, f"\r\n--{boundary}--\r\n".encode()


def docx_bomb(unpacked: int = 100 * MB) -> bytes:
    """A Word file whose document.xml unpacks to ``unpacked`` bytes of one paragraph's text."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    head = f'<w:document xmlns:w="{ns}"><w:body><w:p><w:r><w:t>'.encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        text = b"a" * (unpacked - len(head) - len(tail))
        archive.writestr("word/document.xml", head + text + tail)
    return out.getvalue()


class Session:
    """A client's cookie and CSRF token on the server (anonymous, or signed in)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.token = port, "", ""
        page = self.get("/login")
        found = re.search(rb'name="csrf-token" content="([^"]+)"', page.body)
        assert found, "no CSRF token on the sign-in page"
        self.token = found[1].decode()

    def _remember(self, answer: Sent) -> Sent:
        cookie = answer.headers.get("set-cookie", "")
        if cookie.startswith("realist_session="):
            self.cookie = cookie.split(";", 1)[0]
        return answer

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {**({"Cookie": self.cookie} if self.cookie else {}), **(extra or {})}

    def get(self, path: str) -> Sent:
        return self._remember(send(self.port, "GET", path, self.headers(), iter(()), None))

    def sign_in(self, key: str, password: str) -> None:
        from urllib.parse import urlencode

        body = urlencode({"csrf_token": self.token, "reviewer": key, "password": password})
        answer = self._remember(
            send(
                self.port,
                "POST",
                "/login",
                self.headers({"Content-Type": "application/x-www-form-urlencoded"}),
                iter([body.encode()]),
                len(body),
            )
        )
        assert answer.status == 303, f"sign-in failed: {answer.status} {answer.body[:200]!r}"
        self.token = re.search(  # a new token after signing in
            rb'name="csrf-token" content="([^"]+)"', self.get("/records/import").body
        )[1].decode()  # type: ignore[index]


@dataclass
class Outcome:
    name: str
    status: int
    refused: bool
    seconds: float
    sent: int
    peak_rss: int
    idle_rss: int
    peak_files: int


def _upload(
    session: Session,
    path: str,
    size: int,
    *,
    chunked: bool,
    with_token: bool,
    filename: str = "big.ris",
) -> tuple[str, dict[str, str], Iterator[bytes], int | None]:
    fields = {"csrf_token": session.token} if with_token else {}
    kind, head, tail = multipart(size, fields, filename)
    return (
        path,
        session.headers({"Content-Type": kind}),
        filler(size, head, tail),
        None if chunked else size,
    )


def attacks(
    port: int, accounts: dict[str, str], chunked_bytes: int, docx: bytes
) -> list[tuple[str, tuple[str, dict[str, str], Iterator[bytes], int | None], set[int]]]:
    """(name, request, answers that count as refused) for every attack of issue 11."""
    anonymous = Session(port)
    reviewer = Session(port)
    reviewer.sign_in("reviewer", accounts["reviewer"])
    viewer = Session(port)
    viewer.sign_in("viewer", accounts["viewer"])
    login = {303, 401, 403, 413}
    json_headers = anonymous.headers({"Content-Type": "application/json"})
    kind, head, tail = multipart(len(docx), {"csrf_token": reviewer.token}, "bomb.docx")
    big_id = 2**63 + 1
    return [
        (
            "anonymous 700 MB multipart, with its length",
            _upload(anonymous, "/records/import", 700 * MB, chunked=False, with_token=False),
            login,
        ),
        (
            f"anonymous {chunked_bytes // MB} MB multipart, no length, no token",
            _upload(anonymous, "/records/import", chunked_bytes, chunked=True, with_token=False),
            login,
        ),
        (
            f"anonymous {chunked_bytes // MB} MB multipart, no length, its own token",
            _upload(anonymous, "/api/documents", chunked_bytes, chunked=True, with_token=True),
            login,
        ),
        (
            "anonymous 400 MB JSON, with its length",
            ("/api/reviewers", json_headers, filler(400 * MB, b'{"key": "'), 400 * MB),
            {413},
        ),
        (
            f"anonymous {chunked_bytes // MB} MB JSON, no length",
            ("/api/reviewers", json_headers, filler(chunked_bytes, b'{"key": "'), None),
            {413},
        ),
        (
            "reviewer's 600 MB import, with its length",
            _upload(reviewer, "/records/import", 600 * MB, chunked=False, with_token=True),
            {413},
        ),
        (
            f"reviewer's {chunked_bytes // MB} MB import, no length",
            _upload(reviewer, "/api/records/import", chunked_bytes, chunked=True, with_token=True),
            {413},
        ),
        (
            f"reviewer's {chunked_bytes // MB} MB upload without the CSRF token",
            _upload(reviewer, "/api/documents", chunked_bytes, chunked=True, with_token=False),
            {403},
        ),
        (
            f"viewer's {chunked_bytes // MB} MB import (the role may not import)",
            _upload(viewer, "/api/records/import", chunked_bytes, chunked=True, with_token=True),
            {403},
        ),
        (
            f"reviewer's {len(docx) // 1024} KB DOCX unpacking to 100 MB",
            (
                "/api/documents",
                reviewer.headers({"Content-Type": kind}),
                iter([head, docx, tail]),
                len(head) + len(docx) + len(tail),
            ),
            {400},
        ),
        (
            f"record id {big_id} (above SQLite's and PostgreSQL's integers)",
            (f"/api/records/{big_id}", reviewer.headers(), iter(()), 0),
            {404, 422},
        ),
        (
            f"record id {2**31} (above PostgreSQL's INTEGER)",
            (f"/api/records/{2**31}", reviewer.headers(), iter(()), 0),
            {404, 422},
        ),
    ]


def prepare(target: str) -> dict[str, str]:
    """A review at ``target`` with a reviewer's and a viewer's account; their passwords."""
    from realist.domain.review import ReviewerRole
    from realist.services import accounts
    from realist.services.reviews import init_review

    store = init_review(target, "Attacks", "owner")
    passwords = {}
    for key, role in (("reviewer", ReviewerRole.REVIEWER), ("viewer", ReviewerRole.VIEWER)):
        passwords[key] = "Bench-" + secrets.token_urlsafe(16)
        accounts.add_account(store, key, passwords[key], role=role)
    store.close()
    return passwords


def run(
    target: str, upload_mb: int, chunked_mb: int, spool: Path
) -> tuple[int, list[Outcome], int]:
    """Every attack against a fresh server on ``target`` (a new review), its uploads spooled
    in ``spool``: (idle RSS, outcomes, bytes left in files once they are all answered)."""
    passwords = prepare(target)
    docx = docx_bomb()
    env = {"REALIST_MAX_UPLOAD_MB": str(upload_mb), "REALIST_SPOOL_DIR": str(spool)}
    with Server(target, env) as server:
        folders = (server.tmp, str(spool))
        plan = attacks(server.port, passwords, chunked_mb * MB, docx)
        time.sleep(0.5)
        idle = server.rss()
        outcomes = []
        for name, (path, headers, chunks, length), refused in plan:
            method = "GET" if length == 0 else "POST"
            with Monitor(server.pid, folders) as monitor:
                answer = send(server.port, method, path, headers, chunks, length)
            outcomes.append(
                Outcome(
                    name,
                    answer.status,
                    answer.status in refused,
                    answer.seconds,
                    answer.sent,
                    monitor.peak_rss,
                    idle,
                    monitor.peak_files,
                )
            )
        alive = server.process is not None and server.process.poll() is None
        assert alive, "the server died under the attacks"
        time.sleep(0.2)  # a refused upload's folder is removed as the request ends
        left = server.left_over(spool)
    return idle, outcomes, left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="", help="a postgresql:// URL (default: SQLite)")
    parser.add_argument("--upload-mb", type=int, default=512, help="the server's upload limit")
    parser.add_argument(
        "--chunked-mb", type=int, default=700, help="size of the bodies sent without a length"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        target = args.db or str(Path(folder) / "attacks.realist")
        if args.db:  # a database of its own on the server
            import sqlalchemy as sa

            name = "realist_attacks_" + secrets.token_hex(4)
            admin = sa.create_engine(
                "postgresql+psycopg://" + args.db.split("://", 1)[1], isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.execute(sa.text(f"CREATE DATABASE {name}"))
            target = args.db.rsplit("/", 1)[0] + "/" + name
        try:
            spool = Path(folder) / "spool"
            idle, outcomes, left = run(target, args.upload_mb, args.chunked_mb, spool)
        finally:
            if args.db:
                with admin.connect() as connection:
                    connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    print(f"server idle: {idle / MB:.0f} MB resident; upload limit {args.upload_mb} MB")
    print(f"{'attack':66} {'answer':>6} {'refused':>7} {'s':>6} {'sent MB':>8} "
          f"{'peak MB':>8} {'+idle':>6} {'files MB':>8}")  # fmt: skip
    for o in outcomes:
        print(
            f"{o.name:66} {o.status:>6} {'yes' if o.refused else 'NO':>7} {o.seconds:6.2f} "
            f"{o.sent / MB:8.1f} {o.peak_rss / MB:8.0f} {(o.peak_rss - o.idle_rss) / MB:+6.0f} "
            f"{o.peak_files / MB:8.1f}"
        )
    worst = max(o.peak_rss - o.idle_rss for o in outcomes)
    print(f"largest growth over idle: {worst / MB:.0f} MB (must stay within 200 MB)")
    print(f"left in the spool and the server's temporary folder: {left / MB:.1f} MB")
    ok = all(o.refused for o in outcomes) and worst <= 200 * MB and left == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
