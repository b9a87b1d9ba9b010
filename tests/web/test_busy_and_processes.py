"""The web app on a busy review and beside other server processes: a request that cannot
get the write lock in time is a 503 with Retry-After (never a 500), import jobs are seen
by every process, and the app factory reads its configuration from the environment."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.errors import InvalidInput
from realist.services import import_jobs
from realist.services.reviews import init_review
from realist.store import Store, open_store
from realist.store.processes import this_process
from realist.store.schema import JobState, import_job
from realist.web import WebConfig, create_app
from realist.web.app import SWITCH_INTERVAL_SECONDS
from realist.web.asgi import config_from_env, create_app_from_env
from test_concurrency import write_lock_held
from web.kit import LOCAL, ris, token

HTMX = {"HX-Request": "true"}


@pytest.fixture
def impatient(web_review: Store) -> Iterator[TestClient]:
    """A local client whose server waits 0.3 s for the write lock."""
    store = open_store(web_review.target, lock_wait=0.3)
    config = WebConfig(target=store.target, lock_wait=0.3)
    with TestClient(create_app(config, store=store), base_url=LOCAL) as client:
        yield client
    store.close()


def test_a_decision_that_cannot_get_the_lock_is_503_in_every_form(
    impatient: TestClient, web_review: Store
) -> None:
    """Before: SQLite's "database is locked" after 30 s was an HTTP 500."""
    csrf = token(impatient)
    with write_lock_held(web_review.target):
        api = impatient.post(
            "/api/screening/decisions",
            json={"record_id": 1, "decision": "include"},
            headers={"X-CSRF-Token": csrf},
        )
        form = {
            "record_id": "1",
            "stage": "title_abstract",
            "decision": "include",
            "csrf_token": csrf,
        }
        fragment = impatient.post("/screening/decide", data=form, headers=HTMX)
        page = impatient.post("/screening/decide", data=form)
    for answer in (api, fragment, page):
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["Retry-After"]) > 0
    assert "busy with another change" in api.json()["error"]
    assert fragment.headers["HX-Retarget"] == "#messages"
    assert "nothing was changed" in fragment.text
    assert "<html" in page.text and "Busy, nothing was changed" in page.text
    # Nothing was decided; once the other writer is done, the same request works.
    assert impatient.get("/api/screening").json()["progress"]["done"] == 0
    again = impatient.post(
        "/api/screening/decisions",
        json={"record_id": 1, "decision": "include"},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.status_code == 200, again.text


def _wait_done(client: TestClient, job: str) -> dict[str, object]:
    for _ in range(200):
        status = client.get(f"/api/records/import/{job}").json()
        if status["done"]:
            return dict(status)
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_an_import_job_is_seen_by_every_server_process(web_review: Store, tmp_path: Path) -> None:
    """Two apps on one review stand for two worker processes: the job started through one
    is followed through the other (before: jobs lived in one process's memory, 404)."""
    other = open_store(web_review.target)
    config = WebConfig(target=web_review.target)
    with (
        TestClient(create_app(config, store=web_review), base_url=LOCAL) as first,
        TestClient(create_app(config, store=other), base_url=LOCAL) as second,
    ):
        started = first.post(
            "/records/import",
            files={"file": ("more.ris", ris("Fourth study", "Fifth study").encode())},
            data={"csrf_token": token(first), "source": "Embase"},
            follow_redirects=False,
        )
        assert started.status_code == 303, started.text
        job = started.headers["location"].rsplit("/", 1)[1]
        status = _wait_done(second, job)
        assert status["error"] == ""
        assert status["result"]["imported"] == 2  # type: ignore[index]
        assert "Imported <strong>2</strong> records" in second.get(f"/records/import/{job}").text
    other.close()


def _running_job(store: Store, owner: str) -> str:
    with store.transaction() as connection:
        connection.execute(
            import_job.insert().values(
                id="orphan",
                filename="big.ris",
                reviewer="owner",
                state=JobState.RUNNING,
                records=1200,
                error="",
                owner=owner,
                created_at="2026-12-01T00:00:00+00:00",
                heartbeat_at="2026-12-01T00:00:00+00:00",
            )
        )
    return "orphan"


def test_a_job_whose_process_died_is_failed_at_start_up(web_review: Store) -> None:
    dead = this_process().rsplit("/", 2)[0] + "/999999999/"
    _running_job(web_review, dead)
    live = import_jobs.start_job(web_review, "live.ris", "owner")  # this process's
    app = create_app(WebConfig(target=web_review.target), store=web_review)
    with TestClient(app, base_url=LOCAL) as client:
        status = client.get("/api/records/import/orphan").json()
    assert status["done"] and "stopped before it finished" in status["error"]
    still = import_jobs.get_job(web_review, live)
    assert still is not None and still.state is JobState.RUNNING


def test_a_job_of_another_host_is_failed_once_it_has_made_no_progress_for_long(
    web_review: Store,
) -> None:
    _running_job(web_review, "elsewhere/1/4242/99")  # heartbeat days ago
    found = import_jobs.get_job(web_review, "orphan")
    assert found is not None and found.state is JobState.FAILED


def test_the_app_factory_reads_the_environment(
    web_review: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REALIST_DATABASE_URL", web_review.target)
    monkeypatch.delenv("REALIST_HOST", raising=False)
    monkeypatch.setenv("REALIST_ALLOWED_HOSTS", "review.example.org, 127.0.0.1")
    monkeypatch.setenv("REALIST_LOCK_WAIT", "4")
    config = config_from_env()
    assert not config.local  # no REALIST_HOST: shared, sign-in required
    assert config.secure_cookies
    assert config.allowed_hosts == ("review.example.org", "127.0.0.1")
    assert config.lock_wait == 4
    monkeypatch.setenv("REALIST_ALLOW_HTTP", "1")
    assert not config_from_env().secure_cookies
    monkeypatch.setenv("REALIST_HOST", "127.0.0.1")
    monkeypatch.setenv("REALIST_REVIEWER", "bob")
    local = config_from_env()
    assert local.local and local.reviewer == "bob"
    default = sys.getswitchinterval()
    try:
        app = create_app_from_env()
        # A server process hands the GIL over often (realist.web.app.SWITCH_INTERVAL_SECONDS):
        # with 50 reviewers the wait for it was a third of a decision's time.
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_SECONDS)
        with TestClient(app, base_url=LOCAL) as client:
            assert client.get("/api/session").json()["reviewer"] == "bob"
    finally:
        sys.setswitchinterval(default)


def test_the_app_factory_refuses_a_shared_server_without_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_target: str
) -> None:
    init_review(db_target, "No accounts", "ann").close()
    monkeypatch.setenv("REALIST_DATABASE_URL", db_target)
    monkeypatch.setenv("REALIST_HOST", "0.0.0.0")
    with pytest.raises(InvalidInput, match="needs accounts"):
        create_app_from_env()
