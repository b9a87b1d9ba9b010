"""The interchange commands: one command per export, `import qdpx|archive` beside the
records import (which still takes files as before), JSON summaries, one-line errors."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from click.testing import CliRunner

from realist.cli import cli, main
from realist.reports.prisma_csv import to_prisma2020_csv
from realist.services.prisma import prisma_counts
from realist.store import Store
from realist.store.connect import head_revision

SRC = Path(__file__).resolve().parents[2] / "src" / "realist"
IMPORTS = Path(__file__).parents[1] / "fixtures" / "imports"


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_export_is_one_command(demo_store: Store, tmp_path: Path) -> None:
    db = demo_store.target
    for args, name in (
        (["records", "--format", "ris", "--with-decisions"], "r.ris"),
        (["records", "--format", "csv"], "r.csv"),
        (["records", "--format", "xlsx", "--with-decisions"], "r.xlsx"),
        (["qdpx"], "r.qdpx"),
        (["archive"], "r.realist.zip"),
        (["prisma-csv"], "prisma.csv"),
    ):
        out = json.loads(run("--db", db, "export", *args, "-o", str(tmp_path / name), "--json"))
        assert out["file"] == str(tmp_path / name) and out["bytes"] > 0
    assert json.loads(run("--db", db, "export", "records", "-o", str(tmp_path / "x.ris"),
                          "--json"))["counts"] == {"records": 29}  # fmt: skip
    prisma = (tmp_path / "prisma.csv").read_text(encoding="utf-8")
    assert prisma == to_prisma2020_csv(prisma_counts(demo_store))
    assert "Wrote" in run("--db", db, "export", "qdpx", "-o", str(tmp_path / "again.qdpx"))


def test_import_subcommands_and_files(demo_store: Store, tmp_path: Path) -> None:
    db = demo_store.target
    run("--db", db, "export", "qdpx", "-o", str(tmp_path / "d.qdpx"))
    run("--db", db, "export", "archive", "-o", str(tmp_path / "d.zip"))
    restored = str(tmp_path / "restored.realist")
    out = json.loads(run("import", "archive", str(tmp_path / "d.zip"), "--db", restored, "--json"))
    assert out["schema_revision"] == head_revision() and out["tables"]["configuration"] == 34
    assert "Community-based perinatal" in run("--db", restored, "status")

    fresh = str(tmp_path / "fresh.realist")
    run("--db", fresh, "--reviewer", "ann", "init", "--title", "Fresh")
    report = json.loads(run("--db", fresh, "import", "qdpx", str(tmp_path / "d.qdpx"), "--json"))
    assert report["configurations_created"] == 34 and report["codings_created"] == 153
    assert {"code": "Take-up of peer support", "became": "topic take_up"} in report["mapping"]
    # `realist import FILE` is still the records import.
    records = json.loads(run("--db", fresh, "import", str(IMPORTS / "scopus.ris"), "--json"))
    assert records[0]["imported"] == 2
    assert "realist import qdpx" in run("import", "--help")
    assert "Examples:\n    realist" in run("export", "--help")


def test_errors_are_one_line(demo_store: Store, tmp_path: Path, capsys: object) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip")
    try:
        main(["--db", demo_store.target, "import", "qdpx", str(bad)])
    except SystemExit as stop:
        assert stop.code == 1
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.startswith("Error: ") and "bad.qdpx: not a readable zip" in err
    assert err.count("\n") == 1


def test_interchange_imports_no_services_or_cli() -> None:
    for path in (SRC / "interchange").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        bad = [m for m in modules if m.startswith(("realist.services", "realist.cli"))]
        assert not bad, f"{path.name} imports {bad}"
