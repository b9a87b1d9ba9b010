"""A command imports what it uses (issue 10, section 9): the CLI loads command modules on
demand, and opening a current review loads neither Alembic nor the web stack nor the report
renderers. bench/startup.py measures the time; these tests keep the structure that gives it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click

from realist.cli.app import COMMANDS, cli
from realist.services.reviews import init_review

HEAVY = (
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "docx",
    "openpyxl",
    "lxml",
    "pypdfium2",
    "realist.web",
    "realist.reports.model",
    "realist.reports.docx_writer",
    "realist.reports.html_writer",
    "realist.reports.xlsx_writer",
    "realist.reports.prisma_diagram",
    "realist.interchange",
    "realist.extraction",
)


def _loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {k: v for k, v in os.environ.items() if k != "REALIST_DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_importing_the_cli_loads_no_web_stack_alembic_or_renderers() -> None:
    loaded = _loaded_after("import realist.cli")
    assert _heavy(loaded) == []
    assert "sqlalchemy" not in loaded and "rich.console" not in loaded
    assert not [m for m in loaded if m.startswith("realist.cli.") and m.endswith("_commands")]


def test_status_on_a_current_review_imports_only_what_it_uses(tmp_path: Path) -> None:
    target = str(tmp_path / "review.realist")
    init_review(target, "Startup", "ann").close()
    code = (
        "from realist.cli import main\n"
        "try:\n"
        f"    main(['--db', {target!r}, 'status'])\n"
        "except SystemExit:\n"
        "    pass"
    )
    loaded = _loaded_after(code)
    assert _heavy(loaded) == []  # no migration ran: Alembic stayed out
    assert "rich.console" not in loaded  # status prints plain aligned lines


def _home(command: click.Command) -> str:
    """The module of realist.cli that defines a command (a group: the one holding it)."""
    callback = command.callback
    if callback is not None and callback.__module__.startswith("realist.cli."):
        return callback.__module__.rsplit(".", 1)[1]
    for name, module in sys.modules.items():
        if name.startswith("realist.cli.") and command in vars(module).values():
            return name.rsplit(".", 1)[1]
    return ""


def test_every_command_is_registered_by_the_module_the_registry_names() -> None:
    for module in sorted(set(COMMANDS.values())):
        importlib.import_module(f"realist.cli.{module}")
    assert {name: _home(command) for name, command in cli.commands.items()} == COMMANDS
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(COMMANDS)
    assert all(cli.get_command(context, name) is not None for name in COMMANDS)
