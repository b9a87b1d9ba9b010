"""Commands about the review as a whole: init, demo, status, check."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import click
from rich.markup import escape

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.demo import CREDIT, DEFAULT_DEMO_DB
from realist.reports.wording import counted, humanise, stage_detail, votes_detail
from realist.services.reviews import (
    ReviewStatus,
    acting_reviewer,
    init_review,
    review_status,
)


@cli.command(
    epilog=examples(
        'realist --db my-review.realist init --title "Mentoring new teachers: a realist review"',
        'realist init --title "..." --question "What works, for whom, in what circumstances?"',
    )
)
@click.option("--title", default="Untitled realist review", show_default=True)
@click.option("--question", default="", help="The review question (change it with `review`).")
@click.option("--name", default="", help="Your full name (the owner's display name).")
@click.pass_obj
def init(state: CliState, title: str, question: str, name: str) -> None:
    """Create an empty review in --db."""
    store = init_review(state.target, title, state.reviewer, name, question)
    state.console.print(f"Created review [bold]{escape(title)}[/] in {escape(store.describe())}")
    store.close()


@cli.command(epilog=examples("realist demo --no-serve", "realist demo --db /tmp/demo.realist"))
@click.option(
    "--db",
    "demo_db",
    metavar="PATH-or-URL",
    help=f"Where the demo lives (default ./{DEFAULT_DEMO_DB}).",
)
@click.option("--no-serve", is_flag=True, help="Only print the summary; do not start the web app.")
@click.pass_obj
def demo(state: CliState, demo_db: str | None, no_serve: bool) -> None:
    """Create (or reopen) the bundled demo review, show a summary and serve it in the
    browser (http://127.0.0.1:8765/) until Ctrl+C."""
    from realist.services.demo import open_demo  # the demo's builder loads only here

    target = demo_db or state.db or DEFAULT_DEMO_DB
    store, created = open_demo(target)
    verb = "Created" if created else "Opened"
    state.console.print(f"{verb} the demo review in {store.describe()}\n")
    _print_status(state, review_status(store))
    where = f"--db {target} " if target != "review.realist" else ""
    state.console.print(
        f"\nExplore it: [bold]realist {where}theories[/], "
        f"[bold]realist {where}theory N1[/], [bold]realist {where}interventions[/]"
    )
    store.close()
    if not no_serve:
        from realist.cli.web_commands import serve_review  # the web stack loads only here

        state.console.print("")
        serve_review(state, target)


@cli.command(epilog=examples("realist status", "realist --db demo.realist status --json"))
@json_option
@click.pass_obj
def status(state: CliState, as_json: bool) -> None:
    """Counts for every stage of the review (--json adds what `realist check` finds)."""
    store = state.open()
    try:
        # Votes as the acting reviewer may see them (dual screening is blind).
        shown_to = acting_reviewer(store, state.reviewer)
        result = review_status(store, problems=as_json, shown_to=shown_to)
    finally:
        store.close()
    if as_json:
        print_json(dataclasses.asdict(result))
    else:
        _print_status(state, result)


STAGE_LABELS = {"title_abstract": "Title and abstract", "full_text": "Full text"}


class _Rows:
    """Stage, count and detail in aligned columns, printed with click: what a rich table
    would print here, without loading rich (status is the command people run most, and
    bench/startup.py holds its start-up to a budget)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str]] = []

    def add_row(self, stage: str, count: str, detail: str) -> None:
        self.rows.append((stage, count, detail))

    def lines(self) -> list[str]:
        rows = [("Stage", "Count", "Detail"), *self.rows]
        wide = max(len(r[0]) for r in rows)
        count = max(len(r[1]) for r in rows)
        return [f"{a:<{wide}}  {b:>{count}}  {c}".rstrip() for a, b, c in rows]


def _echo(text: str, **style: bool) -> None:
    colour = "NO_COLOR" not in os.environ
    click.echo(click.style(text, **style) if colour and style else text)


def _print_status(state: CliState, s: ReviewStatus) -> None:
    _echo(s.title, bold=True)
    if s.is_demo:
        _echo(CREDIT, dim=True)
    if s.question:
        _echo(f"Question: {s.question}")
    table = _Rows()
    table.add_row(
        "Records",
        str(s.records["total"]),
        f"{counted(s.records['duplicates'], 'duplicate')} merged, {s.records['unique']} unique",
    )
    for stage, counts in s.screening.items():
        table.add_row(
            f"{STAGE_LABELS.get(stage, stage)}",
            counted(counts["records"], "record"),
            stage_detail(counts),
        )
        if counts["votes"] or counts.get("blinded_votes"):
            table.add_row("  votes", "", votes_detail(counts))
    docs = s.documents
    waiting = docs["by_status"].get("awaiting_decision", 0)
    excluded = docs["by_status"].get("excluded", 0)
    extra = [counted(n, humanise(k)) for k, n in docs["by_type"].items()]
    if waiting:
        extra.append(f"{waiting} more awaiting a full-text decision")
    if excluded:
        extra.append(f"{excluded} attached to excluded records (not counted)")
    table.add_row("Included documents", str(docs["included"]), ", ".join(extra))
    table.add_row("Interventions", str(s.interventions), "")
    for topic, entry in s.configurations["by_topic"].items():
        detail = ", ".join(
            f"{n} {v.replace('_', ' ')}" for v, n in sorted(entry["by_standing"].items())
        )
        table.add_row(f"Configurations: {topic.replace('_', ' ')}", str(entry["total"]), detail)
    table.add_row("Excerpts", str(s.excerpts), counted(s.codings, "coding"))
    header, *rows = table.lines()
    _echo(header, bold=True)
    for line in rows:
        _echo(line)
    for line in stopping_lines(s.stopping):
        _echo(line)
    flow = ", ".join(
        f"{k.replace('_', ' ')} {v}" for k, v in s.flow.items() if v is not None and v != 0
    )
    if flow:
        _echo(f"PRISMA 2020: {flow} (see realist prisma)", dim=True)
    if s.problems:
        _echo(f"\n{counted(len(s.problems), 'thing')} to check (run realist check to list them)")
    else:
        _echo("realist check lists what does not add up or is missing.", dim=True)


def stopping_lines(stopping: dict[str, Any]) -> list[str]:
    """Title/abstract screening against the stopping rule, in a few lines (nothing before
    the first decision)."""
    if not stopping or not stopping["screened"]:
        return []
    whose = "" if stopping["whose"] == "everyone's" else f", {stopping['whose']}'s queue"
    lines = [
        f"Stopping rule (title and abstract{whose}): {stopping['relevant_found']} relevant "
        f"found in {stopping['screened']} of {stopping['total']} screened. " + stopping["statement"]
    ]
    if stopping["screened"] < stopping["total"]:
        lines.append(
            f"  {counted(stopping['since_last_relevant'], 'record')} screened since the last "
            "relevant one (a count, not a stopping rule)"
        )
    if stopping["caveat"]:
        lines.append(f"  Note: {stopping['caveat']}.")
    return lines


@cli.command(epilog=examples("realist --db demo.realist check", "realist check --json"))
@json_option
@click.pass_obj
def check(state: CliState, as_json: bool) -> None:
    """List inconsistencies: stated vs computed counts, the source's contradictions,
    excerpts whose text no longer matches, configurations without evidence."""
    from realist.services.check import check_review

    store = state.open()
    findings = check_review(store)
    store.close()
    if as_json:
        print_json([dataclasses.asdict(f) for f in findings])
        return
    if not findings:
        state.console.print("No problems found.")
        return
    from rich.table import Table

    table = Table("Kind", "Subject", "Finding", box=None, header_style="bold")
    for finding in findings:
        table.add_row(finding.kind, finding.subject, finding.message)
    state.console.print(table)
