"""Fixtures for the web app, called in-process (no server, no browser).

``web_review`` is a small review made the way a reviewer would make it: an owner, a
reviewer and a viewer with passwords, criteria and highlight terms, and a RIS file of
records imported through the services, one of them titled with a ``<script>`` tag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.domain.review import ReviewerRole
from realist.domain.screening import CriterionKind
from realist.services import accounts, imports, screening
from realist.services.reviews import init_review
from realist.store import Store
from realist.web import WebConfig, create_app
from web.kit import LOCAL, PASSWORD, SCRIPT, ris


@pytest.fixture
def web_review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    store = init_review(db_target, "Web review", "owner")
    accounts.add_account(store, "owner", PASSWORD)
    accounts.add_account(store, "bob", PASSWORD, role=ReviewerRole.REVIEWER)
    accounts.add_account(store, "vic", PASSWORD, role=ReviewerRole.VIEWER)
    screening.add_criterion(
        store, "E-POP", "population", CriterionKind.EXCLUSION, "Not perinatal", "owner"
    )
    screening.add_highlight_terms(store, ["peer*", "script"], CriterionKind.INCLUSION, "owner")
    path = tmp_path / "search.ris"
    path.write_text(ris(f"Trial {SCRIPT} of peer support", "Second study", "Third study"))
    imports.import_file(store, path, source_name="Scopus")
    yield store
    store.close()


Client = Callable[..., TestClient]


@pytest.fixture
def client_for(web_review: Store) -> Iterator[Client]:
    """Make a client: local (acting as ``reviewer``, default the owner) or shared."""
    made: list[TestClient] = []

    def make(
        reviewer: str | None = None, *, local: bool = True, store: Store | None = None
    ) -> TestClient:
        target = store or web_review
        if local:
            config = WebConfig(target=target.target, reviewer=reviewer)
        else:  # shared, as `serve --host 0.0.0.0 --allow-http` (the test client speaks HTTP)
            config = WebConfig(target=target.target, local=False, allowed_hosts=("*",))
        client = TestClient(create_app(config, store=target), base_url=LOCAL)
        made.append(client)
        return client

    yield make
    for client in made:
        # An import a test started must end before the review's database goes.
        assert client.app.state.jobs.wait(timeout=60.0), "an import job is still running"
        client.close()
