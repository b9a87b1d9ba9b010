"""Fixtures for the report tests: the demo review, and the demo with hostile and new data."""

from __future__ import annotations

import pytest
from report_helpers import NEW_TITLE, SCRIPT

from realist.domain.theory import MechanismKind, Verdict
from realist.services.coding import code_excerpt, create_configuration, create_excerpt
from realist.services.interventions import set_intervention
from realist.services.testing import set_verdict
from realist.store import Store


@pytest.fixture
def hostile_store(demo_store: Store) -> Store:
    """The demo plus an inductive (NEW) configuration, supported by an excerpt, whose text
    carries ``<script>``, and an intervention whose name and attribute do too."""
    create_configuration(
        demo_store,
        "X1",
        "take_up",
        "jm",
        title=NEW_TITLE,
        statement=f"If {SCRIPT}, then she feels safe.",
        contexts=[f"a mother who prefers {SCRIPT}"],
        mechanisms=[("she feels <b>safe</b> to disclose", MechanismKind.REASONING)],
        outcomes=['=HYPERLINK("http://evil")'],
    )
    excerpt = create_excerpt(demo_store, "mcleish-2023", 100, 180, "jm", interventions=[2])
    assert excerpt.id is not None
    code_excerpt(demo_store, excerpt.id, "X1", "jm")
    set_verdict(demo_store, "X1", "jm", "the evidence bears it out", Verdict.SUPPORTED)
    set_intervention(demo_store, 23, "jm", name=SCRIPT, attributes={"format": f"x {SCRIPT}"})
    return demo_store
