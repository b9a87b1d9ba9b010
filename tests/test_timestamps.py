"""Times are shown to people as "2 Dec 2026, 14:05 UTC"; only JSON carries ISO 8601."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from click.testing import CliRunner
from fastapi.testclient import TestClient

from realist.cli import cli
from realist.domain.timestamps import day_for_people, for_people
from realist.services.memos import write_memo
from realist.services.theories import edit_configuration
from realist.store import Store
from realist.web import WebConfig, create_app

RAW = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?")


def test_a_timestamp_reads_to_the_minute_in_utc() -> None:
    assert for_people("2026-12-02T14:05:09.123456+00:00") == "2 Dec 2026, 14:05 UTC"
    assert for_people("2026-12-02T15:05:09+01:00") == "2 Dec 2026, 14:05 UTC"
    plus_two = datetime(2027, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert for_people(plus_two) == "31 Dec 2026, 23:30 UTC"
    assert for_people(datetime(2026, 3, 4, 5, 6, tzinfo=UTC)) == "4 Mar 2026, 05:06 UTC"
    assert day_for_people("2026-12-02T14:05:09.5+00:00") == "2 Dec 2026"
    assert for_people(None) == "" and for_people("") == ""
    assert for_people("spring 2020") == "spring 2020"  # someone's words, kept


def _run(target: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_no_page_or_command_shows_a_raw_iso_timestamp(demo_store: Store) -> None:
    write_memo(demo_store, "1", "Check the volunteers' training", None)
    write_memo(demo_store, None, "A note on the whole review", None)
    edit_configuration(demo_store, "1", None, "clearer wording", title="Reaching mothers")
    target = demo_store.target
    outputs = {
        " ".join(args): _run(target, *args)
        for args in (
            ("theory", "1"),
            ("memo", "1"),
            ("memo",),
            ("status",),
            ("theories",),
            ("interventions",),
            ("documents",),
            ("check",),
            ("model",),
            ("report", "review"),
            ("report", "model", "--format", "md"),
            ("report", "rameses", "--format", "md"),
        )
    }
    assert "UTC" in outputs["theory 1"] and "UTC" in outputs["memo 1"]
    client = TestClient(
        create_app(WebConfig(target=target), store=demo_store), base_url="http://127.0.0.1:8765"
    )
    for path in ("/", "/theories", "/theories/1", "/theories/model", "/documents", "/reports",
                 "/records", "/screening", "/explore", "/accounts"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        outputs[path] = response.text
    assert "UTC" in outputs["/theories/1"]
    for where, text in outputs.items():
        assert not RAW.search(text), (where, RAW.search(text))
    # JSON keeps ISO 8601, to the microsecond.
    assert RAW.search(_run(target, "memo", "1", "--json"))
    assert RAW.search(client.get("/api/theories/1").text)
