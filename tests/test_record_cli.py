"""`realist import`, `realist dedup` and `realist prisma` as a reviewer uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.services.reviews import init_review

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def run(target: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_import_dedup_screen_and_prisma(db_target: str, tmp_path: Path) -> None:
    init_review(db_target, "t", "ann").close()
    out = run(
        db_target,
        "import",
        str(FIXTURES / "scopus.ris"),
        str(FIXTURES / "pubmed.nbib"),
        "--searched",
        "2020-03",
    )
    assert "scopus.ris (ris, source scopus): 2 imported, 0 problems" in out
    assert "pubmed.nbib (medline" in out
    again = json.loads(run(db_target, "import", str(FIXTURES / "scopus.ris"), "--json"))
    assert again[0]["skipped"].startswith("already imported")
    problems = json.loads(run(db_target, "import", str(FIXTURES / "no_title.ris"), "--json"))
    assert problems[0]["problem_count"] >= 1 and problems[0]["problems"][0]["line"] >= 1

    dedup = json.loads(run(db_target, "dedup", "--json"))
    assert set(dedup) == {"considered", "merged_groups", "merged_records", "queued_pairs",
                          "merge_errata", "kept_apart", "answered"}  # fmt: skip
    assert "pairs are waiting" in run(db_target, "dedup", "--review") or "Group" in run(
        db_target, "dedup", "--review"
    )

    run(
        db_target,
        "criteria",
        "--add",
        "E-POP",
        "--dimension",
        "population",
        "--text",
        "Not perinatal",
    )
    standing = [str(r["id"]) for r in json.loads(run(db_target, "records", "--json"))]
    first, second = standing[0], standing[1]
    run(db_target, "screen", "--record", first, "--decide", "include")
    run(db_target, "screen", "--record", second, "--decide", "exclude", "--reason", "E-POP")
    full_text = ("screen", "--stage", "full-text", "--record", first, "--decide", "exclude")
    run(db_target, *full_text, "--reason", "E-POP")
    counts = json.loads(run(db_target, "prisma", "--json"))["counts"]
    assert counts["database_specific_results"]["scopus"] == 2
    assert counts["duplicates"] == dedup["merged_records"]
    # Every standing record goes to screening; the two not decided yet still wait.
    assert counts["records_screened"] == len(standing) == 4
    assert counts["records_excluded"] == 1 and counts["records_awaiting"] == 2
    assert counts["dbr_sought_reports"] == 1 and counts["dbr_assessed"] == 1
    assert counts["dbr_excluded"] == {"Not perinatal": 1}
    assert counts["organisation_results"] is None  # unknown, not zero
    run(db_target, "prisma", "--set", "organisation_results=3")
    svg, csv = tmp_path / "p.svg", tmp_path / "p.csv"
    run(db_target, "prisma", "--svg", str(svg), "--csv", str(csv))
    assert "Not perinatal" in svg.read_text(encoding="utf-8")
    assert "organisation_results" in csv.read_text(encoding="utf-8")


def test_import_and_dedup_summaries_count_in_words(db_target: str, tmp_path: Path) -> None:
    init_review(db_target, "t", "ann").close()
    cut = tmp_path / "cut.ris"  # two records, the second cut off: one problem
    cut.write_text("TY  - JOUR\nTI  - Alpha\nDO  - 10.1000/a\nER  - \n\nTY  - JOUR\nTI  - Beta\n")
    out = " ".join(run(db_target, "import", str(cut)).split())
    assert "cut.ris (ris, source cut): 2 imported, 1 problem, 0 possible duplicates" in out
    again = tmp_path / "again.ris"  # the first record again
    again.write_text("TY  - JOUR\nTI  - Alpha\nDO  - 10.1000/a\nER  - \n")
    out = " ".join(run(db_target, "import", str(again)).split())
    assert "1 imported, 0 problems, 1 possible duplicate " in out
    out = " ".join(run(db_target, "dedup").split())
    assert "Compared 3 records: merged 1 duplicate in 1 group; 0 uncertain pairs queued" in out


def test_import_errors_are_one_line(db_target: str) -> None:
    init_review(db_target, "t", "ann").close()
    result = CliRunner().invoke(cli, ["--db", db_target, "import", str(FIXTURES / "binary.ris")])
    assert result.exit_code != 0
    assert "binary.ris" in str(result.exception)


def test_dedup_says_when_the_errata_setting_keeps_a_pair_apart(
    db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REALIST_DEDUP_MERGE_ERRATA", raising=False)
    init_review(db_target, "t", "ann").close()
    title = "Peer support for postnatal depression among women at high risk"
    export = tmp_path / "errata.ris"
    export.write_text(
        f"TY  - JOUR\nAU  - Dennis, Cindy-Lee\nAU  - Hodnett, Ellen\nTI  - {title}\n"
        "PY  - 2009\nJO  - BMJ\nVL  - 338\nSP  - 101\nEP  - 109\nER  - \n\n"
        f"TY  - JOUR\nAU  - Dennis, Cindy-Lee\nAU  - Hodnett, Ellen\nTI  - Erratum to: {title}"
        "\nPY  - 2010\nJO  - BMJ\nVL  - 340\nSP  - 12\nER  - \n"
    )
    run(db_target, "import", str(export))
    out = " ".join(run(db_target, "dedup").split())
    assert "1 uncertain pair queued" in out
    assert "kept apart by the setting dedup_merge_errata (off)" in out
    queue = json.loads(run(db_target, "dedup", "--review", "--json"))
    assert [(q["kept_apart"], q["reason"]) for q in queue] == [
        (True, "erratum of this article: kept apart by setting dedup_merge_errata")
    ]
    review = " ".join(run(db_target, "dedup", "--review").split())
    assert "REALIST_DEDUP_MERGE_ERRATA=1" in review
