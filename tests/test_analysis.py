"""Theory testing, the final model and the queries, on the demo review."""

from __future__ import annotations

import itertools

import pytest

from realist.domain.appraisal import Grade
from realist.domain.coding import Stance
from realist.domain.model import derive_model
from realist.domain.testing import EvidenceItem, VerdictRule, contested, propose_verdict
from realist.domain.theory import CMOConfiguration, ModelStyle, Origin, Topic, Verdict
from realist.errors import InvalidInput
from realist.reports.model import render_html, render_markdown, render_text
from realist.services import queries
from realist.services.model import final_model
from realist.services.testing import set_verdict, weigh_evidence
from realist.store import Store

S, R, F = Stance.SUPPORTS, Stance.REFUTES, Stance.REFINES
H, M, L = Grade.HIGH, Grade.MODERATE, Grade.LOW


_IDS = itertools.count(1)


def item(stance: Stance, rigour: Grade | None, excerpt: int | None = None) -> EvidenceItem:
    """One excerpt's stance; each a different excerpt unless ``excerpt`` names one."""
    return EvidenceItem(excerpt or next(_IDS), stance, None, rigour)


def test_verdict_rules() -> None:
    rule = VerdictRule()  # at least moderate support, high refutation blocks
    untested = propose_verdict([], rule)  # no evidence: nothing to judge, not "refuted"
    assert untested.verdict is None and untested.reason == "untested: no evidence coded"
    assert propose_verdict([item(S, L)], rule).verdict is Verdict.NOT_SUPPORTED
    assert propose_verdict([item(S, M)], rule).verdict is Verdict.SUPPORTED
    assert propose_verdict([item(S, H), item(R, M)], rule).verdict is Verdict.SUPPORTED
    assert propose_verdict([item(S, H), item(R, H)], rule).verdict is Verdict.NOT_SUPPORTED
    assert propose_verdict([item(S, H), item(F, M)], rule).verdict is Verdict.REFINED
    lenient = VerdictRule(min_support_rigour=None)
    assert propose_verdict([item(S, None)], lenient).verdict is Verdict.SUPPORTED
    assert "at least one supporting excerpt and" in lenient.describe()


def test_opposite_stances_on_one_excerpt_are_set_aside_not_pooled() -> None:
    rule = VerdictRule()
    # Excerpt 7 supports (one coder) and refutes (another) at high rigour: pooled, the
    # refutation would block; set aside, the other supporting excerpt decides, and says so.
    evidence = [item(S, H, 7), item(R, H, 7), item(S, M, 8)]
    assert contested(evidence) == [7]
    proposal = propose_verdict(evidence, rule)
    assert proposal.verdict is Verdict.SUPPORTED
    assert "1 excerpt(s) coded with opposite stances set aside" in proposal.reason
    only = propose_verdict([item(S, H, 9), item(R, M, 9)], rule)
    assert only.verdict is Verdict.NOT_SUPPORTED and "disputed" in only.reason
    assert contested([item(S, H, 3), item(F, H, 3)]) == []  # refining is not opposite


def test_derived_model_styles() -> None:
    topic = Topic("t", "Topic")
    new, yes, no = Origin.INDUCTIVE, Verdict.SUPPORTED, Verdict.NOT_SUPPORTED
    configs = [
        CMOConfiguration("1", "t", statement="kept", verdict=yes),
        CMOConfiguration("2", "t", statement="no evidence", verdict=no),
        CMOConfiguration("3", "t", statement="found", origin=new, verdict=yes),
        CMOConfiguration("4", "t", statement="idea", origin=new, verdict=no),
    ]
    model = derive_model([topic], configs, [], {"1": {"supports": 2, "excerpts": 2}})
    assert [(e.identifier, e.style, e.text, e.status) for e in model.entries()] == [
        ("1", ModelStyle.NORMAL, "kept", "supported: 2 supporting excerpts"),
        ("2", ModelStyle.STRUCK, "no evidence", "not supported: no evidence coded"),
        ("3", ModelStyle.NEW, "FOUND", "supported: no evidence coded"),
    ]
    assert "<del>no evidence</del>" in render_html(model)
    assert "~~no evidence~~" in render_markdown(model)
    assert "n\u0336o\u0336" in render_text(model)


def test_demo_model_strikes_the_two_hypothesised_negatives(demo_store: Store) -> None:
    model = final_model(demo_store)
    struck = [e.identifier for e in model.entries() if e.style is ModelStyle.STRUCK]
    assert struck == ["NH1", "NH2"]
    assert model.count(ModelStyle.NORMAL) == 32
    html = render_html(model)
    assert html.count("<del>") == 2
    assert [s.topic.key for s in model.sections] == [
        "take_up",
        "positive_impact",
        "negative_impact",
    ]


def test_demo_testing_and_verdict_history(demo_store: Store) -> None:
    tested = {t.configuration.identifier: t for t in weigh_evidence(demo_store)}
    assert tested["NH1"].proposal.verdict is Verdict.NOT_SUPPORTED
    assert tested["1"].proposal.verdict is Verdict.SUPPORTED  # demo rule: any support counts
    assert tested["1"].summary.documents == ["mcleish-2023"]
    with pytest.raises(InvalidInput, match="rationale"):
        set_verdict(demo_store, "N8", "cm", " ")
    after = set_verdict(
        demo_store, "N8", "cm", "only one mother reported it", Verdict.NOT_SUPPORTED
    )
    assert after.configuration.verdict is Verdict.NOT_SUPPORTED
    assert after.configuration.rationale == "only one mother reported it"
    struck = [
        e.identifier for e in final_model(demo_store).entries() if e.style is ModelStyle.STRUCK
    ]
    assert struck == ["N8", "NH1", "NH2"]


def test_applies_to_telephone_support(demo_store: Store) -> None:
    found = queries.applies(demo_store, "telephone, volunteers, mother prefers anonymity")
    top = [a.configuration.identifier for a in found[:4]]
    assert {"11", "12"} <= set(top)  # take-up: the format of the support
    assert {"21", "22"} & set(top)  # relationships with volunteers
    assert all(a.evidence for a in found[:4])
    assert any(a.risk for a in found)  # negative configurations come back as risks
    with pytest.raises(InvalidInput):
        queries.applies(demo_store, "the and of")


def test_search_jumps_to_the_span(demo_store: Store) -> None:
    results = queries.search(demo_store, "loneliness")
    assert {r.kind for r in results} == {"document", "excerpt"}
    doc = next(r for r in results if r.kind == "document")
    assert doc.document_key == "mcleish-2023" and doc.end - doc.start == len("loneliness")
    with pytest.raises(InvalidInput):
        queries.search(demo_store, "  ")


def test_matrix_rejects_unknown_dimensions(demo_store: Store) -> None:
    with pytest.raises(InvalidInput, match="unknown matrix dimension"):
        queries.matrix(demo_store, "colour")
    with pytest.raises(InvalidInput, match="no intervention has an attribute 'colour'"):
        queries.matrix(demo_store, "attribute:colour")
    by_design = queries.matrix(demo_store, "document:document_type")
    assert by_design.columns == ["peer_reviewed_article"]
    assert by_design.count("1", "peer_reviewed_article") == 3


def test_matrix_by_format_separates_group_from_one_to_one(demo_store: Store) -> None:
    found = queries.matrix(demo_store, "attribute:format")
    group = set(found.rows_with("group_in_person"))
    one_to_one = set(found.rows_with("one_to_one_telephone")) | set(
        found.rows_with("one_to_one_volunteer_in_person")
    )
    assert {"23", "24", "20"} <= group - one_to_one  # benefits of attending a group
    assert "13" in one_to_one - group  # the use of volunteers, one-to-one
    assert found.count("N1", "one_to_one_telephone") == 3


def test_matrix_cells_list_their_excerpts(demo_store: Store) -> None:
    found = queries.matrix(demo_store, "attribute:format")
    ids = queries.matrix_cell(demo_store, "attribute:format", "N1", "one_to_one_telephone")
    assert len(ids) == found.count("N1", "one_to_one_telephone") == 3
    by_number = queries.matrix(demo_store, "intervention")
    assert "#12" in by_number.columns
    assert queries.matrix_cell(demo_store, "intervention", "N1", "#12")


def test_matrix_by_study_design_counts_unknown_designs(demo_store: Store) -> None:
    found = queries.matrix(demo_store, "document:study_design")
    assert found.columns == ["unknown"]  # the paper itself has no study design
    assert found.count("1", "unknown") == 3
