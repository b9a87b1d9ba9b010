"""Commands for records: import and deduplicate."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import COUNT, ID, CliState, cli, examples, json_option, print_json
from realist.cli.progress import progress_bar
from realist.domain.bibliography import source_reference
from realist.domain.records import Record
from realist.domain.review import SourceKind
from realist.reports.wording import counted
from realist.services.dedup import (
    decide_pair,
    deduplicate,
    errata_note,
    merge_errata_setting,
    merge_records,
    review_queue,
    undo_merge,
)
from realist.services.imports import FileImport, import_file
from realist.services.records import list_records


@cli.command(
    "import",
    epilog=examples(
        "realist import scopus.ris --source Scopus --searched 2020-03-15",
        "realist import pubmed.nbib cinahl.ris psycinfo.ris",
        "realist import rayyan-export.ris --with-decisions",
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--source", "source_name", help="The database the file came from (default: file name)."
)
@click.option(
    "--source-kind",
    type=click.Choice([k.value for k in SourceKind]),
    default=SourceKind.DATABASE.value,
    show_default=True,
    help="PRISMA counts databases, registers and other methods separately.",
)
@click.option(
    "--searched",
    metavar="DATE",
    help="When the search was run: YYYY-MM-DD (e.g. 2020-03-15), or YYYY-MM.",
)
@click.option("--force", is_flag=True, help="Import a file again even if it was imported before.")
@click.option(
    "--with-decisions", is_flag=True, help="Also import screening labels found in the file."
)
@json_option
@click.pass_obj
def import_(
    state: CliState,
    files: tuple[Path, ...],
    source_name: str | None,
    source_kind: str,
    searched: str | None,
    force: bool,
    with_decisions: bool,
    as_json: bool,
) -> None:
    """Import database exports (RIS, PubMed/MEDLINE, BibTeX, CSV, CSL-JSON, EndNote XML).

    The format is detected from each file's content. Each file is one batch: stored whole,
    or not at all. Bad records are listed with their line and the rest are imported.
    """
    store = state.open()
    results: list[FileImport] = []
    try:
        for path in files:
            with progress_bar(state.console, f"Importing {path.name}") as update:
                results.append(
                    import_file(
                        store,
                        path,
                        source_name=source_name,
                        source_kind=SourceKind(source_kind),
                        searched=searched,
                        reviewer=state.reviewer,
                        force=force,
                        with_decisions=with_decisions,
                        progress=lambda n: update(n, None),
                    )
                )
    finally:
        store.close()
    if as_json:
        print_json([_import_json(r) for r in results])
        return
    for r in results:
        _print_import(state, r)


def _import_json(r: FileImport) -> dict[str, object]:
    return {
        "file": r.filename,
        "format": r.format,
        "source": r.source,
        "batch": r.batch_id,
        "imported": r.imported,
        "problems": [{"line": p.line, "reason": p.reason} for p in r.problems],
        "problem_count": r.problem_count,
        "possible_duplicates": r.possible_duplicates,
        "prior_decisions": r.prior_decisions,
        "skipped": r.skipped or None,
    }


def _print_import(state: CliState, r: FileImport) -> None:
    console = state.console
    if r.skipped:
        console.print(
            f"[yellow]{r.filename}: skipped, {r.skipped}[/] (use --force to import again)"
        )
        return
    console.print(
        f"[bold]{r.filename}[/] ({r.format}, source {r.source}): "
        f"[green]{r.imported} imported[/], {counted(r.problem_count, 'problem')}, "
        f"{counted(r.possible_duplicates, 'possible duplicate')}"
        + (f", {counted(r.prior_decisions, 'prior decision')}" if r.prior_decisions else "")
    )
    for p in r.problems[:20]:
        console.print(f"  {r.filename}:{p.line}: {p.reason}", markup=False)
    if r.problem_count > 20:
        console.print(f"  … and {r.problem_count - 20} more (see --json)")
    if r.possible_duplicates:
        console.print("  Run [bold]realist dedup[/] to merge duplicates.")


@cli.command(
    epilog=examples(
        "realist dedup",
        "realist dedup --review",
        "realist dedup --same 12",
        "realist dedup --different 13",
        "realist dedup --undo 7",
        "realist dedup --merge 31 44",
    )
)
@click.option("--review", "review_pairs", is_flag=True, help="List uncertain pairs side by side.")
@click.option("--same", type=ID, metavar="GROUP", help="Decide that a queued pair is one work.")
@click.option("--different", type=ID, metavar="GROUP", help="Decide that a queued pair differs.")
@click.option(
    "--undo",
    type=ID,
    metavar="GROUP",
    help="Undo a merge (or a decision on a pair): a decision made by hand goes back to the queue.",
)
@click.option(
    "--merge",
    nargs=2,
    type=ID,
    metavar="KEEP DUPLICATE",
    help="Merge two records the algorithm missed: DUPLICATE into KEEP.",
)
@json_option
@click.pass_obj
def dedup(
    state: CliState,
    review_pairs: bool,
    same: int | None,
    different: int | None,
    undo: int | None,
    merge: tuple[int, int] | None,
    as_json: bool,
) -> None:
    """Find and merge duplicate records; uncertain pairs wait for a person.

    Certain duplicates (same DOI/PMID, or near-identical bibliographic details) are merged
    at once; every merge keeps all its records and sources and can be undone. Pairs the
    algorithm missed are merged by hand with --merge. Errata, replies and comments wait in
    the queue beside their article unless REALIST_DEDUP_MERGE_ERRATA=1 (the setting
    dedup_merge_errata) merges those by the article's own authors.
    """
    store = state.open()
    try:
        if merge:
            merged = merge_records(store, merge[0], merge[1], state.reviewer)
            state.console.print(
                f"Merged record {merge[1]} into record {merge[0]} (group {merged}; "
                f"undo with realist dedup --undo {merged})."
            )
        elif same is not None or different is not None:
            group = same if same is not None else different
            assert group is not None
            decide_pair(store, group, same is not None, state.reviewer)
            state.console.print(
                f"Recorded: group {group} is {'one work' if same else 'two works'}."
            )
        elif undo is not None:
            restored = undo_merge(store, undo, state.reviewer)
            again = f"records {', '.join(map(str, restored))} stand again" if restored else ""
            state.console.print(
                f"Undone group {undo}"
                + (f": {again}." if again else ".")
                + " If a person had decided it, it waits in the queue again "
                "(realist dedup --review)."
            )
        elif review_pairs:
            _print_queue(state, as_json)
        else:
            with progress_bar(state.console, "Comparing records") as update:
                run = deduplicate(store, state.reviewer, lambda done, total: update(done, total))
            if as_json:
                print_json(run.__dict__)
            else:
                state.console.print(
                    f"Compared {counted(run.considered, 'record')}: merged "
                    f"{counted(run.merged_records, 'duplicate')} "
                    f"in {counted(run.merged_groups, 'group')}; "
                    f"{counted(run.queued_pairs, 'uncertain pair')} queued "
                    "(see [bold]realist dedup --review[/])."
                )
                if run.answered:
                    state.console.print(
                        f"{counted(run.answered, 'queued pair')} merged now, off the queue."
                    )
                note = errata_note(run.merge_errata, run.kept_apart)
                if note:
                    state.console.print(note, markup=False)
    finally:
        store.close()


def _describe(r: Record) -> str:
    authors = "; ".join(r.authors[:3]) + (" et al." if len(r.authors) > 3 else "")
    parts = [
        r.title,
        authors,
        source_reference(r.journal, r.year, r.volume, r.issue, r.pages),
        f"doi {r.doi}" if r.doi else "",
        f"pmid {r.pmid}" if r.pmid else "",
        f"[record {r.id}, {r.kind or 'type unknown'}]",
    ]
    return escape("\n".join(p for p in parts if p.strip()))  # data, and "[record ...]"


def _print_queue(state: CliState, as_json: bool) -> None:
    store = state.open()
    queue = review_queue(store)
    store.close()
    if as_json:
        print_json(
            [
                {"group": q.group_id, "score": q.score, "reason": q.reason,
                 "kept_apart": q.kept_apart, "records": [q.first.id, q.second.id]}
                for q in queue
            ]
        )  # fmt: skip
        return
    if not queue:
        state.console.print("No pairs are waiting for review.")
        return
    for q in queue:
        title = f"Group {q.group_id} · score {q.score:.2f} · {escape(q.reason)}"
        table = Table(title=title, expand=True)
        table.add_column("Record A", ratio=1)
        table.add_column("Record B", ratio=1)
        table.add_row(_describe(q.first), _describe(q.second))
        state.console.print(table)
    kept_apart = sum(q.kept_apart for q in queue)
    if kept_apart:
        state.console.print(errata_note(merge_errata_setting(), kept_apart), markup=False)
    state.console.print(
        "Decide with [bold]realist dedup --same GROUP[/] or [bold]--different GROUP[/]."
    )


@cli.command(
    epilog=examples(
        "realist records",
        "realist records --search muller --json",
        "realist records --search 'saude 2019'",
        "realist records --source Scopus --duplicates",
    )
)
@click.option(
    "--search",
    "text",
    help="Words that must each appear in the title, authors, journal, DOI or year, "
    "whatever their case or accents ('muller' finds 'Müller').",
)
@click.option("--source", "source_name", help="Only records from this source.")
@click.option("--duplicates", is_flag=True, help="Include records merged as duplicates.")
@click.option("--limit", type=COUNT, default=100, show_default=True)
@json_option
@click.pass_obj
def records(
    state: CliState,
    text: str | None,
    source_name: str | None,
    duplicates: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List records with their source and screening status (`realist record N` shows one
    whole)."""
    store = state.open()
    try:
        rows = list_records(
            store,
            text=text,
            source_name=source_name,
            include_duplicates=duplicates,
            limit=limit,
            viewer=state.reviewer,
        )
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "id": r.record.id,
                    "title": r.record.title,
                    "year": r.record.year,
                    "authors": r.record.authors[:5],
                    "doi": r.record.doi,
                    "source": r.source,
                    "duplicate_of": r.record.duplicate_of,
                    "title_abstract": r.title_abstract.value,
                    "full_text": r.full_text.value,
                }
                for r in rows
            ]
        )
        return
    table = Table(
        "ID", "Year", "Title", "Source", "T/A", "Full text", box=None, header_style="bold"
    )
    for r in rows:
        table.add_row(
            str(r.record.id),
            str(r.record.year or ""),
            escape(r.record.title[:90]),
            escape(r.source),
            r.title_abstract.value,
            r.full_text.value,
        )
    state.console.print(table)
