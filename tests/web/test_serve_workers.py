"""`realist serve --workers 2` as a user runs it: two server processes on one review (the
test's database: SQLite, or PostgreSQL in CI), answering requests that each come on a new
connection, so the kernel hands them to either process. A session made by one process
works on the other, no decision is lost or doubled, and an import job started on one is
followed on whichever answers the poll (jobs are in the database)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from realist.services import imports
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store.schema import screening_decision
from web.kit import ris

RECORDS = 24


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.fixture
def served(db_target: str, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """The review served by `realist serve --workers 2`: its URL, target and pid."""
    store = init_review(db_target, "Two workers", "owner")
    try:
        first = tmp_path / "search.ris"
        first.write_text(ris(*(f"Study {n}" for n in range(RECORDS))))
        imports.import_file(store, first, source_name="MEDLINE")
    finally:
        store.close()
    port = _free_port()
    command = [sys.executable, "-m", "realist", "--db", db_target, "--reviewer", "owner"]
    command += ["serve", "--port", str(port), "--no-browser", "--workers", "2"]
    log = (tmp_path / "serve.log").open("w")
    # A session of its own: the supervisor and its workers are stopped together below.
    process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not start"
            try:
                if httpx.get(f"{url}/api/session", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield url, db_target, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _client(url: str) -> httpx.Client:
    # No keep-alive: every request is a new connection, which either process may accept.
    return httpx.Client(base_url=url, headers={"Connection": "close"}, timeout=30)


def test_serve_with_two_workers_answers_from_both_and_keeps_every_decision(
    served: tuple[str, str, int], tmp_path: Path
) -> None:
    url, target, pid = served
    deadline = time.monotonic() + 60
    while len(_children(pid)) < 2:  # uvicorn's supervisor starts one process per worker
        assert time.monotonic() < deadline, "two worker processes never ran"
        time.sleep(0.2)
    with _client(url) as client:
        session = client.get("/api/session").json()
        assert session["reviewer"] == "owner"
        csrf = session["csrf_token"]  # the cookie made by one process, checked by either

        def decide(record_id: int) -> int:
            answer = client.post(
                "/api/screening/decisions",
                json={"record_id": record_id, "decision": "include"},
                headers={"X-CSRF-Token": csrf},
            )
            return answer.status_code

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(decide, range(1, RECORDS + 1)))
        assert statuses == [200] * RECORDS
        assert client.get("/api/screening").json()["progress"]["done"] == RECORDS

        # An import job started on one process, polled on a new connection each time.
        upload = ris(*(f"Later study {n}" for n in range(30)))
        started = client.post(
            "/records/import",
            files={"file": ("later.ris", upload.encode())},
            data={"csrf_token": csrf, "source": "Embase"},
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        job = started.headers["location"].rsplit("/", 1)[1]
        for _ in range(600):
            polled = client.get(f"/api/records/import/{job}")
            assert polled.status_code == 200, polled.text  # never "no such job"
            if polled.json()["done"]:
                break
            time.sleep(0.05)
        status = polled.json()
        assert status["error"] == "" and status["result"]["imported"] == 30
        listed = client.get("/api/records", params={"limit": 100})
        assert listed.status_code == 200 and listed.json()["total"] == RECORDS + 30
    store = open_store(target)
    try:
        with store.reading() as connection:
            per_record = connection.execute(
                sa.select(screening_decision.c.record_id, sa.func.count()).group_by(
                    screening_decision.c.record_id
                )
            ).all()
    finally:
        store.close()
    assert sorted(per_record) == [(n, 1) for n in range(1, RECORDS + 1)]
