"""Ids out of range on the command line: a one-line refusal, never a traceback (issue 11).

``realist record 99999999999999999999`` ended in ``OverflowError: Python int too large to
convert to SQLite INTEGER`` (and PostgreSQL's NumericValueOutOfRange above 2^31).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.errors import RealistError
from realist.services.reviews import init_review

COMMANDS = [
    ["record", "{n}"],
    ["uncode", "{n}"],
    ["delete", "batch", "{n}"],
    ["change", "batch", "{n}", "--source", "x"],
    ["dedup", "--same", "{n}"],
    ["dedup", "--undo", "{n}"],
    ["dedup", "--merge", "{n}", "1"],
    ["screen", "--decide", "include", "--record", "{n}"],
    ["code", "{n}", "1"],
    ["delete", "excerpt", "{n}"],
    ["change", "excerpt", "{n}", "--label", "x"],
    ["intervention", "{n}", "--name", "x"],
    ["attach", "missing.pdf", "--record", "{n}"],
]


@pytest.mark.parametrize("value", [2**31, 2**63, 2**64, 0])
def test_ids_out_of_range_are_refused_in_one_line(db_target: str, value: int) -> None:
    init_review(db_target, "Ids", "owner").close()
    for command in COMMANDS:
        args = ["--db", db_target, *(a.format(n=value) for a in command)]
        result = CliRunner().invoke(cli, args)
        error = result.exception
        # click's usage error (exit 2) or a RealistError, which `realist` prints as one line
        assert error is None or isinstance(error, SystemExit | RealistError), (
            f"{command}: {type(error).__name__}: {error}"
        )
        assert result.exit_code != 0, (command, result.output)
        assert "No such" not in result.output, (command, result.output)  # the command ran
