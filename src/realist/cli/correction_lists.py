"""What there is to correct: ``batches`` (imported files), ``reviewers`` (people, with
the work attributed to each) and ``topics`` (in order), with the numbers and keys that
``realist change``, ``retire`` and ``delete`` take."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from realist.cli.app import CliState, cli, examples, json_option, print_json
from realist.cli.correction_commands import say, with_store
from realist.domain.review import ReviewerRole
from realist.domain.theory import Topic
from realist.reports.wording import counted
from realist.services import batches, reviewers, theories
from realist.store import Store


@cli.command("batches", epilog=examples("realist batches", "realist batches --json"))
@json_option
@click.pass_obj
def batches_(state: CliState, as_json: bool) -> None:
    """The imported files: source, format, when searched, records, problems, when and by
    whom they were imported (the numbers `realist delete batch` and `change batch` take)."""
    found = with_store(state, batches.list_batches)
    rows = [
        {
            "id": b.id,
            "file": b.filename,
            "source": b.source,
            "source_kind": b.source_kind.value,
            "format": b.format,
            "searched": b.searched,
            "records": b.records,
            "problems": b.problems,
            "imported_at": b.imported_at,
            "imported_by": b.imported_by,
        }
        for b in found
    ]
    if as_json:
        print_json(rows)
        return
    table = Table(
        "#",
        "File",
        "Source",
        "Format",
        "Searched",
        "Records",
        "Problems",
        "Imported",
        box=None,
        header_style="bold",
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            escape(str(r["file"])),
            escape(f"{r['source']} ({r['source_kind']})"),
            str(r["format"]),
            str(r["searched"] or "—"),
            str(r["records"]),
            str(r["problems"]),
            f"{str(r['imported_at'])[:16].replace('T', ' ')} by {r['imported_by'] or '?'}",
        )
    state.console.print(table)


@cli.command(
    "reviewers",
    epilog=examples(
        "realist reviewers",
        "realist reviewers --add ann --name 'Ann Smith' --role reviewer",
        "realist reviewers --json",
    ),
)
@click.option("--add", "key", metavar="KEY", help="Add a person to attribute work to.")
@click.option("--name", default="", help="With --add: their full name.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in ReviewerRole]),
    default="reviewer",
    show_default=True,
    help="With --add: what they may do.",
)
@json_option
@click.pass_obj
def reviewers_(state: CliState, key: str | None, name: str, role: str, as_json: bool) -> None:
    """The people of the review, their roles, and the work attributed to each. (To let
    someone sign in to a shared server: `realist account add`.)"""

    def run(store: Store) -> list[reviewers.ReviewerSummary]:
        if key:
            reviewers.add_reviewer(store, key, state.reviewer, name=name, role=ReviewerRole(role))
        return reviewers.list_reviewers(store)

    people = with_store(state, run)
    if as_json:
        print_json(
            [
                {
                    "key": p.key,
                    "name": p.name,
                    "role": p.role.value,
                    "retired": p.retired,
                    "work": p.work,
                }
                for p in people
            ]
        )
        return
    table = Table("Key", "Name", "Role", "Work", box=None, header_style="bold")
    for p in people:
        work = reviewers.describe_work(p.work) or "none yet"
        role_text = p.role.value + (" (retired)" if p.retired else "")
        table.add_row(escape(p.key), escape(p.name), role_text, work)
    state.console.print(table)


@cli.command("topics", epilog=examples("realist topics", "realist topics --json"))
@json_option
@click.pass_obj
def topics_(state: CliState, as_json: bool) -> None:
    """The topics that group configurations, in order, with how many each holds."""

    def run(store: Store) -> list[tuple[Topic, int]]:
        views = theories.list_theories(store)
        return [
            (t, sum(1 for v in views if v.topic.key == t.key)) for t in theories.list_topics(store)
        ]

    found = with_store(state, run)
    rows = [
        {
            "key": t.key,
            "name": t.name,
            "position": t.position + 1,
            "negative": t.negative,
            "configurations": n,
        }
        for t, n in found
    ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        harms = " [harms]" if r["negative"] else ""
        say(
            state,
            f"{r['position']}. {r['key']}: {r['name']}{harms} "
            f"({counted(int(str(r['configurations'])), 'configuration')})",
        )
