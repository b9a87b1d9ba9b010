"""Screening from the terminal: the one-key loop, criteria, terms, conflicts, agreement."""

from __future__ import annotations

import re
import sys

import click
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.segment import Segment, Segments
from rich.text import Text

from realist.cli.app import ID, CliState, cli, examples, json_option, print_json
from realist.domain.bibliography import source_reference
from realist.domain.documents import Document
from realist.domain.records import Record
from realist.domain.screening import (
    CriterionKind,
    Decision,
    EligibilityCriterion,
    ScreeningMode,
    Stage,
)
from realist.domain.screening_order import ORDER_WORDS, ScreeningOrder
from realist.reports.wording import counted
from realist.services import criteria as corrections
from realist.services import prioritising, screening
from realist.services.ranking_reasons import Why
from realist.store import Store

STAGES = {"title-abstract": Stage.TITLE_ABSTRACT, "full-text": Stage.FULL_TEXT}
KEYS = (
    "[bold]i[/] include  [bold]e[/] exclude  [bold]m[/] maybe  [bold]u[/] undo  "
    "[bold]n[/] next (skip for now)  [bold]q[/] quit"
)
FULL_TEXT_KEYS = "[bold]r[/] full text not retrieved  "
CHOICES = {"i": Decision.INCLUDE, "e": Decision.EXCLUDE, "m": Decision.MAYBE}
FULL_TEXT_CHOICES = {**CHOICES, "r": Decision.NOT_RETRIEVED}
MORE = "space"  # the key that shows the next screenful of a long record
NO_TERMINAL = (
    "the screening loop reads single keys from a terminal, and standard input is not one; "
    "decide records one at a time with: realist screen --record N --decide "
    "include|exclude|maybe [--reason CODE] (at full text also not_retrieved)"
)


def full_text_line(document: Document | None, record_id: int) -> str:
    """Whether a full text is attached to the record being screened at full text."""
    if document is None:
        return (
            f"[yellow]No full text attached.[/] Attach it with "
            f"[bold]realist attach FILE --record {record_id}[/], or press r if it cannot be "
            "retrieved."
        )
    return f"Full text: [bold]{document.key}[/] (see [bold]realist document {document.key}[/])"


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


def reasons(why: Why | None) -> Text:
    """Why the record comes now: the queue's order, the record's score and the terms that
    pushed it up (plain text: the terms come from imported records)."""
    if why is None:
        return Text("")
    shown = Text(f"Ranked by: {why.words} — {why.basis}.", style="dim")
    if why.score is not None:
        shown.append(f"\nScore {why.score:.2f} ({why.score_means})", style="dim")
        if why.terms:
            shown.append("; pushed up by: ", style="dim")
            shown.append(", ".join(why.terms), style="italic")
        else:
            shown.append("; no term of it pushed the score up", style="dim")
    if why.note:
        shown.append(f"\n{why.note}", style="dim")
    return shown


def _card(
    item: Record,
    terms: dict[CriterionKind, list[str]],
    done: int,
    total: int,
    why: Why | None = None,
) -> Panel:
    authors = "; ".join(item.authors[:6]) + (" et al." if len(item.authors) > 6 else "")
    where = source_reference(item.journal, item.year, item.volume, item.issue, item.pages)
    body = Group(
        _bold(highlighted(item.title or "(no title)", terms)),
        Text(f"{authors}\n{where}", style="dim"),
        Text(""),
        highlighted(item.abstract or "(no abstract)", terms),
        Text(""),
        reasons(why),
    )
    return Panel(body, title=f"Record {item.id}", subtitle=f"{done}/{total} screened")


def _pages(console: Console, card: Panel) -> list[list[Segment]]:
    """The card wrapped at the terminal's width, cut into screenfuls (each a list of
    segments ready to print), leaving two lines for the keys."""
    # The CLI's console soft-wraps (long lines go to the terminal whole); a card is a
    # panel, which rich would then cut to one line per paragraph, so render it wrapped.
    lines = console.render_lines(card, console.options, pad=False)
    height = max(console.height - 3, 5)
    pages = []
    for start in range(0, len(lines), height):
        page: list[Segment] = []
        for line in lines[start : start + height]:
            page += [*line, Segment.line()]
        pages.append(page)
    return pages


def _read_key(console: Console, card: Panel, keys: str = KEYS, footer: str = "") -> str:
    """Show the card a screenful at a time (then ``footer``, e.g. whether a full text is
    attached) and return the first key that is not "more"."""
    pages = _pages(console, card)
    shown = 0
    while True:
        console.print(Segments(pages[shown]), end="")
        more = shown + 1 < len(pages)
        if footer and not more:
            console.print(footer, soft_wrap=False, highlight=False)
        hint = f"  [bold]{MORE}[/] more ({shown + 1}/{len(pages)})" if more else ""
        console.print(keys + hint, soft_wrap=False)  # wrapped, as the card is
        key = click.getchar().lower()
        if key == " " and more:
            shown += 1
            continue
        return key


def _keyboard() -> bool:
    """Whether single keys can be read: standard input is a terminal, or a program running
    the command in-process (click's test runner) has put its own input in its place."""
    return sys.stdin.isatty() or sys.stdin is not sys.__stdin__


def _ask_reason(state: CliState, options: list[EligibilityCriterion], required: bool) -> str | None:
    """A numbered menu of exclusion criteria; Enter skips when a reason is optional."""
    for n, c in enumerate(options, 1):
        shown = f"{escape(c.dimension)}: {escape(c.text)}"
        state.console.print(f"  [bold]{n}[/] {shown}", highlight=False)
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
        "realist screen --stage full-text --record 12 --decide not_retrieved",
    )
)
@click.option(
    "--stage", type=click.Choice(list(STAGES)), default="title-abstract", show_default=True
)
@click.option("--record", "record_id", type=ID, help="With --decide: the record to decide.")
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
    record for now: it comes round again after the last one), q quit; at full text also
    r (the report could not be retrieved); space shows more of a record longer than the
    screen. Deciding a record again (--record N --decide) changes your decision; the audit
    trail keeps the earlier one. The loop needs a terminal: in a script, decide with
    --record N --decide D.
    Inclusion terms show in green and exclusion terms in red (see `realist terms`).
    """
    store = state.open()
    try:
        if decide is not None:
            if record_id is None:
                raise click.UsageError("--decide needs --record")
            done = screening.decide(
                store, record_id, STAGES[stage], Decision(decide), state.reviewer, reason, note
            )
            before = done.previous
            changed = before is not None and before.decision != done.decision.decision
            was = f" (changed from {before.decision.value})" if before and changed else ""
            state.console.print(f"Record {record_id}: {decide}{was}")
            return
        if not _keyboard():
            raise click.ClickException(NO_TERMINAL)
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
            prioritising.wait(timeout=10)
            console.print(f"Nothing left to screen at this stage ({nxt.progress.done} done).")
            return
        item = nxt.record
        assert item.id is not None
        footer = full_text_line(nxt.full_text, item.id) if stage is Stage.FULL_TEXT else ""
        keys = (FULL_TEXT_KEYS if stage is Stage.FULL_TEXT else "") + KEYS
        card = _card(item, terms, nxt.progress.done, nxt.progress.total, nxt.why)
        key = _read_key(console, card, keys, footer)
        if key == "q":
            prioritising.wait(timeout=10)  # the rankings made meanwhile are recorded
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
        choice = (FULL_TEXT_CHOICES if stage is Stage.FULL_TEXT else CHOICES).get(key)
        if choice is None:
            console.print(f"[red]Unknown key {escape(repr(key))}.[/]")
            continue
        code = None
        if choice is Decision.EXCLUDE and reasons:
            code = _ask_reason(state, reasons, required=stage is Stage.FULL_TEXT)
        screening.screen(store, item.id, stage, choice, state.reviewer, code)
        why = f" ({escape(code)})" if code else ""
        console.print(f"Record {item.id}: [bold]{choice.value}[/]{why}")


@cli.command(
    epilog=examples(
        "realist criteria",
        'realist criteria --add E-POP --dimension population --exclusion --text "Not teachers"',
        "realist criteria --remove E-PPO --replace-with E-POP",
        "realist criteria --retire E-OLD",
    )
)
@click.option("--add", "code", metavar="CODE", help="Add a criterion with this code.")
@click.option("--dimension", default="other", show_default=True)
@click.option(
    "--exclusion/--inclusion", default=True, help="Kind of criterion (default exclusion)."
)
@click.option("--text", default="")
@click.option("--remove", metavar="CODE", help="Delete a criterion no decision cites.")
@click.option(
    "--replace-with", metavar="CODE", help="With --remove: the criterion its decisions cite now."
)
@click.option("--retire", metavar="CODE", help="Keep it for decisions, offer it no more.")
@json_option
@click.pass_obj
def criteria(
    state: CliState,
    code: str | None,
    dimension: str,
    exclusion: bool,
    text: str,
    remove: str | None,
    replace_with: str | None,
    retire: str | None,
    as_json: bool,
) -> None:
    """List the eligibility criteria (retired ones marked), or add one that exclusions
    can cite, remove one, or retire one. To edit one: `realist change criterion`."""
    store = state.open()
    try:
        if code:
            kind = CriterionKind.EXCLUSION if exclusion else CriterionKind.INCLUSION
            screening.add_criterion(store, code, dimension, kind, text, state.reviewer)
        if remove:
            corrections.delete_criterion(store, remove, state.reviewer, replace_with=replace_with)
        if retire:
            corrections.retire_criterion(store, retire, state.reviewer)
        items = screening.criteria(store, retired=True)
    finally:
        store.close()
    if as_json:
        print_json(
            [
                {
                    "code": c.code,
                    "dimension": c.dimension,
                    "kind": c.kind.value,
                    "text": c.text,
                    "retired": c.retired,
                }
                for c in items
            ]
        )
        return
    for c in items:
        retired = escape(" [retired]") if c.retired else ""
        state.console.print(
            f"[bold]{escape(c.code)}[/] ({c.kind.value}, {escape(c.dimension)}) "
            f"{escape(c.text)}{retired}",
            highlight=False,
        )


@cli.command(
    epilog=examples(
        "realist terms",
        "realist terms --include mentor --include 'coach*'",
        "realist terms --exclude inpatient",
        "realist terms --remove inpatient",
    )
)
@click.option("--include", "include", multiple=True, help="A term to highlight in green.")
@click.option("--exclude", "exclude", multiple=True, help="A term to highlight in red.")
@click.option("--remove", "remove", multiple=True, help="A term to highlight no more.")
@click.pass_obj
def terms(
    state: CliState, include: tuple[str, ...], exclude: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Keyword highlighting lists for screening: inclusion and exclusion terms."""
    store = state.open()
    try:
        if remove:
            corrections.remove_highlight_terms(store, list(remove), state.reviewer)
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
        state.console.print(f"[bold]{kind.value}[/]: {escape(', '.join(listed)) or '(none)'}")


@cli.command(
    epilog=examples("realist conflicts", "realist conflicts --resolve 12 --decide include")
)
@click.option(
    "--stage", type=click.Choice(list(STAGES)), default="title-abstract", show_default=True
)
@click.option("--resolve", "record_id", type=ID, help="Resolve the conflict on this record.")
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
        state.console.print(f"[bold]{r.id}[/] {escape(r.title)} — {says}", highlight=False)


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


@cli.command(
    "screening-mode",
    epilog=examples(
        "realist screening-mode",
        "realist screening-mode dual",
        "realist screening-mode --order random --seed 7",
        "realist screening-mode single --order file --stage full-text",
        "realist screening-mode --json",
    ),
)
@click.argument("mode", required=False, type=click.Choice([m.value for m in ScreeningMode]))
@click.option(
    "--order",
    type=click.Choice([o.value for o in ScreeningOrder]),
    help="The order the stage's queue hands records out in: prioritised (most likely "
    "includes first, learning from every decision), file (as imported) or random.",
)
@click.option(
    "--stage",
    type=click.Choice(list(STAGES)),
    default="title-abstract",
    show_default=True,
    help="With --order: the stage it applies to.",
)
@click.option("--seed", type=int, help="With --order random: the seed (default: drawn, recorded).")
@json_option
@click.pass_obj
def screening_mode(
    state: CliState,
    mode: str | None,
    order: str | None,
    stage: str,
    seed: int | None,
    as_json: bool,
) -> None:
    """Single screening, or dual independent (blinded) screening with conflicts; and the
    order each stage's queue hands records out in (default: prioritised at title/abstract,
    file order at full text). Without arguments, show them. Each change is an event in the
    audit trail; a random order's seed is recorded, so the same seed gives the same order."""
    if seed is not None and order != ScreeningOrder.RANDOM.value:
        raise click.UsageError("--seed goes with --order random")
    store = state.open()
    try:
        if mode is not None:
            screening.set_screening_mode(store, ScreeningMode(mode), state.reviewer)
        if order is not None:
            prioritising.set_order(
                store, STAGES[stage], ScreeningOrder(order), state.reviewer, seed=seed
            )
        current = screening.screening_mode(store)
        orders = prioritising.orders(store)
    finally:
        store.close()
    if as_json:
        print_json(
            {
                "mode": current.value,
                "order": {
                    s.value: {"order": o.order.value, "seed": o.seed} for s, o in orders.items()
                },
            }
        )
        return
    state.console.print(f"Screening mode: {current.value}")
    for each, chosen in orders.items():
        seeded = f" (seed {chosen.seed})" if chosen.seed is not None else ""
        words = ORDER_WORDS[chosen.order]
        state.console.print(f"Order at {_STAGE_NAMES[each]}: {words}{seeded}")


_STAGE_NAMES = {Stage.TITLE_ABSTRACT: "title/abstract", Stage.FULL_TEXT: "full text"}
