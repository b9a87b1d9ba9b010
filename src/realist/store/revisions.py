"""The schema revisions this version of Realist knows, read from the migration files.

Opening a review compares its revision with these on every command, so they are read here
with a regular expression instead of loading Alembic (a fifth of a command's start-up):
Alembic is imported only when a schema is actually created or upgraded.
``tests/test_migrations.py`` checks that this reading agrees with Alembic's own.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r'^revision\s*=\s*["\'](\w+)["\']', re.MULTILINE)
_DOWN = re.compile(r'^down_revision\s*=\s*(?:["\'](\w+)["\']|None)', re.MULTILINE)


@lru_cache(maxsize=1)
def revision_graph() -> dict[str, str | None]:
    """Each revision and the one it follows (None for the first)."""
    graph: dict[str, str | None] = {}
    for path in sorted(VERSIONS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision and down:
            graph[revision.group(1)] = down.group(1)
    return graph


def known_revisions() -> set[str]:
    """Every revision of the schema this version of Realist can open."""
    return set(revision_graph())


def head_revision() -> str:
    """The newest schema revision this version of Realist knows (the one nothing follows)."""
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()
