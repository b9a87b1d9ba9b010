"""Realist's settings: one registry, each with a name, default and help.

An environment variable ``REALIST_<NAME>`` overrides the default. No secret lives in code:
a PostgreSQL password belongs in the database URL given at run time, or in ``~/.pgpass``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def env(self) -> str:
        return f"REALIST_{self.name.upper()}"

    def value(self) -> str:
        return os.environ.get(self.env) or self.default


SETTINGS = {
    s.name: s
    for s in (
        Setting(
            "database_url",
            "review.realist",
            "The review store: a file path (SQLite) or a postgresql:// URL.",
        ),
        Setting("reviewer", "", "Who is acting (a reviewer key); empty means the owner."),
        Setting("max_field_chars", "1000000", "Longest imported field kept; longer is cut."),
        Setting(
            "secret_key",
            "",
            "Signs the web server's session cookies; empty means the review's own (kept in "
            "the review, made on first use).",
        ),
        Setting(
            "max_upload_mb",
            "512",
            "The largest file the web server accepts (an import or a full text), in MB.",
        ),
        Setting(
            "max_form_kb",
            "1024",
            "The largest body of any other web request (a form or JSON), in KB.",
        ),
        Setting(
            "spool_dir",
            "",
            "Where the web server keeps uploads while they are read; empty means the "
            "review's own (REVIEW.spool beside a SQLite review).",
        ),
    )
}


def setting(name: str) -> str:
    """The current value of a setting (environment first, then default)."""
    return SETTINGS[name].value()
