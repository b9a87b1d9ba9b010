"""The dashboard's stopping panel and recall curve: the same figures as `realist status`."""

from __future__ import annotations

from realist.domain.screening import Decision, Stage
from realist.services import screening
from realist.store import Store
from web.conftest import Client


def test_the_dashboard_shows_the_stopping_rule_and_the_recall_curve(
    web_review: Store, client_for: Client
) -> None:
    client = client_for()
    assert "when screening may stop" not in client.get("/").text  # nothing screened yet
    screening.screen(web_review, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "owner")
    screening.screen(web_review, 2, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "owner", "E-POP")
    page = client.get("/").text
    assert "when screening may stop" in page
    assert "<strong>1</strong> relevant found in <strong>2</strong>" in page
    assert "Not yet: the test cannot say with 95% confidence" in page
    stopping = client.get("/api/dashboard").json()["status"]["stopping"]
    assert stopping["screened"] == 2 and stopping["relevant_found"] == 1
    assert stopping["total"] == 3 and stopping["may_stop"] is False
    svg = client.get("/api/screening/recall.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<svg") and "Relevant records found" in svg.text
