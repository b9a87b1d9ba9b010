"""The ``realist`` command: thin commands over the services.

Each command opens the store, calls one service, and prints the result (rich for people,
``--json`` for programs). Every RealistError becomes one line on stderr and exit status 1.
"""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from realist.cli import (  # noqa: F401  (importing registers the commands)
    analysis_commands,
    citation_commands,
    coding_commands,
    correction_commands,
    correction_lists,
    document_commands,
    interchange_commands,
    intervention_commands,
    prisma_commands,
    record_commands,
    record_view_commands,
    report_commands,
    review_commands,
    screen_commands,
    strategy_commands,
    theory_commands,
    web_commands,
)
from realist.cli.app import CliState, cli
from realist.errors import RealistError

__all__ = ["CliState", "cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        cli.main(args=argv, prog_name="realist", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except RealistError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    except sa.exc.OperationalError as error:
        # e.g. PostgreSQL not reachable; the driver's first line says why
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        click.echo(f"Error: cannot use the database: {first}", err=True)
        sys.exit(1)
