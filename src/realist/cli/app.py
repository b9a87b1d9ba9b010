"""The root command group and what every command shares (store, reviewer, output).

Commands load lazily: :data:`COMMANDS` names the module that defines each, and the group
imports that module only when the command runs (or ``--help`` lists them all). A command
then pays for the imports it uses, not for the web stack, Alembic and every report
renderer; ``realist --version`` imports click alone (bench/startup.py measures it).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from realist._version import __version__
from realist.domain.identifiers import MAX_ID
from realist.settings import setting

if TYPE_CHECKING:
    from rich.console import Console

    from realist.store import Store

F = TypeVar("F", bound=Callable[..., Any])

# Numbers a command names or counts, within what both databases store: a larger one is
# refused by click with the range, instead of reaching the database and failing there.
ID = click.IntRange(1, MAX_ID)
COUNT = click.IntRange(0, MAX_ID)

COMMANDS = {
    "account": "web_commands",
    "agreement": "screen_commands",
    "applies": "analysis_commands",
    "attach": "document_commands",
    "attribute": "intervention_commands",
    "batches": "correction_lists",
    "change": "correction_commands",
    "check": "review_commands",
    "cite": "citation_commands",
    "code": "analysis_commands",
    "coding-agreement": "coding_commands",
    "concept": "strategy_commands",
    "configuration": "analysis_commands",
    "conflicts": "screen_commands",
    "criteria": "screen_commands",
    "dedup": "record_commands",
    "delete": "correction_commands",
    "demo": "review_commands",
    "document": "document_commands",
    "documents": "document_commands",
    "edit": "coding_commands",
    "evidence": "analysis_commands",
    "excerpt": "analysis_commands",
    "export": "interchange_commands",
    "framework": "coding_commands",
    "import": "interchange_commands",
    "init": "review_commands",
    "intervention": "intervention_commands",
    "interventions": "theory_commands",
    "matrix": "analysis_commands",
    "memo": "coding_commands",
    "mmat": "document_commands",
    "model": "analysis_commands",
    "mrt": "citation_commands",
    "prisma": "prisma_commands",
    "record": "record_view_commands",
    "records": "record_commands",
    "rename": "correction_commands",
    "report": "report_commands",
    "retire": "correction_commands",
    "review": "strategy_commands",
    "reviewers": "correction_lists",
    "screen": "screen_commands",
    "screening-mode": "screen_commands",
    "search": "analysis_commands",
    "serve": "web_commands",
    "simulate": "simulate_commands",
    "source": "strategy_commands",
    "sources": "strategy_commands",
    "status": "review_commands",
    "strategy": "strategy_commands",
    "terms": "screen_commands",
    "theories": "theory_commands",
    "theory": "theory_commands",
    "topic": "theory_commands",
    "topics": "correction_lists",
    "uncode": "correction_commands",
    "verdict": "analysis_commands",
    "verdict-rule": "coding_commands",
}
"""Each command and the module of ``realist.cli`` that defines it (a test checks that every
module's commands are listed here, and nothing else)."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"realist.cli.{COMMANDS[cmd_name]}")  # registers it
        return self.commands.get(cmd_name)


def examples(*commands: str) -> str:
    """A help epilog of example commands; ``\\b`` stops click from re-wrapping them."""
    return "\b\nExamples:\n" + "\n".join(f"  {c}" for c in commands)


@dataclass
class CliState:
    db: str | None
    reviewer: str | None
    _console: Console | None = None

    @property
    def console(self) -> Console:
        """The rich console commands print with, made on first use (a command that prints
        plain lines, such as ``status``, never loads rich's console)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                highlight=False, soft_wrap=True, no_color="NO_COLOR" in os.environ
            )
        return self._console

    @property
    def target(self) -> str:
        return self.db or setting("database_url")

    def open(self) -> Store:
        from realist.store import open_store

        return open_store(self.target)


@click.group(
    cls=LazyGroup,
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
@click.version_option(__version__, prog_name="realist")
@click.pass_context
def cli(ctx: click.Context, db: str | None, reviewer: str | None) -> None:
    """Realist: a workbench for realist reviews, from search records to a tested
    programme theory."""
    ctx.obj = CliState(db=db, reviewer=reviewer)


def json_option(function: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (stable, see docs/CLI.md)."
    )(function)


def print_json(data: Any) -> None:
    """JSON on stdout: sorted keys are not used, the documented order is the contract."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
