"""MMAT 2018 for mixed methods studies: section 5's criteria and those of the qualitative
component and of one quantitative component, through the domain rules, the service and
store, the CLI, and every format of the MMAT and whole-review reports. Runs on SQLite and
(with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.domain.appraisal import MMATAnswer, MMATAppraisal
from realist.domain.documents import StudyDesign
from realist.errors import InvalidInput
from realist.services import documents
from realist.services.reporting import render_report
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.events import list_events

Y, N, C = MMATAnswer.YES, MMATAnswer.NO, MMATAnswer.CANT_TELL
MIXED = StudyDesign.MIXED_METHODS
QUAL, NRS, RCT = (
    StudyDesign.QUALITATIVE,
    StudyDesign.NON_RANDOMISED,
    StudyDesign.RANDOMISED_CONTROLLED_TRIAL,
)
FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def _mixed(**components: list[MMATAnswer]) -> MMATAppraisal:
    parts = {StudyDesign(k): v for k, v in components.items()}
    return MMATAppraisal("d", MIXED, [Y, Y], [Y, Y, N, Y, C], components=parts)


def test_a_mixed_methods_appraisal_needs_both_components() -> None:
    assert _mixed(qualitative=[Y] * 5, non_randomised=[Y, N, Y, C, Y]).problems() == []
    assert _mixed(qualitative=[Y] * 5).problems() == [
        "a mixed methods appraisal needs its quantitative component "
        "(randomised_controlled_trial, non_randomised or quantitative_descriptive)"
    ]
    assert _mixed(non_randomised=[Y] * 5).problems() == [
        "a mixed methods appraisal needs its qualitative component (1.1-1.5)"
    ]
    two = _mixed(qualitative=[Y] * 5, non_randomised=[Y] * 5, randomised_controlled_trial=[Y] * 5)
    assert two.problems() == [
        "a mixed methods study has one quantitative component, not "
        "randomised_controlled_trial and non_randomised"
    ]
    assert _mixed(qualitative=[Y] * 4, non_randomised=[Y] * 5).problems() == [
        "the qualitative component needs exactly five answers"
    ]
    assert "not mixed_methods" in _mixed(qualitative=[Y] * 5, mixed_methods=[Y] * 5).problems()[0]
    # Screening that stops the appraisal stops the components too.
    stopped = MMATAppraisal("d", MIXED, [Y, N], components={QUAL: [Y] * 5, NRS: [Y] * 5})
    assert stopped.problems()[0].startswith("MMAT criteria are only answered when both")
    # Components without section 5's own criteria are half an appraisal.
    half = MMATAppraisal("d", MIXED, [Y, Y], components={QUAL: [Y] * 5, NRS: [Y] * 5})
    assert half.problems() == ["answer the five mixed methods criteria (5.1-5.5) too"]
    # Only a mixed methods study has components; screening alone needs none.
    other = MMATAppraisal("d", QUAL, [Y, Y], [Y] * 5, components={QUAL: [Y] * 5})
    assert other.problems() == ["only a mixed methods study has components to appraise"]
    assert MMATAppraisal("d", MIXED, [Y, N]).problems() == []


@pytest.fixture
def review(db_target: str) -> Iterator[Store]:
    store = init_review(db_target, "MMAT", "ann")
    documents.attach_document(store, FIXTURES / "notes.md", key="hall-2019")
    yield store
    store.close()


def test_components_are_stored_read_back_and_logged(review: Store) -> None:
    documents.appraise_mmat(
        review, "hall-2019", MIXED, [Y, Y], [Y, Y, N, Y, C], "ann",
        components={NRS: [Y, N, Y, C, Y], QUAL: [Y, Y, Y, Y, N]},
    )  # fmt: skip
    (stored,) = documents.mmat_table(review)
    assert list(stored.components.items()) == [(QUAL, [Y, Y, Y, Y, N]), (NRS, [Y, N, Y, C, Y])]
    assert (stored.met, stored.component_met(QUAL), stored.component_met(NRS)) == (3, 4, 3)
    assert stored.quantitative_component is NRS
    with review.reading() as connection:
        event = [e for e in list_events(connection) if e.action == "document.appraised"][-1]
    assert event.detail == {
        "category": "mixed_methods", "met": 3, "components": {"qualitative": 4, "non_randomised": 3}
    }  # fmt: skip
    with pytest.raises(InvalidInput, match="needs its qualitative component"):
        documents.appraise_mmat(
            review, "hall-2019", MIXED, [Y, Y], [Y] * 5, "ann", components={RCT: [Y] * 5}
        )
    assert documents.mmat_table(review) == [stored]  # the refused one changed nothing


def _run(target: str, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args])
    assert (result.exit_code == 0) is ok, result.output
    # A RealistError reaches the caller as the exception (realist.cli.main prints it).
    return result.output + (str(result.exception) if result.exception else "")


def test_the_cli_appraises_components_and_shows_them(review: Store) -> None:
    target = review.target
    base = ("mmat", "hall-2019", "--category", "mixed_methods", "--screening", "y,y",
            "--criteria", "y,y,n,y,?")  # fmt: skip
    _run(target, *base, "--qualitative", "y,y,y,y,n", "--quantitative", "non_randomised:y,n,y,?,y")
    (row,) = json.loads(_run(target, "mmat", "--json"))
    assert row["components"] == {
        "qualitative": {"answers": ["yes", "yes", "yes", "yes", "no"], "met": 4},
        "non_randomised": {"answers": ["yes", "no", "yes", "cant_tell", "yes"], "met": 3},
    }
    table = _run(target, "mmat")
    assert "└ qualitative component" in table and "└ non_randomised component" in table
    assert "4/5" in table
    # MMAT's section numbers name the quantitative category too.
    _run(target, *base, "--qualitative", "y,y,y,y,y", "--quantitative", "4:y,y,y,y,y")
    (row,) = json.loads(_run(target, "mmat", "--json"))
    assert list(row["components"]) == ["qualitative", "quantitative_descriptive"]
    bad = _run(target, *base, "--qualitative", "y,y,y,y,y", "--quantitative", "y,y,y,y,y", ok=False)
    assert "--quantitative is CATEGORY:ANSWERS" in bad
    missing = _run(target, *base, "--qualitative", "y,y,y,y,y", ok=False)
    assert "needs its quantitative component" in missing
    assert "mixed_methods --screening y,y" in _run(target, "mmat", "--help")


def test_every_report_format_shows_the_components(review: Store) -> None:
    documents.appraise_mmat(
        review, "hall-2019", MIXED, [Y, Y], [Y, Y, N, Y, C], "ann",
        components={QUAL: [Y, Y, Y, Y, N], RCT: [N, N, Y, C, Y]},
    )  # fmt: skip
    text = render_report(review, "mmat", "csv").content
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Category"], r["Met"]) for r in rows] == [
        ("mixed methods", "3"),
        ("mixed methods: qualitative component", "4"),
        ("mixed methods: randomised controlled trial component", "2"),
    ]
    assert [rows[2][str(n)] for n in range(1, 6)] == ["No", "No", "Yes", "Can't tell", "Yes"]
    for fmt in ("html", "md", "json"):
        shown = render_report(review, "mmat", fmt).content
        assert isinstance(shown, str)
        assert "randomised controlled trial component" in shown, fmt
        if fmt != "json":  # the questions follow the table in documents
            # Markdown escapes a number at the start of a line ("2\.1.") so it is no list.
            plain = shown.replace("\\", "") if fmt == "md" else shown
            assert "2.1. Is randomization appropriately performed?" in plain, fmt
    book = render_report(review, "mmat", "xlsx").content
    assert isinstance(book, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "mixed methods: qualitative component" in cells
    docx = render_report(review, "mmat", "docx").content
    assert isinstance(docx, bytes)
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        body = archive.read("word/document.xml").decode()
    assert "mixed methods: randomised controlled trial component" in body
    whole = render_report(review, "review", "html").content
    assert isinstance(whole, str) and "mixed methods: qualitative component" in whole
