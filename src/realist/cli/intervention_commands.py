"""Interventions (cases) and their attributes: create, change, unset, rename, unlink, delete."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from realist.cli.app import ID, CliState, cli, examples
from realist.domain.documents import AttributeValue
from realist.reports.wording import counted
from realist.services import interventions


def _settings(settings: tuple[str, ...]) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {}
    for item in settings:
        attribute, sep, value = item.partition("=")
        if not sep or not attribute.strip():
            raise click.UsageError(f"--set takes NAME=VALUE, not {item!r}")
        attributes[attribute.strip()] = interventions.parse_value(value)
    return attributes


@cli.command(
    epilog=examples(
        "realist intervention 23 --name 'Village visits' --set delivery=home_visit "
        "--set country=UK --document thapa-2020",
        "realist intervention 23 --unset country --remove-document thapa-2020",
        "realist intervention 23 --delete",
        "realist intervention --import interventions.csv",
    )
)
@click.argument("number", type=ID, required=False)
@click.option("--name", help="The intervention's name.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="An attribute; values are typed (true/false, numbers, text).",
)
@click.option("--unset", "unset", multiple=True, metavar="NAME", help="Remove an attribute.")
@click.option("--document", "document_keys", multiple=True, help="Link a document by key.")
@click.option(
    "--remove-document", "unlinked", multiple=True, metavar="KEY", help="Unlink a document."
)
@click.option(
    "--delete",
    is_flag=True,
    help="Delete the intervention with its attributes and links (configurations stay).",
)
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
    unset: tuple[str, ...],
    document_keys: tuple[str, ...],
    unlinked: tuple[str, ...],
    delete: bool,
    csv_file: Path | None,
) -> None:
    """Create or change an intervention (a case): its name, typed attributes and documents;
    remove an attribute or a document link, or delete the intervention. Every change is an
    event in the audit trail. Rename an attribute across all interventions with
    `realist attribute`."""
    if csv_file is not None:
        store = state.open()
        try:
            count = interventions.import_interventions(store, csv_file, state.reviewer)
        finally:
            store.close()
        state.console.print(
            f"Imported {counted(count, 'intervention')} from {escape(csv_file.name)}."
        )
        return
    if number is None:
        raise click.UsageError("give an intervention NUMBER or --import FILE")
    changes = name is not None or settings or unset or document_keys or unlinked
    if delete and changes:
        raise click.UsageError("--delete takes no other change")
    store = state.open()
    try:
        if delete:
            gone = interventions.delete_intervention(store, number, state.reviewer)
            _say_deleted(state, gone)
            return
        for attribute in unset:
            interventions.unset_attribute(store, number, attribute, state.reviewer)
        for key in unlinked:
            interventions.unlink_document(store, number, key, state.reviewer)
        if name is not None or settings or document_keys or not (unset or unlinked):
            changed = interventions.set_intervention(
                store,
                number,
                state.reviewer,
                name=name,
                attributes=_settings(settings),
                documents=list(document_keys),
            )
        else:
            found, _ = interventions.list_interventions(store)
            changed = next(i for i in found if i.number == number)
    finally:
        store.close()
    state.console.print(
        f"Intervention #{changed.number}"
        + (f" ({changed.name})" if changed.name else "")
        + ": "
        + (", ".join(f"{k}={v}" for k, v in changed.attributes.items()) or "no attributes")
        + (f"; documents {', '.join(changed.document_keys)}" if changed.document_keys else ""),
        markup=False,
    )


def _say_deleted(state: CliState, gone: interventions.DeletedIntervention) -> None:
    state.console.print(
        f"Deleted intervention #{gone.number}"
        + (f" ({escape(gone.name)})" if gone.name else "")
        + f" with {counted(len(gone.attributes), 'attribute')}; unlinked "
        f"{counted(len(gone.documents), 'document')} and "
        f"{counted(len(gone.configurations), 'configuration')} (which stay)."
    )
    if gone.excerpts:
        state.console.print(
            f"{counted(len(gone.excerpts), 'excerpt')} case-coded to it "
            f"({', '.join(str(e) for e in gone.excerpts)}) now speak for their documents' "
            "interventions."
        )


@cli.command(
    epilog=examples(
        "realist attribute country --rename setting_country",
        "realist attribute uptake --remove",
    )
)
@click.argument("name")
@click.option("--rename", "new_name", metavar="NEW", help="Rename it on every intervention.")
@click.option("--remove", is_flag=True, help="Remove it from every intervention.")
@click.pass_obj
def attribute(state: CliState, name: str, new_name: str | None, remove: bool) -> None:
    """Rename an intervention attribute, or remove it, across all interventions (the
    summary's wording of it follows). Each is one event in the audit trail."""
    if (new_name is None) == (not remove):
        raise click.UsageError("give --rename NEW or --remove")
    store = state.open()
    try:
        if remove:
            count = interventions.remove_attribute(store, name, state.reviewer)
            message = f"Removed '{name}' from {counted(count, 'intervention')}."
        else:
            assert new_name is not None
            count = interventions.rename_attribute(store, name, new_name, state.reviewer)
            on = counted(count, "intervention")
            message = f"Renamed '{name}' to '{' '.join(new_name.split())}' on {on}."
    finally:
        store.close()
    state.console.print(message, markup=False, highlight=False)
