"""Commands for full texts and MMAT appraisal (interventions: intervention_commands)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import ID, CliState, cli, examples, json_option, print_json
from realist.domain.appraisal import MMAT_CRITERIA, MMAT_QUANTITATIVE_COMPONENTS, MMATAnswer
from realist.domain.documents import DocumentType, StudyDesign
from realist.reports.wording import counted, humanise, plural
from realist.services import documents

ANSWERS = {
    "y": MMATAnswer.YES,
    "yes": MMATAnswer.YES,
    "n": MMATAnswer.NO,
    "no": MMATAnswer.NO,
    "?": MMATAnswer.CANT_TELL,
    "cant_tell": MMATAnswer.CANT_TELL,
}


def _characters(n: int) -> str:
    """A text's length: "61,974 characters"."""
    return f"{n:,} {plural(n, 'character')}"


@cli.command(
    epilog=examples(
        "realist attach smith-2019.pdf --record 12 --design qualitative",
        "realist attach report.docx --key acacia-2019 --type report",
        "realist attach smith-2019-v2.pdf --key smith-2019",
        "realist attach late.pdf --record 31 --override 'excluded at title/abstract in error'",
    )
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--key",
    help="Add a new version to this document, or name a new one (default for a new one: "
    "first author and year, e.g. thapa-2020).",
)
@click.option("--title")
@click.option("--record", "record_id", type=ID, help="The record it is the full text of.")
@click.option(
    "--override",
    metavar="WHY",
    help="Attach to a record screening excluded anyway (recorded; it does not count as included).",
)
@click.option(
    "--type",
    "document_type",
    type=click.Choice([t.value for t in DocumentType]),
    default=DocumentType.PEER_REVIEWED_ARTICLE.value,
    show_default=True,
)
@click.option("--design", type=click.Choice([d.value for d in StudyDesign]))
@json_option
@click.pass_obj
def attach(
    state: CliState,
    file: Path,
    key: str | None,
    title: str | None,
    record_id: int | None,
    document_type: str,
    design: str | None,
    override: str | None,
    as_json: bool,
) -> None:
    """Attach a full text (PDF, DOCX, HTML, TXT, Markdown); its text is extracted with a
    page map and the file is kept in the review. A new version is added only to the
    document you name (--key, or the one already attached to --record), listing the
    excerpts whose text no longer matches; otherwise a new document is made. A record
    excluded by screening needs --override."""
    store = state.open()
    try:
        done = documents.attach_document(
            store,
            file,
            key=key,
            title=title,
            record_id=record_id,
            document_type=DocumentType(document_type),
            study_design=StudyDesign(design) if design else None,
            reviewer=state.reviewer,
            override=override,
        )
    finally:
        store.close()
    if as_json:
        print_json(done.__dict__)
        return
    what = "new document" if done.version == 1 else f"text version {done.version}"
    state.console.print(
        f"Attached [bold]{escape(done.key)}[/] ({what}, {done.format}, "
        f"{counted(done.pages, 'page')}, {_characters(done.characters)})",
        highlight=False,
    )
    for warning in done.warnings:
        state.console.print(f"  [yellow]warning:[/] {escape(warning)}", highlight=False)
    if done.stale_excerpts:
        stale = len(done.stale_excerpts)
        state.console.print(
            f"  [yellow]{counted(stale, 'excerpt')} no longer "
            f"{plural(stale, 'matches', 'match')} the new text:[/] "
            + ", ".join(done.stale_excerpts)
        )


@cli.command("documents", epilog=examples("realist documents", "realist documents --json"))
@json_option
@click.pass_obj
def documents_(state: CliState, as_json: bool) -> None:
    """The review's documents: key, reference, type, design and title."""
    store = state.open()
    try:
        found = documents.list_documents(store)
    finally:
        store.close()
    rows = [
        {
            "key": d.key,
            "reference": d.reference_number,
            "type": d.document_type.value,
            "design": d.study_design.value if d.study_design else None,
            "included": d.counted,
            "title": d.title,
            "record": d.record_id,
            "status": d.status.value if d.status else None,
            "override": d.inclusion_override,
        }
        for d in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "Key", "Ref", "Record", "Status", "Type", "Design", "Title", box=None, header_style="bold"
    )
    for r, d in zip(rows, found, strict=True):
        status = humanise(str(r["status"] or ""))
        if d.inclusion_override:
            status += f" (override: {d.inclusion_override})"
        cells = (r["key"], r["reference"] or "", r["record"] or "", status, r["type"])
        table.add_row(*(escape(str(c)) for c in (*cells, r["design"] or "—", r["title"])))
    state.console.print(table, highlight=False)


@cli.command(epilog=examples("realist document smith-2019", "realist document smith-2019 --text"))
@click.argument("key")
@click.option("--text", "show_text", is_flag=True, help="Print the extracted text.")
@json_option
@click.pass_obj
def document(state: CliState, key: str, show_text: bool, as_json: bool) -> None:
    """One document: versions, page map and coded excerpts (or its text)."""
    store = state.open()
    try:
        view = documents.show_document(store, key)
    finally:
        store.close()
    d = view.document
    if show_text:
        click.echo(d.text)
        return
    data = {
        "key": d.key,
        "title": d.title,
        "type": d.document_type.value,
        "design": d.study_design.value if d.study_design else None,
        "versions": view.versions,
        "characters": len(d.text),
        "pages": [[p.number, p.start, p.end] for p in view.pages],
        "excerpts": view.excerpts,
        "sha256": d.text_sha256,
    }
    if as_json:
        print_json(data)
        return
    state.console.print(f"[bold]{escape(d.key)}[/] {escape(d.title)}", highlight=False)
    state.console.print(
        f"{data['type']}, {data['design'] or 'design not recorded'}; version {view.versions}, "
        f"{counted(len(view.pages), 'page')}, {_characters(len(d.text))}, "
        f"{counted(view.excerpts, 'excerpt')}"
    )


@cli.command(
    epilog=examples(
        "realist mmat",
        "realist mmat smith-2019 --category qualitative --screening y,y --criteria y,y,n,y,?",
        "realist mmat hall-2019 --category mixed_methods --screening y,y --criteria y,y,n,y,? "
        "--qualitative y,y,y,y,y --quantitative non_randomised:y,n,y,?,y",
        "realist mmat hall-2019 --category mixed_methods --screening y,y --criteria y,y,y,y,y "
        "--qualitative y,y,?,y,y --quantitative 4:y,y,y,n,y",
        "realist mmat --json",
    )
)
@click.argument("key", required=False)
@click.option("--category", type=click.Choice([c.value for c in MMAT_CRITERIA]))
@click.option("--screening", help="Answers to S1,S2: y, n or ? (can't tell).")
@click.option("--criteria", help="Answers to the category's five criteria: y, n or ?.")
@click.option(
    "--qualitative",
    help="Mixed methods: the qualitative component's answers to criteria 1.1-1.5.",
)
@click.option(
    "--quantitative",
    help="Mixed methods: the quantitative component, CATEGORY:ANSWERS, where CATEGORY is "
    "randomised_controlled_trial (or 2), non_randomised (3) or quantitative_descriptive (4).",
)
@click.option("--note", default="")
@json_option
@click.pass_obj
def mmat(
    state: CliState,
    key: str | None,
    category: str | None,
    screening: str | None,
    criteria: str | None,
    qualitative: str | None,
    quantitative: str | None,
    note: str,
    as_json: bool,
) -> None:
    """MMAT 2018 appraisal of a document, or (without KEY) the table of results.

    A mixed methods study (MMAT section 5) is appraised with the five mixed methods
    criteria and the criteria of its components: --qualitative (section 1) and
    --quantitative with its category (section 2, 3 or 4)."""
    components = _components(qualitative, quantitative)
    store = state.open()
    try:
        if key:
            if not category or not screening:
                raise click.UsageError("appraising needs --category and --screening")
            documents.appraise_mmat(
                store,
                key,
                StudyDesign(category),
                _answers(screening),
                _answers(criteria) if criteria else [],
                state.reviewer,
                note,
                components=components,
            )
        elif components:
            raise click.UsageError("--qualitative and --quantitative appraise a document: give KEY")
        found = documents.mmat_table(store)
    finally:
        store.close()
    rows = [
        {
            "document": a.document_key,
            "reviewer": a.reviewer_key,
            "category": a.category.value,
            "screening": [x.value for x in a.screening],
            "criteria": [x.value for x in a.criteria],
            "met": a.met,
            "note": a.note,
            "components": {
                c.value: {"answers": [x.value for x in answers], "met": a.component_met(c)}
                for c, answers in a.components.items()
            },
        }
        for a in found
    ]
    if as_json:
        print_json(rows)
        return
    mark = {"yes": "✓", "no": "✗", "cant_tell": "?"}
    table = Table(
        "Document", "Category", "S1 S2", "Criteria 1–5", "Met", "By", box=None, header_style="bold"
    )
    for a in found:
        table.add_row(
            escape(a.document_key),
            a.category.value,
            " ".join(mark[x.value] for x in a.screening),
            " ".join(mark[x.value] for x in a.criteria) or "—",
            f"{a.met}/5" if a.criteria else "—",
            escape(a.reviewer_key),
        )
        for c, answers in a.components.items():
            table.add_row(
                "",
                f"└ {c.value} component",
                "",
                " ".join(mark[x.value] for x in answers),
                f"{a.component_met(c)}/5",
                "",
            )
    state.console.print(table)


# MMAT's section numbers name the quantitative categories too: 2, 3 and 4.
_QUANTITATIVE = {
    **{c.value: c for c in MMAT_QUANTITATIVE_COMPONENTS},
    **{str(n): c for n, c in enumerate(MMAT_QUANTITATIVE_COMPONENTS, start=2)},
}


def _components(
    qualitative: str | None, quantitative: str | None
) -> dict[StudyDesign, list[MMATAnswer]]:
    """--qualitative y,y,y,y,y and --quantitative non_randomised:y,n,y,?,y as components."""
    found: dict[StudyDesign, list[MMATAnswer]] = {}
    if qualitative:
        found[StudyDesign.QUALITATIVE] = _answers(qualitative)
    if quantitative:
        name, colon, answers = quantitative.partition(":")
        chosen = _QUANTITATIVE.get(name.strip().lower())
        if not colon or chosen is None:
            raise click.UsageError(
                "--quantitative is CATEGORY:ANSWERS, e.g. non_randomised:y,n,y,?,y, where "
                "CATEGORY is " + ", ".join(c.value for c in MMAT_QUANTITATIVE_COMPONENTS)
            )
        found[chosen] = _answers(answers)
    return found


def _answers(text: str) -> list[MMATAnswer]:
    try:
        return [ANSWERS[a.strip().lower()] for a in text.split(",")]
    except KeyError as error:
        raise click.UsageError(f"MMAT answers are y, n or ?, not {error.args[0]!r}") from None
