"""Middle-range theories: theories from the literature that explain mechanisms (social
comparison, stigma, ...), with where they come from, linked to the configurations they
explain. The theory card, the CMO tables and the final model show the links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from realist.domain.theory import MiddleRangeTheory
from realist.errors import InvalidInput, NotFound
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event

__all__ = [
    "LinkedTheory",
    "list_middle_range_theories",
    "remove_middle_range_theory",
    "set_middle_range_theory",
]

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_DESCRIPTION = 20_000


@dataclass(frozen=True)
class LinkedTheory:
    """A middle-range theory and the configurations it explains."""

    theory: MiddleRangeTheory
    configurations: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """The ``mrt --json`` shape (docs/CLI.md)."""
        t = self.theory
        return {
            "key": t.key,
            "name": t.name,
            "description": t.description,
            "references": t.references,
            "configurations": list(self.configurations),
        }


def list_middle_range_theories(store: Store) -> list[LinkedTheory]:
    """Every middle-range theory in the order added, with the configurations it explains."""
    with store.reading() as connection:
        links = theory_repo.theory_links(connection)
        return [
            LinkedTheory(t, tuple(links.get(t.id or 0, [])))
            for t in theory_repo.list_middle_range_theories(connection)
        ]


def set_middle_range_theory(
    store: Store,
    key: str,
    reviewer: str | None,
    *,
    name: str | None = None,
    description: str | None = None,
    references: list[str] | None = None,
    link: list[str] | None = None,
    unlink: list[str] | None = None,
) -> LinkedTheory:
    """Add the middle-range theory ``key`` (``name`` required then) or change it: its name,
    description, references (replaced when given), and which configurations it explains
    (``link``/``unlink`` by configuration identifier). One event records every change."""
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise InvalidInput(
            f"a theory's key is a short word of letters, digits, '-', '_' or '.', not {key!r}"
        )
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"a description has at most {MAX_DESCRIPTION:,} characters")
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = next(
            (t for t in theory_repo.list_middle_range_theories(connection) if t.key == key), None
        )
        if found is None:
            if not (name or "").strip():
                raise InvalidInput(f"a new middle-range theory needs a --name (key '{key}')")
            item = MiddleRangeTheory(key=key, name="")
        else:
            item = found
        before = {"name": item.name, "description": item.description,
                  "references": list(item.references)}  # fmt: skip
        if name is not None:
            if not name.strip():
                raise InvalidInput("a middle-range theory's name cannot be empty")
            item.name = name.strip()
        if description is not None:
            item.description = description.strip()
        if references is not None:
            item.references = [r.strip() for r in references if r.strip()]
        if found is None:
            item.id = theory_repo.insert_middle_range_theory(connection, item)
        else:
            theory_repo.update_middle_range_theory(connection, item)
        assert item.id is not None
        linked = [i for i in (link or []) if theory_repo.link_theory(
            connection, item.id, theory_repo.configuration_id(connection, i), True)]  # fmt: skip
        unlinked = [i for i in (unlink or []) if theory_repo.link_theory(
            connection, item.id, theory_repo.configuration_id(connection, i), False)]  # fmt: skip
        after = {"name": item.name, "description": item.description,
                 "references": item.references}  # fmt: skip
        append_event(
            connection,
            "theory.mrt_added" if found is None else "theory.mrt_changed",
            who,
            f"middle_range_theory:{key}",
            {"changed": {k: {"from": before[k], "to": v} for k, v in after.items()
                         if found is None or before[k] != v},
             "linked": linked, "unlinked": unlinked},
        )  # fmt: skip
        links = theory_repo.theory_links(connection).get(item.id, [])
    return LinkedTheory(item, tuple(links))


def remove_middle_range_theory(store: Store, key: str, reviewer: str | None) -> list[str]:
    """Remove a middle-range theory and its links; returns the configurations it was linked
    to (the event keeps them, with its name, description and references)."""
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = next(
            (t for t in theory_repo.list_middle_range_theories(connection) if t.key == key), None
        )
        if found is None or found.id is None:
            raise NotFound(f"no middle-range theory '{key}' in this review")
        links = theory_repo.theory_links(connection).get(found.id, [])
        theory_repo.delete_middle_range_theory(connection, found.id)
        append_event(connection, "theory.mrt_removed", who, f"middle_range_theory:{key}",
                     {"name": found.name, "description": found.description,
                      "references": found.references, "configurations": links})  # fmt: skip
    return links
