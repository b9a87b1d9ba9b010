"""Commands for the analysis: excerpts, coding, appraisal, verdicts, the model, queries."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from realist.cli.app import COUNT, ID, CliState, cli, examples, json_option, print_json
from realist.domain.appraisal import Grade
from realist.domain.coding import Excerpt, Stance
from realist.domain.model import FinalModel
from realist.domain.theory import STANDING_LABELS, Origin, Role, Verdict, parse_mechanism
from realist.reports.model import RENDERERS
from realist.services import coding, queries
from realist.services.model import final_model
from realist.services.testing import set_verdict, verdict_rule, weigh_evidence

GRADES = click.Choice([g.value for g in Grade])


def _excerpt_json(item: Excerpt) -> dict[str, object]:
    return {
        "id": item.id,
        "label": item.label,
        "document": item.document_key,
        "start": item.start,
        "end": item.end,
        "text": item.text,
        "reviewer": item.reviewer_key,
        "relevance": item.relevance.value if item.relevance else None,
        "rigour": item.rigour.value if item.rigour else None,
        "note": item.note,
        "codings": [
            {
                "id": c.id,
                "configuration": c.configuration_identifier,
                "role": c.role.value,
                "position": c.component_position,
                "stance": c.stance.value,
                "reviewer": c.reviewer_key,
            }
            for c in item.codings
        ],
    }


@cli.command(
    epilog=examples(
        "realist excerpt smith-2019 --start 100 --end 180",
        'realist excerpt smith-2019 --quote "felt less alone" --rigour high',
        'realist excerpt smith-2019 --quote "home visits" --occurrence 2',
        "realist excerpt E042 --show",
    )
)
@click.argument("target")
@click.option("--start", type=COUNT, help="Start offset (code points, inclusive).")
@click.option("--end", type=COUNT, help="End offset (code points, exclusive).")
@click.option("--quote", help="The exact text to excerpt (instead of offsets).")
@click.option(
    "--occurrence",
    type=ID,
    help="Which match of --quote (from 1), when it occurs several times.",
)
@click.option("--relevance", type=GRADES)
@click.option("--rigour", type=GRADES)
@click.option("--note")
@click.option(
    "--intervention",
    "interventions",
    type=ID,
    multiple=True,
    help="Case coding: an intervention number this passage is about.",
)
@click.option("--show", is_flag=True, help="TARGET is an excerpt: show it.")
@json_option
@click.pass_obj
def excerpt(
    state: CliState,
    target: str,
    start: int | None,
    end: int | None,
    quote: str | None,
    occurrence: int | None,
    relevance: str | None,
    rigour: str | None,
    note: str | None,
    interventions: tuple[int, ...],
    show: bool,
    as_json: bool,
) -> None:
    """Cut an excerpt from a document (TARGET is the document key), or with --show or
    --relevance/--rigour/--note on an existing excerpt (TARGET is its id or label),
    show or appraise it.

    --quote finds the words as they were copied from the full text, across line breaks,
    words hyphenated at a line end, ligatures, curly or straight quotes, dashes and extra
    spaces; letter case must match. The excerpt is the stored text those words cover. A quote
    that occurs several times needs --occurrence."""
    store = state.open()
    try:
        rel = Grade(relevance) if relevance else None
        rig = Grade(rigour) if rigour else None
        if show:
            item = coding.get_excerpt(store, target)
        elif start is None and end is None and quote is None:
            item = coding.appraise_excerpt(store, target, state.reviewer, rel, rig, note)
        else:
            if quote is not None:
                start, end = coding.find_quote(store, target, quote, occurrence)
            if start is None or end is None:
                raise click.UsageError("give --start and --end, or --quote")
            item = coding.create_excerpt(
                store,
                target,
                start,
                end,
                state.reviewer,
                relevance=rel,
                rigour=rig,
                note=note or "",
                interventions=list(interventions),
            )
    finally:
        store.close()
    if as_json:
        print_json(_excerpt_json(item))
        return
    state.console.print(
        f"Excerpt [bold]{item.label or item.id}[/] of {item.document_key} "
        f"[{item.start}:{item.end}]",
        highlight=False,
    )
    state.console.print(f"“{item.text}”", markup=False, highlight=False)
    for c in item.codings:
        part = c.role.value + (
            f" {c.component_position + 1}" if c.component_position is not None else ""
        )
        state.console.print(
            f"  → {c.configuration_identifier} ({part}, {c.stance.value}) [coding {c.id}]",
            markup=False,
        )


@cli.command(
    epilog=examples(
        "realist code E042 21",
        "realist code 7 N1 --role context --part 1 --stance refutes",
        "realist code 7 NEW1 --new --topic uptake --context 'prefers anonymity' "
        "--mechanism 'reasoning: feels safe to disclose' --statement 'If ..., then ...'",
    )
)
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.argument("configuration")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="configuration", show_default=True
)
@click.option("--part", type=ID, help="Which context/mechanism/outcome (1-based).")
@click.option(
    "--stance", type=click.Choice([s.value for s in Stance]), default="supports", show_default=True
)
@click.option("--new", is_flag=True, help="Create CONFIGURATION first (inductive).")
@click.option("--topic", help="With --new: its topic key.")
@click.option("--title", default="", help="With --new: a short title.")
@click.option("--statement", default="", help="With --new: If ..., then ..., because ...")
@click.option("--context", "contexts", multiple=True, help="With --new: a context.")
@click.option(
    "--mechanism",
    "mechanisms",
    multiple=True,
    help="With --new: a mechanism (prefix with resource: or reasoning:).",
)
@click.option(
    "--outcome", "outcomes", multiple=True, help="With --new: an outcome (none: partial)."
)
@json_option
@click.pass_obj
def code(
    state: CliState,
    excerpt_ref: str,
    configuration: str,
    role: str,
    part: int | None,
    stance: str,
    new: bool,
    topic: str | None,
    title: str,
    statement: str,
    contexts: tuple[str, ...],
    mechanisms: tuple[str, ...],
    outcomes: tuple[str, ...],
    as_json: bool,
) -> None:
    """Code an excerpt to a configuration, or to one of its parts, with a stance.

    With --new, the configuration is created first as an inductive one (partial when it
    has contexts or mechanisms but no outcome)."""
    store = state.open()
    try:
        if new:
            if not topic:
                raise click.UsageError("--new needs --topic")
            coding.create_configuration(
                store,
                configuration,
                topic,
                state.reviewer,
                title=title,
                statement=statement,
                contexts=list(contexts),
                mechanisms=[parse_mechanism(m) for m in mechanisms],
                outcomes=list(outcomes),
            )
        elif statement or contexts or mechanisms or outcomes or title or topic:
            raise click.UsageError(
                "--topic, --title, --statement, --context, --mechanism and --outcome describe "
                "a new configuration: add --new"
            )
        item = coding.code_excerpt(
            store,
            excerpt_ref,
            configuration,
            state.reviewer,
            role=Role(role),
            position=part - 1 if part else None,
            stance=Stance(stance),
        )
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "id": item.id,
                "configuration": configuration,
                "role": role,
                "position": item.component_position,
                "stance": stance,
            }
        )
    else:
        state.console.print(
            f"Coded excerpt {escape(excerpt_ref)} to {escape(configuration)} ({role}, {stance}).",
            highlight=False,
        )


@cli.command(epilog=examples("realist configuration N9 --topic harms --title 'Over-reliance'"))
@click.argument("identifier")
@click.option("--topic", required=True)
@click.option("--title", default="")
@click.option("--statement", default="", help="If ..., then ..., because ...")
@click.option("--context", "contexts", multiple=True)
@click.option(
    "--mechanism", "mechanisms", multiple=True, help="Prefix with resource: or reasoning:"
)
@click.option("--outcome", "outcomes", multiple=True)
@click.option("--initial", is_flag=True, help="Part of the initial model (default: inductive).")
@click.pass_obj
def configuration(
    state: CliState,
    identifier: str,
    topic: str,
    title: str,
    statement: str,
    contexts: tuple[str, ...],
    mechanisms: tuple[str, ...],
    outcomes: tuple[str, ...],
    initial: bool,
) -> None:
    """Create a CMO configuration."""
    parsed = [parse_mechanism(m) for m in mechanisms]
    store = state.open()
    try:
        item = coding.create_configuration(
            store,
            identifier,
            topic,
            state.reviewer,
            title=title,
            statement=statement,
            contexts=list(contexts),
            mechanisms=parsed,
            outcomes=list(outcomes),
            origin=Origin.INITIAL if initial else Origin.INDUCTIVE,
        )
    finally:
        store.close()
    state.console.print(
        f"Created configuration {item.identifier} ({item.origin.value}"
        + (", partial" if item.partial else "")
        + ")"
    )


@cli.command(epilog=examples("realist evidence 14", "realist evidence --json"))
@click.argument("identifier", required=False)
@json_option
@click.pass_obj
def evidence(state: CliState, identifier: str | None, as_json: bool) -> None:
    """Test configurations against their evidence: what supports, refutes and refines
    each one, from which documents, designs and interventions, and the proposed verdict."""
    store = state.open()
    try:
        tested = weigh_evidence(store, identifier)
        rule = verdict_rule(store)
    finally:
        store.close()
    rows = [
        {
            "identifier": t.configuration.identifier,
            "verdict": t.configuration.verdict.value if t.configuration.verdict else None,
            "proposed": t.proposal.verdict.value if t.proposal.verdict else None,
            "reason": t.proposal.reason,
            "supports": len(t.summary.by_stance(Stance.SUPPORTS)),
            "refutes": len(t.summary.by_stance(Stance.REFUTES)),
            "refines": len(t.summary.by_stance(Stance.REFINES)),
            "documents": t.summary.documents,
            "interventions": t.summary.interventions,
            "designs": t.summary.designs,
            "rigour": t.summary.rigour,
            "relevance": t.summary.relevance,
            "standing": t.standing.value,
            "to_reconcile": [
                {"excerpt": d.excerpt_id, "label": d.label, "stances": d.stances}
                for d in t.disputes
            ],
        }
        for t in tested
    ]
    if as_json:
        print_json({"rule": rule.describe(), "configurations": rows})
        return
    state.console.print(f"Rule: {rule.describe()}")
    table = Table(
        "ID", "+", "~", "−", "Docs", "Interventions", "Standing", "Proposed",
        box=None, header_style="bold",
    )  # fmt: skip
    for t in tested:
        current = STANDING_LABELS[t.standing]
        proposed = t.proposal.verdict.value.replace("_", " ") if t.proposal.verdict else "—"
        table.add_row(
            escape(t.configuration.identifier),
            *(
                str(len(t.summary.by_stance(s)))
                for s in (Stance.SUPPORTS, Stance.REFINES, Stance.REFUTES)
            ),
            str(len(t.summary.documents)),
            ",".join(f"#{n}" for n in t.summary.interventions) or "—",
            current,
            proposed if t.agrees or not t.proposal.verdict else f"[yellow]{proposed}[/]",
        )
    state.console.print(table)
    for t in tested:
        for d in t.disputes:
            state.console.print(
                f"[yellow]Reconcile[/] {t.configuration.identifier}: {d.describe()}",
                highlight=False,
            )


@cli.command(
    epilog=examples(
        'realist verdict 14 --confirm --rationale "three qualitative studies agree"',
        'realist verdict N8 --not-supported --rationale "a single report"',
    )
)
@click.argument("identifier")
@click.option("--confirm", is_flag=True, help="Accept the proposed verdict.")
@click.option("--supported", is_flag=True, help="The evidence supports it.")
@click.option("--refined", is_flag=True, help="The evidence supports and refines it.")
@click.option(
    "--not-supported", is_flag=True, help="The evidence refutes it or does not bear it out."
)
@click.option("--untested", is_flag=True, help="Take a verdict back (no verdict yet).")
@click.option("--rationale", required=True, help="Why (kept in the theory's history).")
@click.pass_obj
def verdict(
    state: CliState,
    identifier: str,
    confirm: bool,
    supported: bool,
    refined: bool,
    not_supported: bool,
    untested: bool,
    rationale: str,
) -> None:
    """Confirm or override the proposed verdict on a configuration, with a rationale.

    A verdict needs evidence coded to the configuration; one without any stays untested
    (an initial configuration is then struck through in the final model)."""
    chosen = {
        "--confirm": confirm,
        "--supported": supported,
        "--refined": refined,
        "--not-supported": not_supported,
        "--untested": untested,
    }
    given = [flag for flag, on in chosen.items() if on]
    if len(given) != 1:
        raise click.UsageError(
            "choose exactly one of --confirm, --supported, --refined, --not-supported, "
            "--untested" + (f" (not {' and '.join(given)})" if given else "")
        )
    picked = {
        "--supported": Verdict.SUPPORTED,
        "--refined": Verdict.REFINED,
        "--not-supported": Verdict.NOT_SUPPORTED,
    }.get(given[0])
    store = state.open()
    try:
        tested = set_verdict(
            store, identifier, state.reviewer, rationale, picked, untested=untested
        )
    finally:
        store.close()
    state.console.print(
        f"{identifier}: {STANDING_LABELS[tested.standing]} — {rationale}", highlight=False
    )


@cli.command(
    epilog=examples(
        "realist model", "realist model --format md", "realist model --format html > model.html"
    )
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True
)
@click.pass_obj
def model(state: CliState, fmt: str) -> None:
    """The final theoretical model: supported theories, unsupported initial ones struck
    through, and NEW ones in capitals, by topic."""
    store = state.open()
    try:
        derived = final_model(store)
    finally:
        store.close()
    if fmt == "text" and state.console.is_terminal:
        _print_model(state, derived)
    else:
        click.echo(RENDERERS[fmt](derived), nl=False)


def _print_model(state: CliState, derived: FinalModel) -> None:
    for section in derived.sections:
        state.console.print(Text(section.topic.name, style="bold"))
        for e in section.entries:
            style = {"struck": "strike dim", "new": "bold"}.get(e.style.value, "")
            line = Text(f"  {e.identifier}. ")
            line.append(e.text, style=style)
            line.append(f" ({e.status})", style="dim")
            state.console.print(line)
            for label, part in e.parts():
                row = Text(f"      {label}: ", style="dim")
                row.append(part, style=style)
                state.console.print(row)
    state.console.print(
        "[dim]normal: supported or refined · [strike]struck through[/strike]: in the initial "
        "theory, not supported by evidence (untested or refuted) · CAPITALS: new[/]"
    )


@cli.command(
    epilog=examples(
        "realist matrix attribute:format",
        "realist matrix document:study_design --json",
        "realist matrix intervention --cell 21 '#12'",
    )
)
@click.argument("dimension")
@click.option("--cell", nargs=2, metavar="CONFIGURATION VALUE", help="List one cell's excerpts.")
@json_option
@click.pass_obj
def matrix(state: CliState, dimension: str, cell: tuple[str, str] | None, as_json: bool) -> None:
    """Configurations against an intervention attribute or document field; each cell counts
    the excerpts coded to the configuration that come from that value."""
    store = state.open()
    try:
        found = queries.matrix(store, dimension)
        ids = queries.matrix_cell(store, dimension, *cell) if cell else []
        shown = [coding.get_excerpt(store, i) for i in ids]
    finally:
        store.close()
    if cell:
        if as_json:
            print_json([_excerpt_json(e) for e in shown])
        for e in [] if as_json else shown:
            label = escape(str(e.label or e.id))
            state.console.print(f"[bold]{label}[/] {escape(e.text)}", highlight=False)
        return
    if as_json:
        print_json(
            {
                "dimension": found.dimension,
                "rows": found.rows,
                "columns": found.columns,
                "cells": [
                    {"configuration": r, "value": c, "excerpts": n}
                    for (r, c), n in sorted(found.cells.items())
                ],
            }
        )
        return
    table = Table("", *(escape(c) for c in found.columns), box=None, header_style="bold")
    for row in found.rows:
        table.add_row(escape(row), *(str(found.count(row, c) or "·") for c in found.columns))
    state.console.print(table)


@cli.command(
    epilog=examples(
        'realist applies "first year of teaching, rural school, evening sessions"',
        'realist applies "group sessions, feels isolated" --json',
    )
)
@click.argument("description")
@click.option("--limit", type=COUNT, default=10, show_default=True)
@json_option
@click.pass_obj
def applies(state: CliState, description: str, limit: int, as_json: bool) -> None:
    """Which configurations apply in these circumstances: matching contexts, the
    mechanisms they may fire, and negative ones to guard against, with their evidence."""
    store = state.open()
    try:
        found = queries.applies(store, description, limit)
    finally:
        store.close()
    rows = [
        {
            "identifier": a.configuration.identifier,
            "title": a.configuration.title,
            "risk": a.risk,
            "matched": a.match.matched,
            "score": round(a.match.score, 2),
            "mechanisms": [m.text for m in a.configuration.mechanisms],
            "evidence": [
                {"excerpt": e.label or e.excerpt_id, "stance": e.stance.value, "text": e.text}
                for e in a.evidence
            ],
        }
        for a in found
    ]
    if as_json:
        print_json(rows)
        return
    if not found:
        state.console.print("No configuration's context matches that description.")
    for heading, risky in (("May apply", False), ("Risks to guard against", True)):
        chosen = [a for a in found if a.risk is risky]
        if chosen:
            state.console.print(f"\n[bold]{heading}[/]")
        for a in chosen:
            words = "; ".join(f"{k}: {', '.join(v)}" for k, v in a.match.matched.items())
            c = a.configuration
            state.console.print(
                f"  [bold]{escape(c.identifier)}[/] {escape(c.title)} [dim]({escape(words)})[/]",
                highlight=False,
            )
            for e in a.evidence[:2]:
                state.console.print(f"     “{e.text[:160]}”", markup=False, highlight=False)


@cli.command(
    epilog=examples("realist search loneliness", "realist search 'classroom observation' --json")
)
@click.argument("query")
@click.option("--limit", type=COUNT, default=20, show_default=True)
@json_option
@click.pass_obj
def search(state: CliState, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over documents and excerpts; each result gives the span to jump to."""
    store = state.open()
    try:
        found = queries.search(store, query, limit)
    finally:
        store.close()
    if as_json:
        print_json([r.__dict__ for r in found])
        return
    for r in found:
        what = f"excerpt {r.label}" if r.kind == "excerpt" else "text"
        where = f"[{r.start}:{r.end}]" if r.start is not None else "[words not placed]"
        # Imported text may hold "[...]", which rich would read as markup.
        state.console.print(
            f"[bold]{escape(r.document_key)}[/] {what} {escape(where)} {escape(r.snippet)}",
            highlight=False,
        )
