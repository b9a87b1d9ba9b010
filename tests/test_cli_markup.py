"""Imported and typed text is data: rich markup in it prints as it is, never as a style
and never as an error. ("[sic]" vanished and "[/i]" stopped `realist records` before.)"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from realist.cli import cli

MARKUP = "[sic] [/i] [bold]"


def run(target: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_markup_in_titles_records_and_configurations_prints_as_it_is(
    db_target: str, tmp_path: Path
) -> None:
    assert f"Created review Walk {MARKUP}" in run(db_target, "init", "--title", f"Walk {MARKUP}")
    export = tmp_path / "a.ris"
    export.write_text(
        f"TY  - JOUR\nTI  - Play {MARKUP}\nAU  - Smith, J\nPY  - 2020\nER  - \n", encoding="utf-8"
    )
    run(db_target, "import", str(export))
    assert f"Play {MARKUP}" in run(db_target, "records")
    assert f"Play {MARKUP}" in run(db_target, "record", "1")
    run(db_target, "topic", "t1", "--name", f"Uptake {MARKUP}")
    run(
        db_target,
        "configuration",
        "N1",
        "--topic",
        "t1",
        "--title",
        f"Peers {MARKUP}",
        "--statement",
        f"If {MARKUP} then",
        "--context",
        f"school {MARKUP}",
        "--mechanism",
        f"reasoning:trust {MARKUP}",
        "--outcome",
        f"play {MARKUP}",
    )
    listed = run(db_target, "theories")  # a table: long cells wrap
    assert "Peers [sic]" in listed and "[/i] [bold]" in listed
    shown = run(db_target, "theory", "N1")
    for text in (f"Uptake {MARKUP}: Peers {MARKUP}", f"If {MARKUP} then", f"school {MARKUP}",
                 f"trust {MARKUP}", f"play {MARKUP}"):  # fmt: skip
        assert text in shown, text
