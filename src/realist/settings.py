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
            "screening_lease_minutes",
            "10",
            "Single screening: how long a record handed to one reviewer is kept from the "
            "others' queues (it returns to every queue after that, if still undecided).",
        ),
        Setting(
            "ranking_inline_records",
            "500",
            "Prioritised screening: in a review of at most this many records a queue is "
            "ranked again on the spot, before the next card (a few milliseconds); in a bigger "
            "one in the background, the next card using the latest ranking made.",
        ),
        Setting(
            "ranking_background_share",
            "0.2",
            "Prioritised screening: the share of the time (0 to 1) the background refits of "
            "one server process may take; when reviewers decide faster than that allows, "
            "their queues are refitted every few decisions instead of after each one.",
        ),
        Setting(
            "stopping_target_recall",
            "0.95",
            "Prioritised screening's stopping rule: the share of the relevant records to have "
            "found (0 to 1) before `realist status` and the dashboard say screening may stop.",
        ),
        Setting(
            "stopping_confidence",
            "0.95",
            "Prioritised screening's stopping rule: the confidence (0 to 1) with which it "
            "must hold that the target recall has been reached.",
        ),
        Setting(
            "dedup_merge_errata",
            "",
            "1: deduplication merges an erratum, or a reply or comment by the article's own "
            "authors, into the article whose title it repeats; empty: they are kept apart and "
            "queued for a person, the queue saying so (reviews differ on whether they are "
            "duplicates). A retraction is never merged.",
        ),
        Setting(
            "secret_key",
            "",
            "Signs the web server's session cookies; empty means the review's own (kept in "
            "the review, made on first use).",
        ),
        Setting(
            "trusted_proxies",
            "",
            "Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
            "and X-Forwarded-Proto the web server believes; empty: none.",
        ),
        Setting(
            "lock_wait",
            "30",
            "Seconds a change waits for another writer (another process's import, say) "
            "before giving up with nothing changed. Unset, the web server waits 10 and "
            "then answers 503 with Retry-After.",
        ),
        # The web app factory for gunicorn or uvicorn (realist.web.asgi) reads these; `realist
        # serve` sets them from its options for its worker processes.
        Setting(
            "host",
            "",
            "The address the web server listens on: a loopback address means a local server "
            "without sign-in; anything else (or empty) a shared one with accounts.",
        ),
        Setting("allow_http", "", "1: a shared web server without TLS (cookies lose Secure)."),
        Setting(
            "allowed_hosts",
            "",
            "Comma-separated host names a shared web server answers to (empty: any).",
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


def setting_on(name: str) -> bool:
    """Whether a yes/no setting is on ('1', 'true', 'yes' or 'on', in any case)."""
    return setting(name).strip().lower() in {"1", "true", "yes", "on"}
