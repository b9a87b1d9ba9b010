"""The ``realist`` command: thin commands over the services.

Each command opens the store, calls one service, and prints the result (rich for people,
``--json`` for programs). Every RealistError becomes one line on stderr and exit status 1.
Command modules load when their command runs (see ``realist.cli.app.COMMANDS``).
"""

from __future__ import annotations

import sys

import click

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
    except Exception as error:
        # e.g. PostgreSQL not reachable; the driver's first line says why. SQLAlchemy is
        # only imported by commands that open a review, so it is looked up, not imported.
        sa = sys.modules.get("sqlalchemy")
        if sa is None or not isinstance(error, sa.exc.OperationalError):
            raise
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        click.echo(f"Error: cannot use the database: {first}", err=True)
        sys.exit(1)
