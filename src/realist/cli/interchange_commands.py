"""`realist export ...` and `realist import qdpx|archive ...`: moving a review to and from
other tools (docs/INTERCHANGE.md).

``realist import FILE...`` (bibliographic records) already exists; it becomes a group whose
``qdpx`` and ``archive`` subcommands are chosen by the first argument, and any other first
argument still goes to the records import unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from realist.cli import record_commands  # registers `import` before it is wrapped here
from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.interchange.refi_import import QdpxImport
from realist.reports.wording import counted, humanise
from realist.services.interchange import (
    RECORD_FORMATS,
    Exported,
    export_archive,
    export_prisma_csv,
    export_qdpx,
    export_records,
    import_archive,
    import_qdpx,
)

__all__ = ["cli"]


def _export(state: CliState, as_json: bool, write: Callable[..., Exported], *args: Any) -> None:
    """Open the review, ``write(store, *args)`` one export, close it, say what was written."""
    store = state.open()
    try:
        done = write(store, *args)
    finally:
        store.close()
    _report(state, done, as_json)


_OUTPUT = click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="The file to write."
)


@cli.group(
    epilog=examples(
        "realist export records --format ris -o records.ris --with-decisions",
        "realist export qdpx -o review.qdpx",
        "realist export archive -o review.realist.zip",
        "realist export prisma-csv -o prisma.csv",
    )
)
def export() -> None:
    """Write the review, or part of it, in a format another tool (or Realist) reads."""


# What an export counts, as the noun for one: the keys of records and REFI-QDA exports are
# plural; an archive's are its tables' names ("screening_decision"), already singular.
_NOUNS = {
    "records": "record",
    "codes": "code",
    "users": "user",
    "sources": "source",
    "selections": "selection",
    "codings": "coding",
    "notes": "note",
}


def _noun(key: str) -> str:
    return _NOUNS.get(key) or humanise(key)


def _report(state: CliState, done: Exported, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "file": str(done.path),
                "format": done.format,
                "bytes": done.bytes,
                "counts": done.counts,
                "left_out": done.left_out,
            }
        )
        return
    shown = ", ".join(counted(n, _noun(k)) for k, n in done.counts.items() if n)
    state.console.print(
        f"Wrote {escape(str(done.path))} ({done.format}{': ' + shown if shown else ''})"
    )
    for item in done.left_out:
        state.console.print(f"  [yellow]left out:[/] {escape(str(item))}", highlight=False)


@export.command(
    "records",
    epilog=examples(
        "realist export records --format ris -o records.ris",
        "realist export records --format csv -o records.csv --with-decisions",
        "realist export records --format xlsx -o screening.xlsx --with-decisions",
    ),
)
@click.option(
    "--format", "fmt", type=click.Choice(RECORD_FORMATS), default="ris", show_default=True
)
@_OUTPUT
@click.option(
    "--with-decisions", is_flag=True, help="Add screening decisions and reasons per stage."
)
@json_option
@click.pass_obj
def export_records_command(
    state: CliState, fmt: str, output: Path, with_decisions: bool, as_json: bool
) -> None:
    """Every record with its source and duplicate status (RIS, CSV or XLSX).

    RIS keeps each imported record's own tags, so it imports back without loss; decisions
    go into N1 notes that `realist import --with-decisions` reads. In dual screening the
    decisions are those the acting reviewer (--reviewer) may see: none on a record they
    have not decided and fewer than two reviewers have.
    """
    _export(state, as_json, export_records, output, fmt, with_decisions, state.reviewer)


@export.command(
    "qdpx",
    epilog=examples("realist export qdpx -o review.qdpx", "realist export qdpx -o r.qdpx --json"),
)
@_OUTPUT
@json_option
@click.pass_obj
def export_qdpx_command(state: CliState, output: Path, as_json: bool) -> None:
    """A REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder: configurations and
    their contexts, mechanisms and outcomes as codes, texts, excerpts, codings, memos."""
    _export(state, as_json, export_qdpx, output)


@export.command("archive", epilog=examples("realist export archive -o review.realist.zip"))
@_OUTPUT
@json_option
@click.pass_obj
def export_archive_command(state: CliState, output: Path, as_json: bool) -> None:
    """The whole review in one zip (every table as JSON, and the stored original files);
    `realist import archive` restores it, identical, into a new store. While dual
    screening still blinds a vote, only an owner may take it (--reviewer)."""
    _export(state, as_json, export_archive, output, state.reviewer)


@export.command("prisma-csv", epilog=examples("realist export prisma-csv -o prisma.csv"))
@_OUTPUT
@json_option
@click.pass_obj
def export_prisma_csv_command(state: CliState, output: Path, as_json: bool) -> None:
    """The PRISMA 2020 counts as the PRISMA2020 R package's CSV."""
    _export(state, as_json, export_prisma_csv, output)


class _ImportGroup(click.Group):
    """``import qdpx FILE`` and ``import archive FILE`` as subcommands; anything else is the
    records import, so ``realist import scopus.ris`` works as before."""

    def __init__(self, records: click.Command) -> None:
        super().__init__(name="import", help=records.help, short_help=records.short_help)
        self.records = records
        records.epilog = (records.epilog or "") + (
            "\n  realist import qdpx project.qdpx"
            "\n  realist import archive review.realist.zip --db restored.realist"
        )

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if args and args[0] in self.commands:
            return super().make_context(info_name, args, parent, **extra)
        return self.records.make_context(info_name, args, parent, **extra)


import_group = _ImportGroup(record_commands.import_)
cli.add_command(import_group, "import")


def _print_qdpx(state: CliState, r: QdpxImport) -> None:
    console = state.console
    already = ""
    if r.excerpts_reused or r.codings_reused:
        already = (
            f"; {counted(r.excerpts_reused, 'excerpt')} and "
            f"{counted(r.codings_reused, 'coding')} were already here"
        )
    console.print(
        f"[bold]{r.filename}[/]: {counted(r.documents_created, 'document')}, "
        f"{counted(r.configurations_created, 'configuration')} "
        f"({counted(r.components_created, 'part')}), {counted(r.topics_created, 'topic')}, "
        f"{counted(r.excerpts_created, 'excerpt')}, {counted(r.codings_created, 'coding')}, "
        f"{counted(r.reviewers_created, 'reviewer')}, {counted(r.memos_written, 'memo')} "
        f"created{already}"
    )
    for name, became in r.mapping:
        console.print(f"  {name} → {became}", markup=False, highlight=False)
    for item in r.skipped:
        console.print(f"  not imported: {item}", markup=False, highlight=False)


@import_group.command(
    "qdpx",
    epilog=examples("realist import qdpx nvivo-project.qdpx", "realist import qdpx p.qdpx --json"),
)
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@click.pass_obj
def import_qdpx_command(state: CliState, file: Path, as_json: bool) -> None:
    """Import a REFI-QDA project (.qdpx): its text sources become documents, its codebook
    topics and configurations (where missing), its coded passages excerpts and codings.
    All in one transaction; an invalid file is refused before anything is written."""
    store = state.open()
    try:
        report = import_qdpx(store, file, state.reviewer)
    finally:
        store.close()
    if as_json:
        data = {k: v for k, v in report.__dict__.items() if k not in ("mapping",)}
        data["mapping"] = [{"code": name, "became": became} for name, became in report.mapping]
        print_json(data)
        return
    _print_qdpx(state, report)


@import_group.command(
    "archive",
    epilog=examples(
        "realist import archive review.realist.zip --db restored.realist",
        "realist import archive review.realist.zip --db postgresql://me@server/newreview",
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--db",
    "target",
    metavar="PATH-or-URL",
    help="The NEW store to restore into (default: the global --db). It must be empty.",
)
@json_option
@click.pass_obj
def import_archive_command(state: CliState, file: Path, target: str | None, as_json: bool) -> None:
    """Restore a whole-review archive into a new, empty store: the same review, row for row."""
    done = import_archive(file, target or state.target)
    if as_json:
        print_json(done.__dict__)
        return
    rows = sum(done.tables.values())
    state.console.print(
        f"Restored {file.name} into {done.target}: {counted(rows, 'row')} "
        f"in {counted(len(done.tables), 'table')} "
        f"(schema {done.schema_revision})."
    )
