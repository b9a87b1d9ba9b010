"""`realist report KIND`: every report of the review, from its data (docs/REPORTS.md)."""

from __future__ import annotations

from pathlib import Path

import click

from realist.cli.app import CliState, cli, examples
from realist.reports.kinds import BINARY, KINDS, Options
from realist.services.reporting import (
    default_format,
    render_report,
    set_phrasing,
    set_rameses_note,
)

__all__ = ["cli", "report"]

SUFFIXES = {
    ".html": "html", ".htm": "html", ".md": "md", ".txt": "text", ".json": "json",
    ".csv": "csv", ".svg": "svg", ".png": "png", ".docx": "docx", ".xlsx": "xlsx",
}  # fmt: skip
FORMATS = sorted({f for k in KINDS.values() for f in k.formats})
# Options that only some reports take: option name -> the report it belongs to.
ONLY_FOR = {"by": "evidence-matrix", "phrase": "intervention-summary",
            "verb": "intervention-summary", "note": "rameses"}  # fmt: skip

HELP = (
    "Render a report of the review, generated from its data (see docs/REPORTS.md).\n\n"
    "Text formats go to stdout unless -o FILE is given; DOCX, XLSX and PNG need -o. "
    "Without --format, the format follows FILE's suffix, else the report's default (first "
    "listed); a suffix that names another format (or one Realist does not write, such as "
    ".pdf) is refused.\n\n\b\nKIND (formats):\n"
    + "\n".join(f"  {k.name:<21} {k.summary} ({', '.join(k.formats)})" for k in KINDS.values())
)


def _suffix_of(fmt: str) -> str:
    return next(s for s, f in SUFFIXES.items() if f == fmt)


def _format(kind: str, fmt: str | None, as_json: bool, output: Path | None) -> str:
    """The format asked for (``--format``/``--json``), else FILE's suffix, else the report's
    default; a FILE whose suffix names another format, or none Realist writes, is refused
    (``-o model.pdf`` would otherwise be HTML in a file that claims to be a PDF)."""
    if as_json:
        if fmt not in (None, "json"):
            raise click.UsageError("--json and --format disagree; give one of them")
        fmt = "json"
    suffix = output.suffix.lower() if output is not None else ""
    formats = KINDS[kind].formats
    if suffix and suffix not in SUFFIXES:
        names = ", ".join(f"{f} ({_suffix_of(f)})" for f in formats)
        raise click.UsageError(
            f"Realist does not write {suffix} files: '{kind}' comes as {names}; "
            f"name the file for one of them (e.g. -o {output.stem if output else kind}"
            f"{_suffix_of(formats[0])})"
        )
    if suffix and fmt and SUFFIXES[suffix] != fmt:
        raise click.UsageError(
            f"{output} says {SUFFIXES[suffix]} but --format is {fmt}: name the file "
            f"{output.stem if output else kind}{_suffix_of(fmt)}, or leave out --format"
        )
    return fmt or (SUFFIXES[suffix] if suffix else default_format(kind))


def _pairs(values: tuple[str, ...], option: str, shape: str) -> list[tuple[str, str]]:
    found = []
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.UsageError(f"{option} takes {shape}, not {value!r}")
        found.append((name.strip(), text))
    return found


def _check_options(kind: str, given: dict[str, object]) -> None:
    for name, value in given.items():
        if value and ONLY_FOR[name] != kind:
            raise click.UsageError(f"--{name} is for 'realist report {ONLY_FOR[name]}'")


def _save_settings(state: CliState, store: object, phrases: tuple[str, ...],
                   verbs: tuple[str, ...], notes: tuple[str, ...]) -> None:  # fmt: skip
    values: dict[str, dict[str, str]] = {}
    for key, text in _pairs(phrases, "--phrase", "ATTRIBUTE:VALUE=TEXT"):
        attribute, sep, value = key.partition(":")
        if not sep or not value:
            raise click.UsageError(f"--phrase takes ATTRIBUTE:VALUE=TEXT, not {key!r}")
        values.setdefault(attribute, {})[value] = text
    wording = dict(_pairs(verbs, "--verb", "ATTRIBUTE=TEXT"))
    for attribute in dict.fromkeys([*values, *wording]):
        set_phrasing(store, attribute, state.reviewer,  # type: ignore[arg-type]
                     values=values.get(attribute), verb=wording.get(attribute))  # fmt: skip
    for item, text in _pairs(notes, "--note", "ITEM=TEXT"):
        if not item.isdigit():
            raise click.UsageError(f"--note takes ITEM=TEXT with an item number, not {item!r}")
        set_rameses_note(store, int(item), text, state.reviewer)  # type: ignore[arg-type]


@cli.command(
    help=HELP,
    epilog=examples(
        "realist report review -o review.html",
        "realist report model --format docx -o model.docx",
        "realist report cmo-tables -o cmo.xlsx",
        "realist report intervention-summary",
        "realist report intervention-summary --phrase delivery:group='offered group support'",
        "realist report evidence-matrix --by documents -o matrix.png",
        "realist report rameses --note 19='Funded by NIHR; no conflicts' --format md",
    ),
)
@click.argument("kind", type=click.Choice(list(KINDS)), metavar="KIND")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE."
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--by",
    type=click.Choice(["interventions", "documents"]),
    help="evidence-matrix: columns are interventions (default) or documents.",
)
@click.option(
    "--phrase",
    "phrases",
    multiple=True,
    metavar="ATTRIBUTE:VALUE=TEXT",
    help="intervention-summary: word a value (saved with the review).",
)
@click.option(
    "--verb",
    "verbs",
    multiple=True,
    metavar="ATTRIBUTE=TEXT",
    help="intervention-summary: a verb said once per sentence (e.g. country='took place').",
)
@click.option(
    "--note",
    "notes",
    multiple=True,
    metavar="ITEM=TEXT",
    help="rameses: where the review reports an item (saved; empty TEXT removes it).",
)
@click.pass_obj
def report(
    state: CliState,
    kind: str,
    fmt: str | None,
    output: Path | None,
    as_json: bool,
    by: str | None,
    phrases: tuple[str, ...],
    verbs: tuple[str, ...],
    notes: tuple[str, ...],
) -> None:
    """Render one report (the help text is HELP, built from the list of reports)."""
    _check_options(kind, {"by": by, "phrase": phrases, "verb": verbs, "note": notes})
    chosen = _format(kind, fmt, as_json, output)
    if chosen not in KINDS[kind].formats:
        raise click.UsageError(f"'{kind}' comes as {', '.join(KINDS[kind].formats)}, not {chosen}")
    if chosen in BINARY and output is None:
        raise click.UsageError(
            f"{chosen.upper()} is a binary format: write it to a file with -o FILE "
            f"(e.g. -o {kind}.{chosen})"
        )
    store = state.open()
    try:
        _save_settings(state, store, phrases, verbs, notes)
        rendered = render_report(store, kind, chosen, Options(by=by or "interventions"))
    finally:
        store.close()
    if output is None:
        assert isinstance(rendered.content, str)
        click.echo(rendered.content, nl=False)
        return
    if isinstance(rendered.content, bytes):
        output.write_bytes(rendered.content)
    else:
        output.write_text(rendered.content, encoding="utf-8")
    state.console.print(f"Wrote {output} ({kind}, {chosen})", highlight=False, markup=False)
