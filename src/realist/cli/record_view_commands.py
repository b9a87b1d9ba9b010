"""``realist record N``: one record shown whole."""

from __future__ import annotations

import click
from rich.markup import escape

from realist.cli.app import ID, CliState, cli, examples, json_option, print_json
from realist.domain.screening import Stage
from realist.services.record_view import RecordView, StageView, record_view

STAGE_NAMES = {Stage.TITLE_ABSTRACT: "Title/abstract", Stage.FULL_TEXT: "Full text"}


@cli.command(epilog=examples("realist record 12", "realist record 12 --json"))
@click.argument("record_id", metavar="N", type=ID)
@json_option
@click.pass_obj
def record(state: CliState, record_id: int, as_json: bool) -> None:
    """One record whole: every field (normalised and as imported, in file order), where it
    came from, its duplicates, each screening stage and its document. In dual screening,
    others' decisions show only once you have decided the record yourself."""
    store = state.open()
    try:
        view = record_view(store, record_id, state.reviewer)
    finally:
        store.close()
    if as_json:
        print_json(view.as_json())
    else:
        _print(state, view)


def _line(state: CliState, label: str, value: object) -> None:
    if value not in (None, "", []):
        state.console.print(f"[bold]{label}:[/] {escape(str(value))}", highlight=False)


def _print(state: CliState, view: RecordView) -> None:
    r, console = view.record, state.console
    console.print(f"[bold]Record {r.id}[/]: {escape(r.title or '(no title)')}", highlight=False)
    _line(state, "Authors", "; ".join(r.authors))
    _line(state, "Year", r.year)
    where = " ".join(p for p in (r.journal, f"{r.volume}({r.issue})" if r.issue else r.volume,
                                 r.pages) if p)  # fmt: skip
    _line(state, "Published in", where)
    _line(state, "DOI", r.doi)
    _line(state, "PMID", r.pmid)
    _line(state, "ISSN", r.issn)
    _line(state, "Type", r.kind)
    _line(state, "Keywords", "; ".join(r.keywords))
    if view.source is not None and view.batch is not None:
        b = view.batch
        _line(state, "Source", f"{view.source.name} ({view.source.kind.value})")
        who = f" by {b.imported_by}" if b.imported_by else ""
        _line(state, "Imported", f"batch {b.id}, {b.filename} line {r.source_line or '?'} "
              f"({b.format}), {b.imported_at[:10]}{who}")  # fmt: skip
        _line(state, "Searched", b.searched or view.source.searched)
    else:
        console.print("[dim]Entered by hand (no import batch).[/]")
    if view.keeper is not None:
        _line(state, "Merged into", f"record {view.keeper.id}: {view.keeper.title}")
    for m in view.merged:
        _line(state, "Merged into it", f"record {m.id}: {m.title}")
    for g in view.groups:
        members = ", ".join(str(m.id) for m in g.members)
        who = f", by {g.decided_by}" if g.decided_by else ""
        _line(state, f"Duplicate group {g.id}",
              f"{g.status.value}{who} (records {members}; keeper {g.keeper}; "
              f"score {g.confidence:.2f}; {g.reason})")  # fmt: skip
    for stage in view.stages:
        _print_stage(state, stage)
    if view.document is not None:
        d = view.document
        _line(state, "Document", f"{d.key}: {view.citation}"
              + (f" [{d.reference_number}]" if d.reference_number is not None else ""))  # fmt: skip
    if r.abstract:
        console.print("\n[bold]Abstract[/]")
        console.print(r.abstract, markup=False, highlight=False)
    console.print("\n[bold]As imported[/] (file order)")
    for tag, value in r.raw:
        console.print(f"  {tag}: {value}", markup=False, highlight=False)


def _print_stage(state: CliState, stage: StageView) -> None:
    name = STAGE_NAMES[stage.stage]
    if stage.blinded:
        _line(state, name, "not shown until you decide it (dual screening is blind: votes, "
              "if any, show once you or two reviewers have decided)")  # fmt: skip
        return
    _line(state, name, stage.outcome.value.replace("_", " "))
    for d in stage.decisions:
        reason = f" ({d.criterion_code})" if d.criterion_code else ""
        third = " resolving the conflict" if d.resolves_conflict else ""
        note = f": {d.note}" if d.note else ""
        state.console.print(
            f"    {d.reviewer_key} {d.decision.value}{reason}{third}, "
            f"{(d.created_at or '')[:10]}{note}",
            markup=False,
            highlight=False,
        )
