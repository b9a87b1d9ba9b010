"""Screening under load: 10 reviewers deciding at once on one web server (loopback only).

    .venv/bin/python bench/web_load.py                  # 10 reviewers, 3,000 records
    .venv/bin/python bench/web_load.py --reviewers 1    # one reviewer alone, for comparison
    .venv/bin/python bench/web_load.py --decisions 500 --seconds 120 --mode single
    .venv/bin/python bench/web_load.py --think 2   # ~2 s reading each record, as people do

Builds a SQLite review in a temporary folder (a few thousand generated records, criteria,
highlight terms, one account per reviewer), serves it from a subprocess on 127.0.0.1 the
way a shared server runs (sign-in, sessions, CSRF: ``realist serve --allow-http``, but
bound to loopback only), signs each simulated reviewer in with their own account, and has
them all make screening decisions as fast as the server answers (or, with ``--think``,
after pausing that many seconds on average, as a person reading the record would): each
POSTs ``/api/screening/decisions`` and takes the next record from the answer. Each stops
after ``--decisions`` decisions or ``--seconds`` seconds.

Prints p50/p95/max latency of a decision POST (request sent to answer read), throughput,
and checks that no decision was lost: the decisions in the store, per reviewer, must equal
that reviewer's successful POSTs. Goal (issue 6): p95 under 50 ms on SQLite.
"""

from __future__ import annotations

import argparse
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from realist.domain.review import ReviewerRole
from realist.domain.screening import CriterionKind, ScreeningMode, Stage
from realist.services import accounts, imports, screening
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store import screening as screening_repo

PASSWORD = "load test password"
GOAL_MS = 50.0
DECISIONS = ("include", "exclude", "maybe")
WORDS = (
    *("peer", "support", "perinatal", "depression", "mothers", "postnatal", "anxiety"),
    *("volunteer", "telephone", "group", "intervention", "randomised", "trial"),
    *("qualitative", "outcomes", "wellbeing", "community", "health", "midwife"),
)


def build_review(folder: Path, records: int, reviewers: int, mode: ScreeningMode) -> str:
    """A review with ``records`` generated records and one account per reviewer."""
    target = str(folder / "load.realist")
    store = init_review(target, "Load test", "owner")
    try:
        screening.add_criterion(
            store, "E-POP", "population", CriterionKind.EXCLUSION, "Not perinatal", "owner"
        )
        terms = ["peer*", "mother*"]
        screening.add_highlight_terms(store, terms, CriterionKind.INCLUSION, "owner")
        rng = random.Random(1)
        ris = folder / "search.ris"
        with ris.open("w", encoding="utf-8") as out:
            for n in range(records):
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
                abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 250)))
                out.write(
                    f"TY  - JOUR\nAU  - {rng.choice(WORDS).title()}, A.\nTI  - {words} {n}\n"
                    f"PY  - {rng.randint(1990, 2024)}\nT2  - Journal of {rng.choice(WORDS)}\n"
                    f"AB  - {abstract}\nER  - \n\n"
                )
        imports.import_file(store, ris, source_name="Generated")
        for key in reviewer_keys(reviewers):
            accounts.add_account(store, key, PASSWORD, role=ReviewerRole.REVIEWER, by="owner")
        screening.set_screening_mode(store, mode, "owner")
    finally:
        store.close()
    return target


def reviewer_keys(count: int) -> list[str]:
    return [f"r{n:02d}" for n in range(1, count + 1)]


def serve(target: str) -> None:
    """In the server subprocess: a shared server (accounts, sessions, CSRF, cookies without
    the Secure flag as with --allow-http) that only listens on 127.0.0.1. Prints its port."""
    from realist.cli.web_commands import build_server
    from realist.web import WebConfig
    from realist.web.config import LOCAL_HOSTS

    config = WebConfig(target=target, local=False, secure_cookies=False, allowed_hosts=LOCAL_HOSTS)
    server = build_server(config, "127.0.0.1", 0)
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    server.run(sockets=[sock])


@dataclass
class Reviewer:
    key: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ok: int = 0


def sign_in(client: httpx.Client, key: str) -> str:
    """Sign in as ``key`` as the login form does; the session's new CSRF token."""
    form = client.get("/login").text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', form)
    if not found:
        raise RuntimeError("the sign-in page has no CSRF token")
    done = client.post(
        "/login", data={"reviewer": key, "password": PASSWORD, "csrf_token": found.group(1)}
    )
    if done.status_code != 303:
        raise RuntimeError(f"{key} could not sign in: {done.status_code} {done.text[:200]}")
    return str(client.get("/api/session").json()["csrf_token"])


def screen(
    url: str,
    me: Reviewer,
    args: argparse.Namespace,
    start: threading.Barrier,
    seed: int,
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=30) as client:
        try:
            token = sign_in(client, me.key)
            record = client.get("/api/screening").json()["record"]
        except Exception:
            start.abort()  # the others stop waiting; the error is shown
            raise
        start.wait()
        deadline = time.monotonic() + args.seconds
        while record and me.ok + len(me.errors) < args.decisions:
            if args.think:
                time.sleep(rng.uniform(0.5, 1.5) * args.think)
            if time.monotonic() >= deadline:
                break
            body = {"record_id": record["id"], "decision": rng.choice(DECISIONS)}
            began = time.perf_counter()
            try:
                answer = client.post(
                    "/api/screening/decisions", json=body, headers={"X-CSRF-Token": token}
                )
            except httpx.HTTPError as error:
                me.errors.append(f"{type(error).__name__}: {error}")
                continue
            me.latencies_ms.append((time.perf_counter() - began) * 1000)
            if answer.status_code == 200:
                me.ok += 1
                record = answer.json()["record"]
            else:
                me.errors.append(f"{answer.status_code} {answer.text[:200]}")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (sorted here)."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def stored_decisions(target: str) -> Counter[str]:
    store = open_store(target)
    try:
        with store.reading() as connection:
            found = screening_repo.list_decisions(connection, Stage.TITLE_ABSTRACT)
    finally:
        store.close()
    return Counter(d.reviewer_key for d in found)


def run(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="realist-load-") as tmp:
        began = time.perf_counter()
        target = build_review(Path(tmp), args.records, args.reviewers, ScreeningMode(args.mode))
        pace = f"reading each record ~{args.think:g} s" if args.think else "no pauses"
        print(
            f"Review: {args.records:,} records, {args.reviewers} reviewer accounts, "
            f"{args.mode} screening, SQLite (built in {time.perf_counter() - began:.1f} s); "
            f"reviewers decide with {pace}"
        )
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", target], stdout=subprocess.PIPE, text=True
        )
        try:
            assert child.stdout is not None
            url = f"http://127.0.0.1:{int(child.stdout.readline())}"
            for _ in range(100):  # the port is bound before uvicorn answers
                try:
                    httpx.get(f"{url}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            people = [Reviewer(key) for key in reviewer_keys(args.reviewers)]
            start = threading.Barrier(len(people) + 1)
            threads = [
                threading.Thread(
                    target=screen,
                    args=(url, me, args, start, n),
                    daemon=True,
                )
                for n, me in enumerate(people)
            ]
            for thread in threads:
                thread.start()
            start.wait(timeout=120)
            wall = time.perf_counter()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall
        finally:
            child.terminate()
            child.wait(timeout=30)
        return report(args, people, wall, stored_decisions(target))


def report(
    args: argparse.Namespace, people: list[Reviewer], wall: float, stored: Counter[str]
) -> bool:
    latencies = [ms for me in people for ms in me.latencies_ms]
    ok = sum(me.ok for me in people)
    errors = [e for me in people for e in me.errors]
    print(
        f"{len(people)} reviewers at once: {ok:,} decisions saved in {wall:.1f} s "
        f"({ok / wall:.0f} decisions/s), {len(errors)} failed"
    )
    for error, count in Counter(errors).most_common(5):
        print(f"  {count} x {error}")
    if not latencies:
        print("No decision was made.")
        return False
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(
        f"Decision POST latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms"
    )
    lost = {me.key: (me.ok, stored[me.key]) for me in people if stored[me.key] != me.ok}
    if lost:
        for key, (posted, kept) in lost.items():
            print(f"  {key}: {posted} successful POSTs but {kept} decisions stored")
    else:
        print(
            f"No decision lost: the store holds {sum(stored.values()):,} decisions, "
            "each reviewer's equal to their successful POSTs."
        )
    met = p95 < GOAL_MS
    print(f"Goal p95 < {GOAL_MS:.0f} ms: {'met' if met else 'NOT met'} ({p95:.1f} ms).")
    return not lost and not errors


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
    parser.add_argument("--serve", metavar="TARGET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
