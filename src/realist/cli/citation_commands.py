"""Commands for what the review cites: its documents' citations and reference numbers
(`cite`), and the middle-range theories that explain its mechanisms (`mrt`)."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import ID, CliState, cli, examples, json_option, print_json
from realist.services import citations, middle_range
from realist.services.citations import CitationRow


def _row_json(r: CitationRow) -> dict[str, object]:
    return {"key": r.key, "citation": r.citation, "by_hand": r.by_hand,
            "reference": r.reference, "included": r.included, "title": r.title}  # fmt: skip


@cli.command(
    epilog=examples(
        "realist cite",
        "realist cite thapa-2020 --as 'Thapa et al. 2020' --reference 12",
        "realist cite thapa-2020 --as ''",
        "realist cite thapa-2020 --no-reference",
        "realist cite --number",
        "realist cite --number --start 57",
    )
)
@click.argument("key", required=False)
@click.option("--as", "cite_as", help="The author-year citation, by hand ('' derives it again).")
@click.option("--reference", type=ID, help="The document's number in the reference list.")
@click.option("--no-reference", is_flag=True, help="Remove the document's reference number.")
@click.option(
    "--number", "number_all", is_flag=True,
    help="Number every included document in the alphabetical order of the citations.",
)  # fmt: skip
@click.option("--start", type=ID, default=1, show_default=True, help="With --number: the first.")
@json_option
@click.pass_obj
def cite(
    state: CliState,
    key: str | None,
    cite_as: str | None,
    reference: int | None,
    no_reference: bool,
    number_all: bool,
    start: int,
    as_json: bool,
) -> None:
    """How the review cites its documents: author-year citations ("Thapa et al. 2020",
    from each document's record unless set by hand) and reference numbers, which tables
    print as "Thapa et al. 2020 [12]". Without KEY: list them all."""
    store = state.open()
    try:
        if number_all:
            if key:
                raise click.UsageError("--number numbers every included document; give no KEY")
            rows = citations.number_references(store, state.reviewer, start)
        elif key:
            if cite_as is None and reference is None and not no_reference:
                rows = [r for r in citations.citation_rows(store) if r.key == key]
                if not rows:
                    raise click.UsageError(f"no document '{key}' in this review")
            else:
                changed = citations.set_citation(
                    store,
                    key,
                    state.reviewer,
                    cite_as=cite_as,
                    reference=reference,
                    clear_reference=no_reference,
                )
                rows = [changed]
        else:
            rows = citations.citation_rows(store)
    finally:
        store.close()
    if as_json:
        print_json([_row_json(r) for r in rows])
        return
    table = Table("Key", "Cited as", "Ref", "Title", box=None, header_style="bold")
    for r in rows:
        table.add_row(
            escape(r.key),
            escape(r.citation) + ("" if r.by_hand else " [dim](derived)[/]"),
            str(r.reference or ""),
            escape(r.title[:70]) + ("" if r.included else " [dim](not included)[/]"),
        )
    state.console.print(table)


@cli.command(
    epilog=examples(
        "realist mrt",
        "realist mrt self-efficacy --name 'Self-efficacy theory' "
        "--reference 'Bandura 1977' --link 4 --link N2",
        "realist mrt self-efficacy --description 'Belief in being able to succeed ...'",
        "realist mrt self-efficacy --unlink N2",
        "realist mrt self-efficacy --remove",
    )
)
@click.argument("key", required=False)
@click.option("--name", help="The theory's name (required for a new one).")
@click.option("--description", help="How it explains the mechanisms.")
@click.option(
    "--reference", "references", multiple=True,
    help="Where it comes from: a reference number or a reference (replaces the list).",
)  # fmt: skip
@click.option("--link", "link", multiple=True, metavar="ID", help="A configuration it explains.")
@click.option("--unlink", "unlink", multiple=True, metavar="ID", help="Remove a link.")
@click.option("--remove", is_flag=True, help="Remove the theory and its links.")
@json_option
@click.pass_obj
def mrt(
    state: CliState,
    key: str | None,
    name: str | None,
    description: str | None,
    references: tuple[str, ...],
    link: tuple[str, ...],
    unlink: tuple[str, ...],
    remove: bool,
    as_json: bool,
) -> None:
    """Middle-range theories: add or change one (KEY) and link it to the configurations it
    explains; without KEY, list them. `realist theory ID`, the CMO tables and the model
    show the links."""
    store = state.open()
    try:
        if key is None:
            found = middle_range.list_middle_range_theories(store)
        elif remove:
            was = middle_range.remove_middle_range_theory(store, key, state.reviewer)
            state.console.print(
                f"Removed middle-range theory {escape(key)}"
                + (f" (it was linked to {', '.join(was)})." if was else "."),
                highlight=False,
            )
            return
        else:
            found = [middle_range.set_middle_range_theory(
                store, key, state.reviewer, name=name, description=description,
                references=list(references) if references else None,
                link=list(link), unlink=list(unlink))]  # fmt: skip
    finally:
        store.close()
    if as_json:
        print_json([t.as_json() for t in found])
        return
    if not found:
        state.console.print("No middle-range theories yet: add one with `realist mrt KEY "
                            "--name NAME`.", markup=False)  # fmt: skip
    for item in found:
        t = item.theory
        state.console.print(f"[bold]{escape(t.key)}[/]: {escape(t.name)}", highlight=False)
        if t.description:
            state.console.print(f"  {t.description}", markup=False, highlight=False)
        if t.references:
            state.console.print("  References: " + "; ".join(t.references), markup=False)
        links = ", ".join(item.configurations) or "none yet"
        state.console.print(f"  Configurations: {links}", markup=False, highlight=False)
