"""Screening under load: many reviewers deciding at once on one web server (loopback only).

    .venv/bin/python bench/web_load.py                  # 10 reviewers, 3,000 records, SQLite
    .venv/bin/python bench/web_load.py --reviewers 1    # one reviewer alone, for comparison
    .venv/bin/python bench/web_load.py --decisions 500 --seconds 120 --mode single
    .venv/bin/python bench/web_load.py --think 2   # ~2 s reading each record, as people do
    # Issue 11: 50 reviewers on PostgreSQL, with 1 and with 2 server processes
    .venv/bin/python bench/web_load.py --db postgresql://realist:realist@127.0.0.1/postgres \
        --reviewers 50 --workers 2 --think 2
    # Issue 11: 10 reviewers on SQLite while another process imports 100,000 records
    .venv/bin/python bench/web_load.py --reviewers 10 --import-records 100000
    # Issue 13: 10 reviewers, the queue prioritised (ranking on) and in file order (off)
    .venv/bin/python bench/web_load.py --reviewers 10 --compare-orders

Builds a review (a few thousand generated records, criteria, highlight terms, one account
per reviewer): in a temporary SQLite file, or with ``--db`` in a new database on that
PostgreSQL server (dropped at the end). Each phase gets a fresh copy of it. Serves it from
a subprocess on 127.0.0.1 the way a shared server runs (sign-in, sessions, CSRF, cookies
without Secure as with --allow-http; the app made by ``realist.web.asgi``, as
``realist serve --workers N`` makes it), signs each simulated reviewer in with their own
account, and has them all make screening decisions as fast as the server answers (or,
with ``--think``, after pausing that many seconds on average, as a person reading the
record would): each POSTs ``/api/screening/decisions`` and takes the next record from the
answer. Each stops after ``--decisions`` decisions or ``--seconds`` seconds.

Phases, all in one run so that the ratios compare figures measured on the same machine
at the same time (absolute times on a shared 2-core machine mean little):

- the load itself (``--reviewers`` at ``--think``, ``--workers`` processes);
- with ``--think``: one reviewer alone at the same pace; prints p95 crowd / p95 alone
  (goal, issue 11: at most 2);
- with ``--workers`` N > 1: the reviewers without pauses on 1 process and on N; prints
  the throughput ratio (goal: at least 1.3 for 2 processes);
- with ``--import-records``: the load without, then with, ``realist import`` of that many
  records running in another process; prints p95 with / p95 without (goal: at most 5)
  and checks the import completed;
- with ``--compare-orders``: the reviewers on two copies of the review, one screening in
  file order (ranking off), one prioritised (ranking on: a refit after every decision, in
  the server's background), both servers up at once and measured in alternating rounds;
  prints p95 on / p95 off (goal, issue 13: at most 1.2).

``--order`` sets the queue's order of the review (default: the review's own default,
prioritised at title/abstract).

Each phase prints p50/p95/max latency of a decision POST (request sent to answer read),
throughput, failed requests, and checks decisions: none lost (each reviewer's stored
decisions equal their successful POSTs) and none duplicated (no reviewer has two
decisions on one record at one stage). Exit status 1 if a request failed or a decision
was lost or duplicated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

from realist.domain.review import ReviewerRole
from realist.domain.screening import CriterionKind, ScreeningMode, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.services import accounts, imports, prioritising, screening
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store import screening as screening_repo

PASSWORD = "load test password"
SIGN_IN_WAIT = 1.0  # seconds, about, before signing in again when the server is busy
GOAL_MS = 50.0
GOAL_CROWD = 2.0  # p95 with the crowd / p95 of one reviewer alone, at most (issue 11)
GOAL_WORKERS = 1.3  # throughput with 2 processes / with 1, at least (issue 11)
GOAL_IMPORT = 5.0  # p95 with a big import running / without, at most (issue 11)
GOAL_RANKING = 1.2  # p95 with the queue prioritised / in file order, at most (issue 13)
DECISIONS = ("include", "exclude", "maybe")
WORDS = (
    *("peer", "support", "perinatal", "depression", "mothers", "postnatal", "anxiety"),
    *("volunteer", "telephone", "group", "intervention", "randomised", "trial"),
    *("qualitative", "outcomes", "wellbeing", "community", "health", "midwife"),
)


def write_ris(path: Path, records: int, seed: int, prefix: str = "") -> None:
    """``records`` generated journal articles with abstracts, as a database exports them."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(records):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 250)))
            out.write(
                f"TY  - JOUR\nAU  - {rng.choice(WORDS).title()}, A.\nTI  - {prefix}{words} {n}\n"
                f"PY  - {rng.randint(1990, 2024)}\nT2  - Journal of {rng.choice(WORDS)}\n"
                f"AB  - {abstract}\nER  - \n\n"
            )


def build_review(
    target: str,
    folder: Path,
    records: int,
    reviewers: int,
    mode: ScreeningMode,
    order: ScreeningOrder | None = None,
) -> None:
    """A review with ``records`` generated records and one account per reviewer."""
    store = init_review(target, "Load test", "owner")
    try:
        screening.add_criterion(
            store, "E-POP", "population", CriterionKind.EXCLUSION, "Not perinatal", "owner"
        )
        terms = ["peer*", "mother*"]
        screening.add_highlight_terms(store, terms, CriterionKind.INCLUSION, "owner")
        ris = folder / "search.ris"
        write_ris(ris, records, seed=1)
        imports.import_file(store, ris, source_name="Generated")
        for key in reviewer_keys(reviewers):
            accounts.add_account(store, key, PASSWORD, role=ReviewerRole.REVIEWER, by="owner")
        screening.set_screening_mode(store, mode, "owner")
        if order is not None:
            prioritising.set_order(store, Stage.TITLE_ABSTRACT, order, "owner")
    finally:
        store.close()


def set_order(target: str, order: ScreeningOrder) -> None:
    store = open_store(target)
    try:
        prioritising.set_order(store, Stage.TITLE_ABSTRACT, order, "owner")
    finally:
        store.close()


def reviewer_keys(count: int) -> list[str]:
    return [f"r{n:02d}" for n in range(1, count + 1)]


class Places:
    """Where the phases' reviews live: copies of one built review, as SQLite files in a
    folder or as databases on a PostgreSQL server (``CREATE DATABASE ... TEMPLATE``)."""

    def __init__(self, folder: Path, db: str | None) -> None:
        self.folder = folder
        self.admin = sa.create_engine(db, isolation_level="AUTOCOMMIT") if db else None
        self.url = sa.make_url(db) if db else None
        self.prefix = f"realist_load_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []

    def _target(self, name: str) -> str:
        if self.url is None:
            return str(self.folder / f"{name}.realist")
        return self.url.set(database=f"{self.prefix}_{name}").render_as_string(hide_password=False)

    def template(self) -> str:
        if self.admin is not None:
            self._create(f"CREATE DATABASE {self.prefix}_template", "template")
        return self._target("template")

    def copy(self, name: str) -> str:
        if self.admin is None:
            for suffix in ("", "-wal"):
                made = self.folder / f"template.realist{suffix}"
                if made.exists():
                    shutil.copyfile(made, self.folder / f"{name}.realist{suffix}")
        else:
            self._create(
                f"CREATE DATABASE {self.prefix}_{name} TEMPLATE {self.prefix}_template", name
            )
        return self._target(name)

    def _create(self, statement: str, name: str) -> None:
        assert self.admin is not None
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)
        self.made.append(f"{self.prefix}_{name}")

    def drop(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for name in reversed(self.made):
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.dispose()


def serve(target: str, workers: int) -> None:
    """In the server subprocess: a shared server (accounts, sessions, CSRF, cookies without
    the Secure flag as with --allow-http) that only listens on 127.0.0.1, made by the app
    factory as `realist serve --workers N` makes it. Prints its port."""
    import uvicorn

    os.environ.update(
        {
            "REALIST_DATABASE_URL": target,
            "REALIST_HOST": "0.0.0.0",  # shared: sign-in; it listens on 127.0.0.1 only
            "REALIST_ALLOW_HTTP": "1",
            "REALIST_ALLOWED_HOSTS": "127.0.0.1",
        }
    )
    factory = "realist.web.asgi:create_app_from_env"
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
    # (uvicorn binds its own socket this way when it runs several workers.)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if workers == 1:
        config = uvicorn.Config(factory, factory=True, log_level="warning")
        print(port, flush=True)
        uvicorn.Server(config).run(sockets=[sock])
        return
    sock.close()  # uvicorn's supervisor binds the port itself and shares it with workers
    print(port, flush=True)
    uvicorn.run(
        factory, factory=True, host="127.0.0.1", port=port, workers=workers, log_level="warning"
    )


@dataclass
class Served:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server: its process and its workers."""
        total = 0.0
        for pid in [self.pid, *_children(self.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def server(target: str, workers: int) -> Iterator[Served]:
    """The review served from a subprocess with ``workers`` processes."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", target, "--serve-workers", str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        served = Served(f"http://127.0.0.1:{int(child.stdout.readline())}", child.pid)
        answered = 0
        for _ in range(600):  # until it answers, several times, on new connections
            try:
                status, _ = Client(served.url).request("GET", "/login")
                answered += status == 200
                if answered >= 2 * workers:
                    break
            except OSError:
                time.sleep(0.1)
        yield served
    finally:
        child.terminate()
        child.wait(timeout=60)


class Client:
    """A keep-alive HTTP client with a cookie jar, on http.client: a fraction of httpx's
    CPU per request, which matters when the load generator shares two cores with the
    server it measures."""

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        connection.connect()
        assert connection.sock is not None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _reusable(self) -> http.client.HTTPConnection | None:
        """The kept-alive connection, unless the server has closed it meanwhile (idle for
        longer than its keep-alive timeout: the socket then reads as ready, at EOF), as a
        browser checks before it reuses one. Sending a POST on it would fail with a broken
        pipe after the server may or may not have read it."""
        connection = self.connection
        if connection is None or connection.sock is None:
            return None
        if select.select([connection.sock], [], [], 0)[0]:
            connection.close()
            return None
        return connection

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a GET once more on a new connection, if the old one closed
            connection = self._reusable() or self._connect()
            self.connection = None
            try:
                connection.request(method, path, body, sent)
                answer = connection.getresponse()
                data = answer.read()
                break
            except (http.client.HTTPException, OSError):
                connection.close()
                if attempt == 2 or method != "GET":
                    raise
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if answer.getheader("Connection", "").lower() == "close":
            connection.close()
        else:
            self.connection = connection
        return answer.status, data

    def json(
        self, method: str, path: str, data: object, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        body = json.dumps(data).encode()
        return self.request(method, path, body, {**headers, "Content-Type": "application/json"})

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@dataclass
class Reviewer:
    key: str
    latencies_ms: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.monotonic() of each POST
    errors: list[str] = field(default_factory=list)
    ok: int = 0


def sign_in(client: Client, key: str) -> str:
    """Sign in as ``key`` as the login form does; the session's new CSRF token."""
    _, form = client.request("GET", "/login")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', form.decode())
    if not found:
        raise RuntimeError("the sign-in page has no CSRF token")
    body = urlencode({"reviewer": key, "password": PASSWORD, "csrf_token": found.group(1)})
    for _ in range(30):  # a whole team signing in at once is asked to wait a moment
        status, text = client.request(
            "POST", "/login", body.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 429 or b"being checked" not in text:
            break
        time.sleep(random.uniform(1.0, 2.0) * SIGN_IN_WAIT)
    if status != 303:
        raise RuntimeError(f"{key} could not sign in: {status} {text[:200]!r}")
    return str(json.loads(client.request("GET", "/api/session")[1])["csrf_token"])


@dataclass
class Load:
    """What one phase asks of its reviewers."""

    think: float
    seconds: float
    decisions: int | None  # per reviewer, at most (None: until stopped)
    stop: threading.Event = field(default_factory=threading.Event)


def screen(url: str, me: Reviewer, load: Load, start: threading.Barrier, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(url)
    try:
        try:
            token = sign_in(client, me.key)
            record = json.loads(client.request("GET", "/api/screening")[1])["record"]
        except Exception:
            start.abort()  # the others stop waiting; the error is shown
            raise
        start.wait()
        deadline = time.monotonic() + load.seconds
        done = 0
        while record and (load.decisions is None or done < load.decisions):
            if load.think:
                time.sleep(rng.uniform(0.5, 1.5) * load.think)
            if time.monotonic() >= deadline or load.stop.is_set():
                break
            body = {"record_id": record["id"], "decision": rng.choice(DECISIONS)}
            me.sent_at.append(time.monotonic())
            began = time.perf_counter()
            done += 1
            try:
                status, answer = client.json(
                    "POST", "/api/screening/decisions", body, {"X-CSRF-Token": token}
                )
            except (http.client.HTTPException, OSError) as error:
                me.errors.append(f"{type(error).__name__}: {error}")
                me.latencies_ms.append((time.perf_counter() - began) * 1000)
                continue
            me.latencies_ms.append((time.perf_counter() - began) * 1000)
            if status == 200:
                me.ok += 1
                record = json.loads(answer)["record"]
            else:
                me.errors.append(f"{status} {answer[:200]!r}")
    finally:
        client.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted here)."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def stored_decisions(target: str) -> tuple[Counter[str], int]:
    """Decisions stored per reviewer, and how many are a reviewer's second (or later)
    decision on the same record at the same stage."""
    store = open_store(target)
    try:
        with store.reading() as connection:
            found = screening_repo.list_decisions(connection, Stage.TITLE_ABSTRACT)
    finally:
        store.close()
    per_record = Counter((d.record_id, d.reviewer_key) for d in found)
    return Counter(d.reviewer_key for d in found), sum(n - 1 for n in per_record.values())


@dataclass
class Phase:
    """One phase's figures (one or more rounds of the same reviewers on one server)."""

    name: str
    people: list[Reviewer]
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    lost: int = 0
    duplicated: int = 0
    window: tuple[float, float] | None = None  # only POSTs sent in it count (import)

    def latencies(self) -> list[float]:
        if self.window is None:
            return [ms for me in self.people for ms in me.latencies_ms]
        low, high = self.window
        return [
            ms
            for me in self.people
            for at, ms in zip(me.sent_at, me.latencies_ms, strict=True)
            if low <= at <= high
        ]

    @property
    def ok(self) -> int:
        return sum(me.ok for me in self.people)

    @property
    def errors(self) -> list[str]:
        return [e for me in self.people for e in me.errors]

    @property
    def throughput(self) -> float:
        return self.ok / self.wall if self.wall else 0.0

    @property
    def p95(self) -> float:
        found = self.latencies()
        return percentile(found, 95) if found else float("nan")

    def check(self, target: str) -> None:
        """Count decisions lost or duplicated, from what the store holds."""
        stored, duplicated = stored_decisions(target)
        self.lost = sum(max(0, me.ok - stored[me.key]) for me in self.people)
        extra = sum(max(0, stored[me.key] - me.ok) for me in self.people)
        self.duplicated = duplicated + extra

    def report(self) -> bool:
        errors = self.errors
        found = self.latencies()
        print(
            f"[{self.name}] {len(self.people)} reviewers: {self.ok:,} decisions saved in "
            f"{self.wall:.1f} s ({self.throughput:.1f} decisions/s), {len(errors)} failed; "
            f"CPU s: server {self.server_cpu:.1f}, load generator {self.client_cpu:.1f}"
        )
        for error, count in Counter(errors).most_common(5):
            print(f"  {count} x {error}")
        if found:
            print(
                f"  decision POST latency{' (during the import)' if self.window else ''}: "
                f"p50 {percentile(found, 50):.1f} ms, p95 {percentile(found, 95):.1f} ms, "
                f"p99 {percentile(found, 99):.1f} ms, max {max(found):.1f} ms "
                f"({len(found):,} POSTs)"
            )
        else:
            print("  no decision was made")
        print(f"  decisions lost: {self.lost}, duplicated: {self.duplicated}")
        return bool(found) and not errors and not self.lost and not self.duplicated


def measure(
    phase: Phase,
    served: Served,
    load: Load,
    started: Iterator[tuple[float, float]] | None = None,
) -> None:
    """One round: the phase's reviewers sign in, then screen together; adds to ``phase``."""
    start = threading.Barrier(len(phase.people) + 1)
    seed = len(phase.people[0].latencies_ms) * 1000
    threads = [
        threading.Thread(target=screen, args=(served.url, me, load, start, seed + n), daemon=True)
        for n, me in enumerate(phase.people)
    ]
    for thread in threads:
        thread.start()
    start.wait(timeout=300)
    wall, server_cpu, client_cpu = time.perf_counter(), served.cpu_seconds(), time.process_time()
    if started is not None:
        phase.window = next(started)
        load.stop.set()
    for thread in threads:
        thread.join()
    phase.wall += time.perf_counter() - wall
    phase.server_cpu += served.cpu_seconds() - server_cpu
    phase.client_cpu += time.process_time() - client_cpu


def run_phase(
    name: str,
    target: str,
    workers: int,
    reviewers: int,
    load: Load,
    started: Iterator[tuple[float, float]] | None = None,
) -> Phase:
    """``reviewers`` screening ``target`` served by ``workers`` processes."""
    phase = Phase(name, [Reviewer(key) for key in reviewer_keys(reviewers)])
    with server(target, workers) as served:
        measure(phase, served, load, started)
    phase.check(target)
    return phase


def compare_workers(
    places: Places, reviewers: int, workers: int, seconds: float, rounds: int
) -> tuple[Phase, Phase]:
    """The reviewers without pauses on 1 process and on ``workers``, both servers up at
    once and measured in alternating rounds, so that a change in the machine's other load
    falls on both alike."""
    one = Phase("1 process, no pauses", [Reviewer(k) for k in reviewer_keys(reviewers)])
    many = Phase(f"{workers} processes, no pauses", [Reviewer(k) for k in reviewer_keys(reviewers)])
    first, second = places.copy("one"), places.copy("many")
    with server(first, 1) as served_one, server(second, workers) as served_many:
        for n in range(rounds):
            order = [(one, served_one), (many, served_many)]
            for phase, served in order if n % 2 == 0 else order[::-1]:
                measure(phase, served, Load(0.0, seconds / rounds, None))
    one.check(first)
    many.check(second)
    return one, many


def compare_orders(
    places: Places, reviewers: int, think: float, seconds: float, rounds: int
) -> tuple[Phase, Phase]:
    """The reviewers on a copy screening in file order (ranking off) and on one screening
    prioritised (ranking on), both servers up at once and measured in alternating rounds,
    so that a change in the machine's other load falls on both alike."""
    off = Phase("file order (ranking off)", [Reviewer(k) for k in reviewer_keys(reviewers)])
    on = Phase("prioritised (ranking on)", [Reviewer(k) for k in reviewer_keys(reviewers)])
    first, second = places.copy("off"), places.copy("on")
    set_order(first, ScreeningOrder.FILE)
    set_order(second, ScreeningOrder.PRIORITISED)
    with server(first, 1) as served_off, server(second, 1) as served_on:
        for n in range(rounds):
            order = [(off, served_off), (on, served_on)]
            for phase, served in order if n % 2 == 0 else order[::-1]:
                measure(phase, served, Load(think, seconds / rounds, None))
    off.check(first)
    on.check(second)
    print(f"  rankings recorded with the ranking on: {rankings_made(second)}")
    return off, on


def rankings_made(target: str) -> str:
    """How many rankings the server made and recorded (ranking_fit), by kind."""
    store = open_store(target)
    try:
        made = Counter(f["kind"] for f in prioritising.fits(store))
    finally:
        store.close()
    return ", ".join(f"{n:,} {kind}" for kind, n in made.most_common()) or "none"


def _importing(target: str) -> bool:
    """Whether an import is being written (an unfinished batch holds records)."""
    from realist.store.schema import BatchState, import_batch

    store = open_store(target)
    try:
        with store.reading() as connection:
            found = connection.execute(
                sa.select(import_batch.c.id).where(
                    import_batch.c.state == BatchState.IMPORTING, import_batch.c.record_count > 0
                )
            ).first()
    finally:
        store.close()
    return found is not None


def import_running(
    target: str, path: Path, result: dict[str, object]
) -> Iterator[tuple[float, float]]:
    """Run ``realist import`` of ``path`` into ``target`` now, wait for it to end, and
    yield the time window in which it was writing records (first chunk to exit)."""
    command = [sys.executable, "-m", "realist", "--db", target, "import", str(path)]
    process = subprocess.Popen(
        [*command, "--source", "Big search"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    writing = None
    while process.poll() is None:
        if writing is None and _importing(target):
            writing = time.monotonic()
        time.sleep(0.1)
    ended = time.monotonic()
    result["returncode"] = process.returncode
    result["output"] = (process.stdout.read() if process.stdout else b"").decode()[-400:]
    yield (writing if writing is not None else ended, ended)


def count_records(target: str) -> int:
    from realist.store.schema import record

    store = open_store(target)
    try:
        with store.reading() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(record)).scalar() or 0
            )
    finally:
        store.close()


def ratio_line(what: str, value: float, goal: float, at_least: bool) -> bool:
    met = value >= goal if at_least else value <= goal
    sign = ">=" if at_least else "<="
    print(f"{what}: {value:.2f} (goal {sign} {goal:g}: {'met' if met else 'NOT met'})")
    return met


def run(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="realist-load-") as tmp:
        folder = Path(tmp)
        places = Places(folder, args.db)
        try:
            return _run(args, folder, places)
        finally:
            places.drop()


def _run(args: argparse.Namespace, folder: Path, places: Places) -> bool:
    began = time.perf_counter()
    order = ScreeningOrder(args.order) if args.order else None
    build_review(
        places.template(), folder, args.records, args.reviewers, ScreeningMode(args.mode), order
    )
    where = "PostgreSQL" if args.db else "SQLite"
    pace = f"reading each record ~{args.think:g} s" if args.think else "no pauses"
    print(
        f"Review: {args.records:,} records, {args.reviewers} reviewer accounts, "
        f"{args.mode} screening, {where} (built in {time.perf_counter() - began:.1f} s); "
        f"{args.workers} server process(es); reviewers decide with {pace}; "
        f"order {args.order or 'as the review sets it'}"
    )
    good = True
    if args.compare_orders:
        off, on = compare_orders(
            places, args.reviewers, args.think, args.throughput_seconds, args.rounds
        )
        good &= off.report()
        good &= on.report()
        ratio_line(
            "p95 prioritised (ranking on) / p95 file order (off)",
            on.p95 / off.p95,
            GOAL_RANKING,
            at_least=False,
        )
        return good
    crowd = run_phase(
        "load",
        places.copy("load"),
        args.workers,
        args.reviewers,
        Load(args.think, args.seconds, args.decisions),
    )
    good &= crowd.report()
    if args.reviewers == 1 and not args.import_records and args.workers == 1:
        ratio_line("p95 in ms (issue 6 goal 50)", crowd.p95, GOAL_MS, at_least=False)
        return good
    if args.think and args.reviewers > 1:
        alone = run_phase(
            "alone",
            places.copy("alone"),
            args.workers,
            1,
            Load(args.think, args.seconds, args.decisions),
        )
        good &= alone.report()
        ratio_line(
            f"p95 with {args.reviewers} reviewers / p95 of one alone",
            crowd.p95 / alone.p95,
            GOAL_CROWD,
            at_least=False,
        )
    if args.workers > 1:
        one, many = compare_workers(
            places, args.reviewers, args.workers, args.throughput_seconds, args.rounds
        )
        good &= one.report()
        good &= many.report()
        ratio_line(
            f"throughput with {args.workers} processes / with 1",
            many.throughput / one.throughput,
            GOAL_WORKERS,
            at_least=True,
        )
    if args.import_records:
        big = folder / "big.ris"
        write_ris(big, args.import_records, seed=2, prefix="Big ")
        target = places.copy("import")
        before = count_records(target)
        result: dict[str, object] = {}
        busy = run_phase(
            f"while importing {args.import_records:,} records",
            target,
            args.workers,
            args.reviewers,
            Load(args.think, 3600.0, None),
            started=import_running(target, big, result),
        )
        good &= busy.report()
        after = count_records(target)
        added = after - before
        print(
            f"  the import: exit status {result['returncode']}, {added:,} records added "
            f"(expected {args.import_records:,})"
        )
        if result["returncode"] != 0 or added != args.import_records:
            print(f"  import output: {result['output']}")
            good = False
        ratio_line(
            "p95 during the import / p95 without it",
            busy.p95 / crowd.p95,
            GOAL_IMPORT,
            at_least=False,
        )
    return good


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--decisions", type=int, default=200, help="per reviewer, at most")
    parser.add_argument("--seconds", type=float, default=60.0, help="per reviewer, at most")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds each reviewer reads a record"
    )
    parser.add_argument("--mode", choices=[m.value for m in ScreeningMode], default="dual")
    parser.add_argument(
        "--order",
        choices=[o.value for o in ScreeningOrder],
        help="the title/abstract queue's order (default: the review's own, prioritised)",
    )
    parser.add_argument(
        "--compare-orders",
        action="store_true",
        help="run the load in file order (ranking off) and prioritised (on), alternating "
        "--rounds rounds of --throughput-seconds in all for each; p95 on / off",
    )
    parser.add_argument(
        "--db", metavar="URL", help="a PostgreSQL server (admin database URL); default SQLite"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--throughput-seconds",
        type=float,
        default=30.0,
        help="total length of each side of the no-pause comparison of 1 and --workers processes",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating rounds of that comparison"
    )
    parser.add_argument(
        "--import-records",
        type=int,
        default=0,
        help="also run the load while `realist import` adds this many records",
    )
    parser.add_argument("--serve", metavar="TARGET", help=argparse.SUPPRESS)
    parser.add_argument("--serve-workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.serve_workers)
        return
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
