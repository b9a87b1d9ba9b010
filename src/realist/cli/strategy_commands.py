"""Commands for the review's question and its search strategy: review, concept, source,
sources, strategy (RAMESES items 4 and 8)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import ID, CliState, cli, examples, json_option, print_json
from realist.domain.review import SearchStrategy, Source, SourceKind
from realist.services import search_strategy as strategy
from realist.services.search_strategy import SourceSummary


@cli.command(
    epilog=examples(
        'realist review --question "What is it about school mentoring that works, for whom, '
        'in what circumstances, and why?"',
        "realist review --title 'Mentoring new teachers: a realist review'",
        "realist review --json",
    )
)
@click.option("--title", help="The review's title (RAMESES item 1).")
@click.option("--question", help="The review question (RAMESES item 4); '' clears it.")
@json_option
@click.pass_obj
def review(state: CliState, title: str | None, question: str | None, as_json: bool) -> None:
    """Show or change the review's title and question."""
    store = state.open()
    try:
        if title is not None or question is not None:
            found = strategy.set_review(store, state.reviewer, title=title, question=question)
        else:
            found, _ = strategy.search_strategy(store)
    finally:
        store.close()
    if as_json:
        print_json({"title": found.title, "question": found.question})
        return
    state.console.print(f"[bold]{escape(found.title)}[/]", highlight=False)
    state.console.print(
        f"Question: {escape(found.question)}" if found.question else
        "Question: [dim]not recorded (set it with --question)[/]", highlight=False,
    )  # fmt: skip


@cli.command(
    epilog=examples(
        "realist concept Population --term teacher* --term 'newly qualified'",
        "realist concept Population --add 'early career' --drop teacher*",
        "realist concept Population --rename 'Population (teachers)' --position 1",
        "realist concept Population --remove",
    )
)
@click.argument("name")
@click.option("--term", "terms", multiple=True, help="Set the block's terms to these (in order).")
@click.option("--add", "added", multiple=True, help="Add a term.")
@click.option("--drop", "dropped", multiple=True, help="Remove a term.")
@click.option("--rename", help="A new name for the block.")
@click.option("--position", type=ID, help="Move the block to this place (1 is first).")
@click.option("--remove", is_flag=True, help="Remove the block.")
@click.pass_obj
def concept(
    state: CliState,
    name: str,
    terms: tuple[str, ...],
    added: tuple[str, ...],
    dropped: tuple[str, ...],
    rename: str | None,
    position: int | None,
    remove: bool,
) -> None:
    """Add or change a concept block of the search: terms OR-ed together; blocks are
    AND-ed (`realist strategy` shows the whole search)."""
    store = state.open()
    try:
        if remove:
            strategy.remove_concept_block(store, name, state.reviewer)
            state.console.print(f"Removed concept block {escape(name)}.", highlight=False)
            return
        block = strategy.set_concept_block(
            store,
            name,
            state.reviewer,
            terms=list(terms) if terms else None,
            add=list(added),
            drop=list(dropped),
            rename=rename,
            position=position,
        )
    finally:
        store.close()
    state.console.print(
        f"Concept block {block.position + 1} [bold]{escape(block.name)}[/]: "
        f"{escape(block.query()) or '(no terms yet)'}",
        highlight=False,
    )


@cli.command(
    epilog=examples(
        "realist source 'Embase (Ovid)' --kind database --search-string 'exp teacher/ AND "
        "mentor*.ti,ab.' --limits 'English; 2000-2024' --searched 2024-03-01",
        "realist source 'Embase (Ovid)' --searched 2024-03",
        "realist source 'Hand search' --kind other --note 'Tables of contents, 2015-2024'",
        "realist source 'Old name' --rename 'New name'",
    )
)
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in SourceKind]), help="PRISMA's kind.")
@click.option("--search-string", help="The search exactly as run in this source.")
@click.option("--limits", help="Limits applied: languages, years, publication types.")
@click.option(
    "--searched", metavar="DATE", help="When it was searched: YYYY-MM-DD, or YYYY-MM; '' clears."
)
@click.option("--note", help="Anything else to say about this source.")
@click.option("--rename", help="A new name for the source.")
@click.option("--remove", is_flag=True, help="Remove a source no import came from.")
@json_option
@click.pass_obj
def source(
    state: CliState,
    name: str,
    kind: str | None,
    search_string: str | None,
    limits: str | None,
    searched: str | None,
    note: str | None,
    rename: str | None,
    remove: bool,
    as_json: bool,
) -> None:
    """Add or change a source searched: its kind, the search string as run there, its
    limits and the date it was searched (RAMESES item 8)."""
    store = state.open()
    try:
        if remove:
            strategy.remove_source(store, name, state.reviewer)
            state.console.print(f"Removed source {escape(name)}.", highlight=False)
            return
        item = strategy.set_source(
            store,
            name,
            state.reviewer,
            kind=SourceKind(kind) if kind else None,
            search_string=search_string,
            limits=limits,
            searched=searched,
            note=note,
            rename=rename,
        )
    finally:
        store.close()
    if as_json:
        print_json(source_json(item))
        return
    _print_source(state, item)


def source_json(
    s: Source, batches: int | None = None, records: int | None = None
) -> dict[str, object]:
    """The ``sources --json`` shape of one source (docs/CLI.md)."""
    data: dict[str, object] = {
        "name": s.name,
        "kind": s.kind.value,
        "searched": s.searched,
        "search_string": s.search_string,
        "limits": s.limits,
        "note": s.note,
    }
    if batches is not None:
        data["batches"] = batches
        data["records"] = records
    return data


def _print_source(state: CliState, s: Source, summary: SourceSummary | None = None) -> None:
    console = state.console
    extra = f", {summary.records} records in {summary.batches} batches" if summary else ""
    console.print(
        f"[bold]{escape(s.name)}[/] ({s.kind.value}), searched "
        f"{escape(s.searched or 'date not recorded')}{extra}",
        highlight=False,
    )
    for label, value in (("Search", s.search_string), ("Limits", s.limits), ("Note", s.note)):
        if value:
            console.print(f"  {label}: {value}", markup=False, highlight=False)


@cli.command(epilog=examples("realist sources", "realist sources --json"))
@json_option
@click.pass_obj
def sources(state: CliState, as_json: bool) -> None:
    """The sources searched: kind, date, search string, limits, what was imported."""
    store = state.open()
    try:
        found = strategy.source_summaries(store)
    finally:
        store.close()
    if as_json:
        print_json([source_json(s.source, s.batches, s.records) for s in found])
        return
    if not found:
        state.console.print("No sources yet: add one with `realist source NAME`.", markup=False)
    for item in found:
        _print_source(state, item.source, item)


@cli.command("strategy", epilog=examples("realist strategy", "realist strategy --json"))
@json_option
@click.pass_obj
def strategy_(state: CliState, as_json: bool) -> None:
    """The whole search strategy: the question, concept blocks, the boolean search they
    make, and every source with its search string, limits and date."""
    store = state.open()
    try:
        found, search = strategy.search_strategy(store)
        summaries = strategy.source_summaries(store)
    finally:
        store.close()
    if as_json:
        print_json(strategy_json(found.question, search, summaries))
        return
    console = state.console
    console.print(f"[bold]Question:[/] {escape(found.question or 'not recorded')}", highlight=False)
    table = Table("#", "Concept block", "Terms (OR)", box=None, header_style="bold")
    for block in search.concept_blocks:
        table.add_row(str(block.position + 1), escape(block.name), escape(" OR ".join(block.terms)))
    if search.concept_blocks:
        console.print(table)
        console.print(f"[bold]Search:[/] {escape(search.query())}", highlight=False)
    else:
        console.print("No concept blocks yet: add one with `realist concept NAME --term T`.",
                      markup=False)  # fmt: skip
    if search.last_search:
        console.print(f"Last search: {escape(search.last_search)}", highlight=False)
    for item in summaries:
        _print_source(state, item.source, item)


def strategy_json(
    question: str, search: SearchStrategy, summaries: list[SourceSummary]
) -> dict[str, object]:
    """The ``strategy --json`` shape (docs/CLI.md)."""
    return {
        "question": question,
        "concept_blocks": [{"name": b.name, "terms": b.terms} for b in search.concept_blocks],
        "query": search.query(),
        "last_search": search.last_search,
        "sources": [source_json(s.source, s.batches, s.records) for s in summaries],
    }
