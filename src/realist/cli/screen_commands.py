"""Screening from the terminal: the one-key loop, criteria, terms, conflicts, agreement."""

from __future__ import annotations

import re

import click
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.records import Record
from realist.domain.screening import (
    CriterionKind,
    Decision,
    EligibilityCriterion,
    ScreeningMode,
    Stage,
)
from realist.reports.wording import counted
from realist.services import screening
from realist.store import Store

STAGES = {"title-abstract": Stage.TITLE_ABSTRACT, "full-text": Stage.FULL_TEXT}
KEYS = (
    "[bold]i[/] include  [bold]e[/] exclude  [bold]m[/] maybe  [bold]u[/] undo  "
    "[bold]n[/] next (skip for now)  [bold]q[/] quit"
)


def highlighted(text: str, terms: dict[CriterionKind, list[str]]) -> Text:
    """The text with inclusion terms in green and exclusion terms in red (whole-word-ish,
    case-insensitive; a trailing * in a term matches any ending, as in search strategies)."""
    shown = Text(text)
    for kind, style in (
        (CriterionKind.INCLUSION, "bold green"),
        (CriterionKind.EXCLUSION, "bold red"),
    ):
        for term in terms.get(kind, []):
            stem = re.escape(term.rstrip("*"))
            if not stem:
                continue
            pattern = rf"\b{stem}\w*" if term.endswith("*") else rf"\b{stem}\b"
            shown.highlight_regex(re.compile(pattern, re.IGNORECASE), style)
    return shown


def _bold(text: Text) -> Text:
    text.stylize("bold")
    return text


def _card(item: Record, terms: dict[CriterionKind, list[str]], done: int, total: int) -> Panel:
    authors = "; ".join(item.authors[:6]) + (" et al." if len(item.authors) > 6 else "")
    where = " ".join(str(p) for p in (item.journal, item.year or "") if p)
    body = Group(
        _bold(highlighted(item.title or "(no title)", terms)),
        Text(f"{authors}\n{where}", style="dim"),
        Text(""),
        highlighted(item.abstract or "(no abstract)", terms),
    )
    return Panel(body, title=f"Record {item.id}", subtitle=f"{done}/{total} screened")


def _ask_reason(state: CliState, options: list[EligibilityCriterion], required: bool) -> str | None:
    """A numbered menu of exclusion criteria; Enter skips when a reason is optional."""
    for n, c in enumerate(options, 1):
        state.console.print(f"  [bold]{n}[/] {c.dimension}: {c.text}", highlight=False)
    hint = "number" + ("" if required else ", or Enter for no reason")
    while True:
        answer = click.prompt(
            f"Reason ({hint})", default="" if not required else None, show_default=False
        )
        if not answer and not required:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1].code
        state.console.print("[red]Choose one of the numbers above.[/]")


@cli.command(
    epilog=examples(
        "realist screen",
        "realist --reviewer ann screen --stage full-text",
        "realist screen --record 12 --decide exclude --reason E-POP",
    )
)
@click.option(
    "--stage", type=click.Choice(list(STAGES)), default="title-abstract", show_default=True
)
@click.option("--record", "record_id", type=int, help="With --decide: the record to decide.")
@click.option(
    "--decide", type=click.Choice([d.value for d in Decision]), help="Decide one record and exit."
)
@click.option("--reason", metavar="CODE", help="With --decide exclude: the criterion's code.")
@click.option("--note", default="", help="With --decide: a note kept with the decision.")
@click.pass_obj
def screen(
    state: CliState,
    stage: str,
    record_id: int | None,
    decide: str | None,
    reason: str | None,
    note: str,
) -> None:
    """Screen records one at a time with single keys; each decision is saved at once.

    Keys: i include, e exclude (with a reason menu), m maybe, u undo, n next (skip this
    record for now: it comes round again after the last one), q quit.
    Inclusion terms show in green and exclusion terms in red (see `realist terms`).
    """
    store = state.open()
    try:
        if decide is not None:
            if record_id is None:
                raise click.UsageError("--decide needs --record")
            screening.screen(
                store, record_id, STAGES[stage], Decision(decide), state.reviewer, reason, note
            )
            state.console.print(f"Record {record_id}: {decide}")
            return
        _loop(state, store, STAGES[stage])
    finally:
        store.close()


def _loop(state: CliState, store: Store, stage: Stage) -> None:
    console = state.console
    terms = screening.highlight_terms(store)
    reasons = [c for c in screening.criteria(store) if c.kind is CriterionKind.EXCLUSION]
    after: int | None = None  # the record just decided or skipped: go on from there
    while True:
        nxt = screening.next_record(store, stage, state.reviewer, after)
        if nxt.record is None:
            console.print(f"Nothing left to screen at this stage ({nxt.progress.done} done).")
            return
        item = nxt.record
        assert item.id is not None
        console.print(_card(item, terms, nxt.progress.done, nxt.progress.total))
        console.print(KEYS)
        key = click.getchar().lower()
        if key == "q":
            console.print("Saved. Bye.")
            return
        if key == "u":
            undone = screening.undo_last(store, stage, state.reviewer)
            console.print(f"Undid record {undone.record_id}." if undone else "Nothing to undo.")
            after = None
            continue
        after = item.id
        if key == "n":
            continue
        choice = {"i": Decision.INCLUDE, "e": Decision.EXCLUDE, "m": Decision.MAYBE}.get(key)
        if choice is None:
            console.print(f"[red]Unknown key {key!r}.[/]")
            continue
        code = None
        if choice is Decision.EXCLUDE and reasons:
            code = _ask_reason(state, reasons, required=stage is Stage.FULL_TEXT)
        screening.screen(store, item.id, stage, choice, state.reviewer, code)
        console.print(f"Record {item.id}: [bold]{choice.value}[/]" + (f" ({code})" if code else ""))


@cli.command(
    epilog=examples(
        "realist criteria",
        'realist criteria --add E-POP --dimension population --exclusion --text "Not teachers"',
    )
)
@click.option("--add", "code", metavar="CODE", help="Add a criterion with this code.")
@click.option("--dimension", default="other", show_default=True)
@click.option(
    "--exclusion/--inclusion", default=True, help="Kind of criterion (default exclusion)."
)
@click.option("--text", default="")
@json_option
@click.pass_obj
def criteria(
    state: CliState, code: str | None, dimension: str, exclusion: bool, text: str, as_json: bool
) -> None:
    """List the eligibility criteria, or add one that exclusions can cite."""
    store = state.open()
    try:
        if code:
            kind = CriterionKind.EXCLUSION if exclusion else CriterionKind.INCLUSION
            screening.add_criterion(store, code, dimension, kind, text, state.reviewer)
        items = screening.criteria(store)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {"code": c.code, "dimension": c.dimension, "kind": c.kind.value, "text": c.text}
                for c in items
            ]
        )
        return
    for c in items:
        state.console.print(
            f"[bold]{c.code}[/] ({c.kind.value}, {c.dimension}) {c.text}", highlight=False
        )


@cli.command(
    epilog=examples(
        "realist terms",
        "realist terms --include mentor --include 'coach*'",
        "realist terms --exclude inpatient",
    )
)
@click.option("--include", "include", multiple=True, help="A term to highlight in green.")
@click.option("--exclude", "exclude", multiple=True, help="A term to highlight in red.")
@click.pass_obj
def terms(state: CliState, include: tuple[str, ...], exclude: tuple[str, ...]) -> None:
    """Keyword highlighting lists for screening: inclusion and exclusion terms."""
    store = state.open()
    try:
        if include:
            screening.add_highlight_terms(
                store, list(include), CriterionKind.INCLUSION, state.reviewer
            )
        if exclude:
            screening.add_highlight_terms(
                store, list(exclude), CriterionKind.EXCLUSION, state.reviewer
            )
        found = screening.highlight_terms(store)
    finally:
        store.close()
    for kind, listed in found.items():
        state.console.print(f"[bold]{kind.value}[/]: {', '.join(listed) or '(none)'}")


@cli.command(
    epilog=examples("realist conflicts", "realist conflicts --resolve 12 --decide include")
)
@click.option(
    "--stage", type=click.Choice(list(STAGES)), default="title-abstract", show_default=True
)
@click.option("--resolve", "record_id", type=int, help="Resolve the conflict on this record.")
@click.option("--decide", type=click.Choice([d.value for d in Decision]))
@click.option("--reason", metavar="CODE")
@json_option
@click.pass_obj
def conflicts(
    state: CliState,
    stage: str,
    record_id: int | None,
    decide: str | None,
    reason: str | None,
    as_json: bool,
) -> None:
    """Dual screening: records two reviewers disagree on, and their resolution."""
    store = state.open()
    try:
        if record_id is not None:
            if decide is None:
                raise click.UsageError("--resolve needs --decide")
            screening.resolve_conflict(
                store, record_id, STAGES[stage], Decision(decide), state.reviewer, reason
            )
            state.console.print(f"Resolved record {record_id}: {decide}")
            return
        found = screening.conflicts(store, STAGES[stage])
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "record": r.id,
                    "title": r.title,
                    "decisions": {d.reviewer_key: d.decision.value for d in ds},
                }
                for r, ds in found
            ]
        )
        return
    if not found:
        state.console.print("No conflicts.")
    for r, ds in found:
        says = ", ".join(f"{d.reviewer_key}: {d.decision.value}" for d in ds)
        state.console.print(f"[bold]{r.id}[/] {r.title} — {says}", highlight=False)


@cli.command(epilog=examples("realist agreement", "realist agreement --json"))
@json_option
@click.pass_obj
def agreement(state: CliState, as_json: bool) -> None:
    """Agreement between reviewers: percentage and Cohen's kappa per stage and pair."""
    store = state.open()
    report = screening.agreement_report(store)
    store.close()
    rows = [
        {
            "stage": a.stage.value,
            "reviewers": list(a.reviewers),
            "records": a.records,
            "percent": round(a.percent, 1),
            "kappa": None if a.kappa is None else round(a.kappa, 3),
        }
        for a in report
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        state.console.print("No records were screened by two reviewers yet.")
    for a in report:
        kappa = "undefined" if a.kappa is None else f"{a.kappa:.3f}"
        state.console.print(
            f"{a.stage.value}: {' & '.join(a.reviewers)} on {counted(a.records, 'record')} — "
            f"{a.percent:.1f}% agreement, kappa {kappa}"
        )


@cli.command("screening-mode", epilog=examples("realist screening-mode dual"))
@click.argument("mode", type=click.Choice([m.value for m in ScreeningMode]))
@click.pass_obj
def screening_mode(state: CliState, mode: str) -> None:
    """Single screening, or dual independent (blinded) screening with conflicts."""
    store = state.open()
    try:
        screening.set_screening_mode(store, ScreeningMode(mode), state.reviewer)
    finally:
        store.close()
    state.console.print(f"Screening mode: {mode}")
