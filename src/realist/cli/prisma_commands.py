"""`realist prisma`: the PRISMA 2020 flow diagram and counts, from the review's data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.prisma import consistency_problems
from realist.reports.prisma_csv import to_prisma2020_csv
from realist.reports.prisma_diagram import render_png, render_svg
from realist.services.prisma import prisma_counts, set_manual_counts
from realist.store import reviews as reviews_repo


@cli.command(
    epilog=examples(
        "realist prisma",
        "realist prisma --svg prisma.svg --png prisma.png --csv prisma.csv",
        "realist prisma --set organisation_results=3 --set dbr_notretrieved_reports=2",
    )
)
@click.option("--svg", type=click.Path(path_type=Path), help="Write the flow diagram as SVG.")
@click.option("--png", type=click.Path(path_type=Path), help="Write the flow diagram as PNG.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path),
    help="Write the counts as the PRISMA2020 R package's CSV.",
)
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="BOX=N",
    help="Enter a count the data cannot know (BOX=unknown clears it).",
)
@json_option
@click.pass_obj
def prisma(
    state: CliState,
    svg: Path | None,
    png: Path | None,
    csv_path: Path | None,
    settings: tuple[str, ...],
    as_json: bool,
) -> None:
    """PRISMA 2020 counts computed from the records and screening decisions, and the flow
    diagram laid out like the official template (unknown boxes shown as unknown)."""
    store = state.open()
    try:
        if settings:
            set_manual_counts(store, dict(_parse(s) for s in settings), state.reviewer)
        counts = prisma_counts(store)
        with store.reading() as connection:
            title = reviews_repo.get_review(connection).title
    finally:
        store.close()
    for path, write in (
        (svg, lambda p: p.write_text(render_svg(counts, title), encoding="utf-8")),
        (png, lambda p: render_png(counts, p, title)),
        (csv_path, lambda p: p.write_text(to_prisma2020_csv(counts), encoding="utf-8")),
    ):
        if path is not None:
            write(path)
            state.console.print(f"Wrote {path}")
    problems = consistency_problems(counts)
    if as_json:
        print_json({"counts": dataclasses.asdict(counts), "problems": problems})
        return
    if svg or png or csv_path:
        return
    table = Table("Box", "n", box=None, header_style="bold")
    for name, value in dataclasses.asdict(counts).items():
        if isinstance(value, dict):
            shown = "; ".join(
                f"{k or 'no reason'}: {'?' if v is None else v}" for k, v in value.items()
            )
            table.add_row(name, escape(shown) or "—")
        else:
            table.add_row(name, "unknown" if value is None else str(value))
    state.console.print(table)
    for problem in problems:
        state.console.print(f"[yellow]check:[/] {escape(problem)}", highlight=False)


def _parse(text: str) -> tuple[str, int | None]:
    name, sep, value = text.partition("=")
    value = value.strip()
    if not sep or not (value.isdigit() or value == "unknown"):
        raise click.UsageError(f"--set takes BOX=N or BOX=unknown, not {text!r}")
    return name.strip(), None if value == "unknown" else int(value)
