"""Commands for full texts, interventions and MMAT appraisal."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.domain.appraisal import MMAT_CRITERIA, MMATAnswer
from realist.domain.documents import DocumentType, StudyDesign
from realist.reports.wording import counted, plural
from realist.services import documents, interventions

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
    )
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--key", help="The document's key (default: from the title or file name).")
@click.option("--title")
@click.option("--record", "record_id", type=int, help="The included record it is the full text of.")
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
    as_json: bool,
) -> None:
    """Attach a full text (PDF, DOCX, HTML, TXT, Markdown); its text is extracted with a
    page map and the file is kept in the review. Attaching to an existing --key adds a new
    text version and lists the excerpts whose text no longer matches."""
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
        )
    finally:
        store.close()
    if as_json:
        print_json(done.__dict__)
        return
    state.console.print(
        f"Attached [bold]{done.key}[/] (version {done.version}, {done.format}, "
        f"{counted(done.pages, 'page')}, {_characters(done.characters)})"
    )
    for warning in done.warnings:
        state.console.print(f"  [yellow]warning:[/] {warning}", markup=True, highlight=False)
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
            "included": d.included,
            "title": d.title,
        }
        for d in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table("Key", "Ref", "Type", "Design", "Title", box=None, header_style="bold")
    for r in rows:
        table.add_row(
            str(r["key"]),
            str(r["reference"] or ""),
            str(r["type"]),
            str(r["design"] or "—"),
            str(r["title"]),
        )
    state.console.print(table)


@cli.command(
    epilog=examples("realist document smith-2019", "realist document smith-2019 --text")
)
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
    state.console.print(f"[bold]{d.key}[/] {d.title}", highlight=False)
    state.console.print(
        f"{data['type']}, {data['design'] or 'design not recorded'}; version {view.versions}, "
        f"{counted(len(view.pages), 'page')}, {_characters(len(d.text))}, "
        f"{counted(view.excerpts, 'excerpt')}"
    )


@cli.command(
    epilog=examples(
        "realist intervention 23 --name 'Buddy scheme' --set delivery=group "
        "--set country=UK --document lee-2021",
        "realist intervention --import interventions.csv",
    )
)
@click.argument("number", type=int, required=False)
@click.option("--name")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="An attribute; values are typed (true/false, numbers, text).",
)
@click.option("--document", "document_keys", multiple=True, help="Link a document by key.")
@click.option(
    "--import",
    "csv_file",
    type=click.Path(path_type=Path),
    help="A CSV with number, name, documents (keys separated by ;) and attributes.",
)
@click.pass_obj
def intervention(
    state: CliState,
    number: int | None,
    name: str | None,
    settings: tuple[str, ...],
    document_keys: tuple[str, ...],
    csv_file: Path | None,
) -> None:
    """Create or change an intervention (a case): its name, typed attributes and documents."""
    store = state.open()
    try:
        if csv_file is not None:
            count = interventions.import_interventions(store, csv_file, state.reviewer)
            state.console.print(f"Imported {counted(count, 'intervention')} from {csv_file.name}.")
            return
        if number is None:
            raise click.UsageError("give an intervention NUMBER or --import FILE")
        attributes = {}
        for item in settings:
            attribute, sep, value = item.partition("=")
            if not sep or not attribute.strip():
                raise click.UsageError(f"--set takes NAME=VALUE, not {item!r}")
            attributes[attribute.strip()] = interventions.parse_value(value)
        changed = interventions.set_intervention(
            store,
            number,
            state.reviewer,
            name=name,
            attributes=attributes,
            documents=list(document_keys),
        )
    finally:
        store.close()
    state.console.print(
        f"Intervention #{changed.number}: "
        + ", ".join(f"{k}={v}" for k, v in changed.attributes.items())
        + (f"; documents {', '.join(changed.document_keys)}" if changed.document_keys else "")
    )


@cli.command(
    epilog=examples(
        "realist mmat",
        "realist mmat smith-2019 --category qualitative --screening y,y --criteria y,y,n,y,?",
    )
)
@click.argument("key", required=False)
@click.option("--category", type=click.Choice([c.value for c in MMAT_CRITERIA]))
@click.option("--screening", help="Answers to S1,S2: y, n or ? (can't tell).")
@click.option("--criteria", help="Answers to the category's five criteria: y, n or ?.")
@click.option("--note", default="")
@json_option
@click.pass_obj
def mmat(
    state: CliState,
    key: str | None,
    category: str | None,
    screening: str | None,
    criteria: str | None,
    note: str,
    as_json: bool,
) -> None:
    """MMAT 2018 appraisal of a document, or (without KEY) the table of results."""
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
            )
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
            a.document_key,
            a.category.value,
            " ".join(mark[x.value] for x in a.screening),
            " ".join(mark[x.value] for x in a.criteria) or "—",
            f"{a.met}/5" if a.criteria else "—",
            a.reviewer_key,
        )
    state.console.print(table)


def _answers(text: str) -> list[MMATAnswer]:
    try:
        return [ANSWERS[a.strip().lower()] for a in text.split(",")]
    except KeyError as error:
        raise click.UsageError(f"MMAT answers are y, n or ?, not {error.args[0]!r}") from None
