"""The root command group and what every command shares (store, reviewer, output)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from rich.console import Console

from realist.store import Store, open_store
from realist.store.connect import default_target

F = TypeVar("F", bound=Callable[..., Any])


def examples(*commands: str) -> str:
    """A help epilog of example commands; ``\\b`` stops click from re-wrapping them."""
    return "\b\nExamples:\n" + "\n".join(f"  {c}" for c in commands)


@dataclass
class CliState:
    db: str | None
    reviewer: str | None
    console: Console

    @property
    def target(self) -> str:
        return self.db or default_target()

    def open(self) -> Store:
        return open_store(self.target)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=examples("realist demo --no-serve", "realist --db review.realist status"),
)
@click.option(
    "--db",
    metavar="PATH-or-URL",
    help="The review: a file path (SQLite) or postgresql:// URL. "
    "Default: $REALIST_DATABASE_URL or ./review.realist.",
)
@click.option(
    "--reviewer",
    metavar="KEY",
    envvar="REALIST_REVIEWER",
    help="Who is acting (a reviewer key). Default: $REALIST_REVIEWER or the review's owner.",
)
@click.version_option(package_name="realist")
@click.pass_context
def cli(ctx: click.Context, db: str | None, reviewer: str | None) -> None:
    """Realist: a workbench for realist reviews, from search records to a tested
    programme theory."""
    ctx.obj = CliState(
        db=db,
        reviewer=reviewer,
        console=Console(highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ),
    )


def json_option(function: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (stable, see docs/CLI.md)."
    )(function)


def print_json(data: Any) -> None:
    """JSON on stdout: sorted keys are not used, the documented order is the contract."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
