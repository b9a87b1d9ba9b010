"""`realist report`: formats from -o, binary formats need a file, options by report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from realist.cli import cli
from realist.store import Store


def _run(store: Store, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", store.url.render_as_string(False), *args])
    return result.exit_code, result.output


def test_text_reports_go_to_stdout(demo_store: Store) -> None:
    code, out = _run(demo_store, "report", "model", "--format", "md")
    assert code == 0
    assert out.startswith("# Final theoretical model")
    assert "~~Peers sharing unhelpful ideas~~" in out
    code, out = _run(demo_store, "report", "intervention-summary", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["interventions"] == 22
    assert data["sentences"][0]["clauses"][2] == {
        "value": "group_in_person",
        "count": 11,
        "interventions": [1, 4, 7, 8, 9, 10, 14, 15, 16, 17, 22],
    }


def test_binary_formats_need_a_file(demo_store: Store, tmp_path: Path) -> None:
    code, out = _run(demo_store, "report", "model", "--format", "docx")
    assert code == 2
    assert "DOCX is a binary format: write it to a file with -o FILE" in out
    target = tmp_path / "cmo.xlsx"
    code, out = _run(demo_store, "report", "cmo-tables", "-o", str(target))
    assert code == 0, out
    assert f"Wrote {target} (cmo-tables, xlsx)" in " ".join(out.split())
    assert target.read_bytes().startswith(b"PK")


def test_wrong_format_or_option_is_a_clear_error(demo_store: Store, tmp_path: Path) -> None:
    target = str(tmp_path / "x.docx")
    code, out = _run(demo_store, "report", "network", "-o", target)  # format from the suffix
    assert code == 2
    assert "'network' comes as svg, png, not docx" in out
    code, out = _run(demo_store, "report", "model", "--by", "documents")
    assert code == 2
    assert "--by is for 'realist report evidence-matrix'" in out


def test_phrases_and_notes_are_saved_with_the_review(demo_store: Store) -> None:
    code, out = _run(demo_store, "report", "intervention-summary", "--phrase",
                     "format:group_in_person=ran groups", "--verb", "country=were run")  # fmt: skip
    assert code == 0, out
    assert "and 11 ran groups (#1, 4, 7–10, 14–17, 22)" in out
    assert "Eight interventions were run in the USA" in out
    code, out = _run(demo_store, "report", "rameses", "--format", "csv", "--note", "3=See p. 2")
    assert code == 0, out
    assert "Note: See p. 2" in out


def test_a_file_must_be_named_for_its_format(demo_store: Store, tmp_path: Path) -> None:
    """`report model -o model.pdf` wrote HTML into a .pdf file: now it is refused."""
    pdf = tmp_path / "model.pdf"
    code, out = _run(demo_store, "report", "model", "-o", str(pdf))
    assert code == 2
    said = " ".join(out.split())
    assert "Realist does not write .pdf files" in said
    assert "html (.html), md (.md), docx (.docx), text (.txt), json (.json)" in said
    assert "-o model.html" in said
    assert not pdf.exists()
    html = tmp_path / "model.html"
    code, out = _run(demo_store, "report", "model", "--format", "md", "-o", str(html))
    assert code == 2 and "says html but --format is md" in " ".join(out.split())
    assert not html.exists()
    code, out = _run(demo_store, "report", "model", "--format", "html", "-o", str(html))
    assert code == 0 and html.read_text().startswith("<!doctype html>")
    bare = tmp_path / "model"
    code, out = _run(demo_store, "report", "model", "-o", str(bare))  # no suffix: the default
    assert code == 0 and bare.read_text().startswith("<!doctype html>")
