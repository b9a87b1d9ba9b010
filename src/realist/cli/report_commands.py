"""Commands for reports (being built; see issue 5)."""

from __future__ import annotations

from realist.cli.app import cli

__all__ = ["cli"]
