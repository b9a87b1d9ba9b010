"""``realist simulate``: replay prioritised screening on a labelled file (as ASReview users do)."""

from __future__ import annotations

from pathlib import Path

import click

from realist.cli.app import COUNT, CliState, cli, examples, json_option, print_json


@cli.command(
    "simulate",
    epilog=examples(
        "realist simulate labelled.csv --prior-included 1 --prior-excluded 1 --seed 1",
        "realist simulate labelled.ris --label-column LB --order-out order.txt --plot recall.png",
    ),
)
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--prior-included",
    type=COUNT,
    default=1,
    show_default=True,
    help="Random relevant records labelled before the model starts.",
)
@click.option(
    "--prior-excluded",
    type=COUNT,
    default=1,
    show_default=True,
    help="Random irrelevant records labelled before the model starts.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**32 - 1),
    default=1,
    show_default=True,
    help="Seed of the priors and of every refit: the same seed gives the same run.",
)
@click.option(
    "--label-column",
    default="label_included",
    show_default=True,
    help="The column (or RIS tag) holding each record's label, 1 or 0.",
)
@click.option(
    "--target-recall",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="The stopping rule's target recall.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
    help="The stopping rule's confidence.",
)
@click.option(
    "--order-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rows (0-based, file order) in the order screened, one per line.",
)
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw the recall curve (.png or .svg).",
)
@json_option
@click.pass_obj
def simulate(
    state: CliState,
    data: Path,
    prior_included: int,
    prior_excluded: int,
    seed: int,
    label_column: str,
    target_recall: float,
    confidence: float,
    order_out: Path | None,
    plot: Path | None,
    as_json: bool,
) -> None:
    """Replay screening of a labelled DATA file (any format `realist import` reads) from
    random priors, refitting the ranking model after every label, and print how early the
    relevant records came: WSS@95, recall after 10% and 25% screened, ERF, and where the
    stopping rule fired. Reads nothing from and writes nothing to a review."""
    from realist.cli.progress import progress_bar
    from realist.domain.screening_metrics import found_curve
    from realist.domain.stopping import StoppingSettings
    from realist.services import simulation

    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter("the plot is written as .png or .svg", param_hint="--plot")
    labelled = simulation.read_labelled(data, label_column)
    with progress_bar(state.console, "Simulating", len(labelled.labels)) as update:
        report = simulation.simulate(
            labelled,
            prior_included=prior_included,
            prior_excluded=prior_excluded,
            seed=seed,
            stopping_settings=StoppingSettings(target_recall, confidence),
            on_step=lambda done, total: update(done, total) if done % 25 == 0 else None,
        )
    if order_out is not None:
        order_out.write_text("".join(f"{row}\n" for row in report.order.tolist()))
    if plot is not None:
        from realist.reports.recall_curve import recall_curve_svg

        svg = recall_curve_svg(
            found_curve(labelled.labels[report.order]).tolist(),
            report.records,
            report.relevant,
            title=f"{data.name}: relevant records found (seed {seed})",
            stop_at=report.stop_position,
        )
        if plot.suffix.lower() == ".svg":
            plot.write_text(svg, encoding="utf-8")
        else:
            from realist.reports.svg import svg_png

            plot.write_bytes(svg_png(svg))
    if as_json:
        print_json(report.as_dict())
        return
    for problem in labelled.problems[:5]:
        click.echo(f"note: {problem}", err=True)
    figures = report.figures
    click.echo(
        f"{data.name}: {report.records:,} records, {report.relevant:,} relevant; "
        f"seed {seed}, priors rows {report.prior_included} included, "
        f"{report.prior_excluded} excluded"
    )
    click.echo(f"  WSS@95              {figures.wss_95:.3f}")
    click.echo(f"  recall after 10%    {figures.recall_10:.3f}")
    click.echo(f"  recall after 25%    {figures.recall_25:.3f}")
    click.echo(f"  ERF after 10%       {figures.erf_10:.3f}")
    click.echo(
        f"  stopping rule       fired after {report.stop_position:,} records "
        f"({report.stop_position / report.records:.1%}), recall there {report.recall_at_stop:.3f} "
        f"(target {target_recall:.0%} with {confidence:.0%} confidence)"
    )
    click.echo(
        f"  model               {report.refits:,} refits, median "
        f"{report.median_step_seconds * 1000:.1f} ms per refit and ranking"
    )
