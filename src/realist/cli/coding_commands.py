"""Commands for refining theory: edit with history, memos, verdict rule, coder agreement,
and the framework matrix."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.appraisal import Grade
from realist.domain.testing import VerdictRule
from realist.domain.theory import Role
from realist.domain.timestamps import for_people
from realist.services import coding, queries
from realist.services.memos import memo_history, write_memo
from realist.services.testing import set_verdict_rule, verdict_rule
from realist.services.theories import edit_configuration

GRADES = [g.value for g in Grade]


@cli.command(
    epilog=examples(
        "realist edit 14 --statement 'If ..., then ..., because ...' --why 'second coder'",
        "realist edit N5 --context 'judgemental mentor' --context 'group setting' --why 'split'",
    )
)
@click.argument("identifier")
@click.option("--why", required=True, help="Why it changed (kept in the history).")
@click.option("--title")
@click.option("--statement")
@click.option("--context", "contexts", multiple=True, help="Replace the contexts with these.")
@click.option("--mechanism", "mechanisms", multiple=True, help="Replace the mechanisms.")
@click.option("--outcome", "outcomes", multiple=True, help="Replace the outcomes.")
@click.pass_obj
def edit(
    state: CliState,
    identifier: str,
    why: str,
    title: str | None,
    statement: str | None,
    contexts: tuple[str, ...],
    mechanisms: tuple[str, ...],
    outcomes: tuple[str, ...],
) -> None:
    """Edit a configuration's wording or C/M/O; the previous version is kept with who, when
    and why, and codings of unchanged parts stay attached."""
    parts = {
        role: list(texts)
        for role, texts in (
            (Role.CONTEXT, contexts),
            (Role.MECHANISM, mechanisms),
            (Role.OUTCOME, outcomes),
        )
        if texts
    }
    if title is None and statement is None and not parts:
        raise click.UsageError("change at least one of --title, --statement, --context, ...")
    store = state.open()
    try:
        view = edit_configuration(
            store,
            identifier,
            state.reviewer,
            why,
            statement=statement,
            title=title,
            set_parts=parts,
        )
    finally:
        store.close()
    state.console.print(
        f"{identifier} is now version {len(view.history) + 1} ({len(view.history)} earlier)."
    )


@cli.command(
    epilog=examples(
        "realist memo N3 --text 'Downward comparison may need a facilitator'",
        "realist memo N3",
        "realist memo --text 'Review-level note'",
    )
)
@click.argument("identifier", required=False)
@click.option("--text", help="Write a new version of the memo.")
@json_option
@click.pass_obj
def memo(state: CliState, identifier: str | None, text: str | None, as_json: bool) -> None:
    """Memos on a configuration (or, without ID, on the review); every version is kept."""
    store = state.open()
    try:
        if text is not None:
            write_memo(store, identifier, text, state.reviewer)
        history = memo_history(store, identifier)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "version": m.version,
                    "reviewer": m.reviewer_key,
                    "at": m.created_at,
                    "text": m.text,
                }
                for m in history
            ]
        )
        return
    if not history:
        state.console.print("No memo yet.")
    for m in history:
        state.console.print(
            f"[bold]v{m.version}[/] {escape(m.reviewer_key)} {for_people(m.created_at)}"
        )
        state.console.print(f"  {m.text}", markup=False, highlight=False)


@cli.command(
    "verdict-rule",
    epilog=examples(
        "realist verdict-rule",
        "realist verdict-rule --min-support-rigour moderate --refutation-blocks-at high",
        "realist verdict-rule --any-support",
    ),
)
@click.option("--min-support-rigour", type=click.Choice(GRADES))
@click.option(
    "--any-support", is_flag=True, help="Any supporting excerpt counts, appraised or not."
)
@click.option("--refutation-blocks-at", type=click.Choice(GRADES))
@click.pass_obj
def verdict_rule_command(
    state: CliState,
    min_support_rigour: str | None,
    any_support: bool,
    refutation_blocks_at: str | None,
) -> None:
    """Show or set the rule that proposes verdicts from the evidence."""
    store = state.open()
    try:
        rule = verdict_rule(store)
        if min_support_rigour or any_support or refutation_blocks_at:
            rule = VerdictRule(
                min_support_rigour=None
                if any_support
                else Grade(min_support_rigour)
                if min_support_rigour
                else rule.min_support_rigour,
                refutation_blocks_at=Grade(refutation_blocks_at)
                if refutation_blocks_at
                else rule.refutation_blocks_at,
            )
            set_verdict_rule(store, rule, state.reviewer)
    finally:
        store.close()
    state.console.print(f"Verdicts are proposed as: {rule.describe()}.")


@cli.command(
    "coding-agreement",
    epilog=examples("realist coding-agreement", "realist coding-agreement 14 --json"),
)
@click.argument("identifier", required=False)
@json_option
@click.pass_obj
def coding_agreement_command(state: CliState, identifier: str | None, as_json: bool) -> None:
    """Agreement between coders per configuration, on which excerpts each linked to it
    (percentage and Cohen's kappa), over the documents both coded."""
    store = state.open()
    try:
        report = coding.coder_agreement(store, identifier)
    finally:
        store.close()
    rows = [
        {
            "configuration": a.configuration,
            "coders": list(a.coders),
            "excerpts": a.excerpts,
            "both": a.both,
            "only_first": a.only_first,
            "only_second": a.only_second,
            "percent": round(a.percent, 1),
            "kappa": None if a.kappa is None else round(a.kappa, 3),
        }
        for a in report
    ]
    if as_json:
        print_json(rows)
        return
    if not report:
        state.console.print("No configuration has been coded by two coders in the same documents.")
        return
    table = Table(
        "Config",
        "Coders",
        "Excerpts",
        "Both",
        "Only 1st",
        "Only 2nd",
        "%",
        "Kappa",
        box=None,
        header_style="bold",
    )
    for a in report:
        table.add_row(
            escape(a.configuration),
            escape(" & ".join(a.coders)),
            str(a.excerpts),
            str(a.both),
            str(a.only_first),
            str(a.only_second),
            f"{a.percent:.1f}",
            "—" if a.kappa is None else f"{a.kappa:.2f}",
        )
    state.console.print(table)


@cli.command(epilog=examples("realist framework", "realist framework --json"))
@json_option
@click.pass_obj
def framework(state: CliState, as_json: bool) -> None:
    """The framework matrix: documents × configurations with the coded text in each cell."""
    store = state.open()
    try:
        documents, configurations, cells = queries.framework_matrix(store)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "documents": documents,
                "configurations": configurations,
                "cells": [
                    {
                        "document": c.document,
                        "configuration": c.configuration,
                        "excerpts": [
                            {"excerpt": label, "text": text} for label, text in c.excerpts
                        ],
                    }
                    for c in cells
                ],
            }
        )
        return
    for c in cells:
        state.console.print(f"[bold]{escape(c.document)} × {escape(c.configuration)}[/]")
        for label, text in c.excerpts:
            state.console.print(f"  {label}: {text}", markup=False, highlight=False)
