"""Commands about the programme theory and the interventions."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.theory import STANDING_LABELS, ModelStyle, final_model_style
from realist.domain.timestamps import for_people
from realist.reports.wording import counted
from realist.services.citations import document_citations, labelled
from realist.services.expectations import set_expected_attributes
from realist.services.interventions import intervention_json, list_interventions
from realist.services.theories import TheoryView, add_topic, list_theories, show_theory


@cli.command(epilog=examples("realist theories --topic harms", "realist theories --json"))
@click.option("--topic", metavar="KEY", help="Only this topic's configurations (a topic key).")
@json_option
@click.pass_obj
def theories(state: CliState, topic: str | None, as_json: bool) -> None:
    """List CMO configurations with their verdicts and evidence counts."""
    store = state.open()
    views = list_theories(store, topic)
    store.close()
    if as_json:
        print_json([v.as_json() for v in views])
        return
    table = Table(box=None, header_style="bold")
    for column in ("ID", "Topic", "Title", "Origin", "Standing", "Evidence"):
        table.add_column(column)
    for v in views:
        c = v.configuration
        style = final_model_style(c.origin, c.verdict)
        title = escape(c.title.upper() if style is ModelStyle.NEW else c.title)
        if style is ModelStyle.STRUCK:
            title = f"[strike]{title}[/strike]"
        table.add_row(
            escape(c.identifier),
            escape(v.topic.name),
            title,
            c.origin.value + (" (partial)" if c.partial else ""),
            STANDING_LABELS[v.standing],
            f"{counted(v.evidence['excerpts'], 'excerpt')} (+{v.evidence['supports']}"
            f" −{v.evidence['refutes']} ~{v.evidence['refines']})",
        )
    state.console.print(table)


@cli.command(epilog=examples("realist theory N1", "realist theory 14 --json"))
@click.argument("identifier")
@json_option
@click.pass_obj
def theory(state: CliState, identifier: str, as_json: bool) -> None:
    """Show one configuration: statement, C/M/O, theories, evidence and history."""
    store = state.open()
    view = show_theory(store, identifier)
    store.close()
    if as_json:
        print_json(view.as_json())
    else:
        _print_theory(state, view)


def _print_theory(state: CliState, view: TheoryView) -> None:
    console, c, data = state.console, view.configuration, view.as_json()
    console.print(
        f"[bold]Configuration {escape(c.identifier)}[/] · {escape(view.topic.name)}: "
        f"{escape(c.title)}"
    )
    if c.statement:
        console.print(f"\n{escape(c.statement)}")
    for label, parts in (("Contexts", data["contexts"]), ("Outcomes", data["outcomes"])):
        console.print(f"\n[bold]{label}[/]" + ("" if parts else " (none recorded)"))
        for text in parts:
            console.print(f"  • {escape(text)}")
    console.print("\n[bold]Mechanisms[/]" + ("" if data["mechanisms"] else " (none recorded)"))
    for m in data["mechanisms"]:
        console.print(
            f"  • {escape(m['text'])}" + (f" [dim]({escape(m['kind'])})[/]" if m["kind"] else "")
        )
    console.print(
        f"\nOrigin: {data['origin']}{' (partial)' if c.partial else ''} · "
        f"Standing: {data['status']} · Final model: {data['model_style']}",
        highlight=False,
    )
    if c.rationale:
        console.print(f"Rationale: {escape(c.rationale)}")
    if view.middle_range_theories:
        names = ", ".join(t.name for t in view.middle_range_theories)
        console.print(f"Middle-range theories: {escape(names)}")
    if c.intervention_numbers:
        console.print("Interventions: " + ", ".join(f"#{n}" for n in c.intervention_numbers))
    e = view.evidence
    console.print(
        f"Evidence: {counted(e['excerpts'], 'excerpt')} ({e['supports']} supporting, "
        f"{e['refutes']} refuting, {e['refines']} refining)"
    )
    if c.source_note:
        console.print(f"[dim]{escape(c.source_note)}[/]")
    console.print("\n[bold]History[/]" + ("" if view.history else ": unchanged since created"))
    for v in view.history:
        console.print(
            f"  v{v.version} → v{v.version + 1} by {v.reviewer_key} on {for_people(v.created_at)}: "
            f"{v.why}",
            markup=False,
        )


@cli.command(
    epilog=examples(
        "realist interventions",
        "realist interventions --json",
        "realist interventions --expect delivery --expect country",
        "realist interventions --expect-none",
    )
)
@click.option(
    "--expect", "expect", multiple=True, metavar="ATTRIBUTE",
    help="An attribute every intervention should have (replaces the list; `check` names "
    "interventions without it).",
)  # fmt: skip
@click.option("--expect-none", is_flag=True, help="Expect no attribute of every intervention.")
@json_option
@click.pass_obj
def interventions(
    state: CliState, expect: tuple[str, ...], expect_none: bool, as_json: bool
) -> None:
    """The intervention table: attributes and documents of each programme."""
    store = state.open()
    try:
        if expect or expect_none:
            names = set_expected_attributes(store, list(expect), state.reviewer)
            state.console.print(
                "Every intervention should have: " + (", ".join(names) or "no attribute"),
                markup=False,
            )
            return
        items, documents = list_interventions(store)
        cited = document_citations(store)
    finally:
        store.close()
    if as_json:
        print_json([intervention_json(i, documents) for i in items])
        return
    names = sorted({name for i in items for name in i.attributes})
    table = Table("#", "Documents", *(escape(n) for n in names), box=None, header_style="bold")
    for i in items:
        docs = "; ".join(
            labelled(cited.get(k, k), documents[k].reference_number) for k in i.document_keys
        )
        table.add_row(
            str(i.number), escape(docs), *(escape(str(i.attributes.get(n, ""))) for n in names)
        )
    state.console.print(table)


@cli.command(
    epilog=examples(
        "realist topic uptake --name 'Uptake of the programme'",
        "realist topic harms --name 'Unintended harms' --negative",
    )
)
@click.argument("key")
@click.option("--name", required=True)
@click.option("--negative", is_flag=True, help="Its configurations are risks to guard against.")
@click.pass_obj
def topic(state: CliState, key: str, name: str, negative: bool) -> None:
    """Add a topic that groups configurations."""
    store = state.open()
    try:
        add_topic(store, key, name, state.reviewer, negative)
    finally:
        store.close()
    state.console.print(f"Added topic {escape(key)}: {escape(name)}")
