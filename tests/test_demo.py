"""The bundled demo review checked against the paper it was transcribed from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from realist.demo import load_demo_files
from realist.services.check import check_review
from realist.services.demo import PAPER_KEY, open_demo
from realist.services.interventions import list_interventions
from realist.services.reviews import review_status
from realist.services.theories import list_theories
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo

SHARED_PAPER = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "mcleish-ayers-mccourt-2023-perinatal-peer-support-realist-review.txt"
)


def test_the_packaged_paper_is_the_reference_text() -> None:
    if not SHARED_PAPER.exists():
        pytest.skip("shared/reference is not beside this checkout")
    assert load_demo_files()["paper"] == SHARED_PAPER.read_bytes().decode("utf-8")


def test_documents_match_the_paper(demo_store: Store) -> None:
    status = review_status(demo_store)
    assert status.is_demo
    assert status.documents["included"] == 29
    assert status.documents["by_type"] == {
        "peer_reviewed_article": 23,
        "report": 3,
        "thesis": 3,
    }
    with demo_store.reading() as connection:
        refs = [d.reference_number for d in documents_repo.list_documents(connection) if d.included]
    assert refs == list(range(57, 86))


def test_interventions_match_table_2(demo_store: Store) -> None:
    interventions, documents = list_interventions(demo_store)
    assert [i.number for i in interventions] == list(range(1, 23))
    formats = Counter(i.attributes["format"] for i in interventions)
    assert formats == {
        "one_to_one_volunteer_in_person": 3,
        "one_to_one_paid_in_person": 1,
        "group_in_person": 11,
        "one_to_one_telephone": 6,
        "group_telephone": 1,
    }
    by_format = {
        f: sorted(i.number for i in interventions if i.attributes["format"] == f) for f in formats
    }
    assert by_format["one_to_one_volunteer_in_person"] == [2, 3, 20]
    assert by_format["one_to_one_paid_in_person"] == [21]
    assert by_format["group_in_person"] == [1, 4, 7, 8, 9, 10, 14, 15, 16, 17, 22]
    cited = [key for i in interventions for key in i.document_keys]
    assert len(cited) == len(set(cited)) == 29  # every included document, once
    assert {documents[k].reference_number for k in interventions[5].document_keys} == {
        64,
        65,
        66,
        67,
    }


def test_flow_counts_known_and_unknown(demo_store: Store) -> None:
    flow = review_status(demo_store).flow  # PRISMA2020 names; the demo's are translated
    assert flow["database_results"] == 5126
    assert flow["new_reports"] == 29
    assert flow["duplicates"] is None  # the paper does not say: unknown, not zero


def test_configurations_by_topic(demo_store: Store) -> None:
    views = list_theories(demo_store)
    by_topic = Counter(v.configuration.topic_key for v in views)
    assert by_topic["take_up"] == 13
    take_up = [v.configuration.identifier for v in views if v.configuration.topic_key == "take_up"]
    assert take_up == [str(n) for n in range(1, 14)]
    positive = [
        v.configuration.identifier for v in views if v.configuration.topic_key == "positive_impact"
    ]
    assert positive[0] == "14" and positive[-1] == "24"
    negative = [v for v in views if v.configuration.topic_key == "negative_impact"]
    supported = [v for v in negative if v.configuration.verdict.value == "supported"]  # type: ignore[union-attr]
    unsupported = [v for v in negative if v.as_json()["model_style"] == "struck"]
    assert len(supported) == 8 and len(unsupported) == 2
    assert all(v.evidence["supports"] == 0 for v in unsupported)
    assert all(v.evidence["excerpts"] > 0 for v in supported)


def test_search_and_criteria(demo_store: Store) -> None:
    with demo_store.reading() as connection:
        search = reviews_repo.get_search(connection)
        criteria = reviews_repo.list_criteria(connection)
    assert len(search.concept_blocks) == 3
    assert "Peer support*" in search.concept_blocks[2].terms
    assert {"CINAHL", "PubMed", "Scopus", "PsycInfo"} <= {s.name for s in search.sources}
    assert search.last_search == "2020-03"
    dimensions = {c.dimension for c in criteria}
    assert {"type_of_study", "population", "intervention", "setting"} <= dimensions
    assert any(c.kind.value == "exclusion" and c.text == "Review article" for c in criteria)


def test_every_excerpt_is_its_documents_text(demo_store: Store) -> None:
    with demo_store.reading() as connection:
        paper = documents_repo.get_document(connection, PAPER_KEY).text
        excerpts = coding_repo.list_excerpts(connection)
    assert paper == load_demo_files()["paper"]
    assert len(excerpts) >= 30
    for item in excerpts:
        assert paper[item.start : item.end] == item.text, item.label
        assert item.codings, item.label


def test_every_configuration_with_a_verdict_has_evidence_or_says_why(demo_store: Store) -> None:
    for view in list_theories(demo_store):
        c = view.configuration
        if view.evidence["excerpts"] == 0:
            assert c.verdict is None or c.verdict.value == "not_supported" or c.rationale


def test_check_reports_the_papers_own_inconsistencies(demo_store: Store) -> None:
    findings = check_review(demo_store)
    kinds = Counter(f.kind for f in findings)
    assert kinds["text_note"] >= 1
    messages = " ".join(f.message for f in findings)
    # The paper says 13 positive-impact configurations but numbers them 14-24.
    assert "configurations positive impact = 13" in messages
    assert not [f for f in findings if f.kind == "span"]


def test_reopening_the_demo_changes_nothing(demo_store: Store) -> None:
    before = review_status(demo_store)
    store, created = open_demo(demo_store.target)
    assert not created
    assert review_status(store) == before
    store.close()
