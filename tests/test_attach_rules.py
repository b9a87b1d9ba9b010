"""Attaching full texts never overwrites another paper's text and never counts a document
that screening excluded (issue 10, section 2). SQLite, and PostgreSQL when its URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from realist.domain.documents import DocumentStatus
from realist.domain.screening import Decision, ScreeningMode, Stage
from realist.errors import InvalidInput
from realist.services import dedup, screening
from realist.services.check import check_review
from realist.services.counts import review_counts
from realist.services.documents import attach_document, list_documents, show_document
from realist.services.imports import import_file
from realist.services.reviews import init_review
from realist.store import Store

RIS = """TY  - JOUR
AU  - Thapa, Sunil
AU  - Lee, Min
TI  - Home visits by community health workers for hypertension: part 1
PY  - 2020
DO  - 10.1000/part1
ER  -

TY  - JOUR
AU  - Thapa, Sunil
TI  - Home visits by community health workers for hypertension: part 2, outcomes
PY  - 2020
DO  - 10.1000/part2
ER  -

TY  - JOUR
AU  - Okafor, Ada
TI  - Blood pressure self-monitoring in rural clinics
PY  - 2019
DO  - 10.1000/other
ER  -

TY  - JOUR
AU  - Okafor, Ada
TI  - Blood pressure self-monitoring in rural clinics
PY  - 2019
DO  - 10.1000/other
ER  -
"""


def _texts(tmp_path: Path) -> tuple[Path, Path, Path]:
    one = tmp_path / "part1.md"
    one.write_text("# Part 1\n\nHome visits lowered systolic pressure in the first year.\n")
    two = tmp_path / "part2.md"
    two.write_text("# Part 2\n\nOutcomes at two years: adherence fell when visits stopped.\n")
    three = tmp_path / "okafor.txt"
    three.write_text("Self-monitoring in rural clinics.\n")
    return one, two, three


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Store:
    store = init_review(db_target, "Hypertension", "ann")
    exports = tmp_path / "pubmed.ris"
    exports.write_text(RIS)
    import_file(store, exports, source_name="PubMed", reviewer="ann")
    return store


def test_default_keys_are_first_author_and_year_and_never_reuse_a_document(
    review: Store, tmp_path: Path
) -> None:
    one, two, _ = _texts(tmp_path)
    first = attach_document(review, one, record_id=1, reviewer="ann")
    second = attach_document(review, two, record_id=2, reviewer="ann")
    # Part 2 shares Part 1's first author and year: a new document, not "version 2".
    assert (first.key, first.version) == ("thapa-2020", 1)
    assert (second.key, second.version) == ("thapa-2020b", 1)
    assert show_document(review, "thapa-2020").document.text.startswith("# Part 1")
    assert show_document(review, "thapa-2020b").document.text.startswith("# Part 2")
    # Attaching to the same record again is a new version of *its* document.
    again = attach_document(review, one, record_id=2, reviewer="ann")
    assert (again.key, again.version) == ("thapa-2020b", 2)
    # Without a record or key, a file never becomes a version of anything.
    loose = attach_document(review, one, reviewer="ann")
    assert loose.version == 1 and loose.key not in ("thapa-2020", "thapa-2020b")


def test_a_key_of_another_records_document_is_refused(review: Store, tmp_path: Path) -> None:
    one, two, _ = _texts(tmp_path)
    attach_document(review, one, record_id=1, reviewer="ann")
    with pytest.raises(InvalidInput, match="full text of record 1, not of record 2"):
        attach_document(review, two, record_id=2, key="thapa-2020", reviewer="ann")
    with pytest.raises(InvalidInput, match="already has a full text, 'thapa-2020'"):
        attach_document(review, two, record_id=1, key="new-key", reviewer="ann")
    with pytest.raises(InvalidInput, match="not a usable document key"):
        attach_document(review, two, key="a/b", reviewer="ann")
    assert show_document(review, "thapa-2020").versions == 1


def test_a_merged_duplicate_cannot_take_a_full_text(review: Store, tmp_path: Path) -> None:
    _, _, three = _texts(tmp_path)
    dedup.deduplicate(review, "ann")
    with pytest.raises(
        InvalidInput, match="duplicate of record 3: attach the full text to record 3"
    ):
        attach_document(review, three, record_id=4, reviewer="ann")
    assert list_documents(review) == []


def test_excluded_records_need_an_override_and_do_not_count(review: Store, tmp_path: Path) -> None:
    one, two, three = _texts(tmp_path)
    screening.add_criterion(review, "E1", "population", screening.CriterionKind.EXCLUSION,
                            "Not hypertension", "ann")  # fmt: skip
    screening.screen(review, 1, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "ann")
    with pytest.raises(InvalidInput, match="excluded at title and abstract"):
        attach_document(review, one, record_id=1, reviewer="ann")
    kept = attach_document(review, one, record_id=1, reviewer="ann", override="screening error")
    docs = {d.key: d for d in list_documents(review)}
    assert docs[kept.key].status is DocumentStatus.EXCLUDED
    assert docs[kept.key].inclusion_override == "screening error"
    # check no longer says "No problems found": the override is shown.
    shown = [f.message for f in check_review(review) if f.kind == "document"]
    assert shown == [
        f"document {kept.key} belongs to record 1, which screening excluded: kept, not counted "
        "as included (override: screening error)"
    ]
    # Included counts follow screening: awaiting a full-text decision is not included yet.
    screening.screen(review, 2, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    waiting = attach_document(review, two, record_id=2, reviewer="ann")
    assert review_counts(review).included_documents == []
    screening.screen(review, 2, Stage.FULL_TEXT, Decision.INCLUDE, "ann")
    counts = review_counts(review)
    assert [d.key for d in counts.included_documents] == [waiting.key]
    assert counts.flow.new_reports == 1
    # Excluded at full text, and recorded as not retrieved, are refused alike.
    screening.screen(review, 3, Stage.TITLE_ABSTRACT, Decision.MAYBE, "ann")
    screening.screen(review, 3, Stage.FULL_TEXT, Decision.NOT_RETRIEVED, "ann")
    with pytest.raises(InvalidInput, match="not retrieved"):
        attach_document(review, three, record_id=3, reviewer="ann")


def test_a_full_text_decision_can_be_changed_and_not_retrieved_counts(review: Store) -> None:
    screening.set_screening_mode(review, ScreeningMode.SINGLE, "ann")
    screening.screen(review, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "ann")
    screening.screen(review, 1, Stage.FULL_TEXT, Decision.NOT_RETRIEVED, "ann")
    assert review_counts(review).flow.dbr_notretrieved_reports == 1
    changed = screening.decide(review, 1, Stage.FULL_TEXT, Decision.INCLUDE, "ann")
    assert changed.previous is not None and changed.previous.decision is Decision.NOT_RETRIEVED
    flow = review_counts(review).flow
    assert (flow.dbr_notretrieved_reports, flow.dbr_assessed, flow.new_reports) == (0, 1, 1)
    with pytest.raises(InvalidInput, match="only a full text can be recorded as not retrieved"):
        screening.screen(review, 2, Stage.TITLE_ABSTRACT, Decision.NOT_RETRIEVED, "ann")
