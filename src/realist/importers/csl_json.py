"""CSL-JSON, as exported by Zotero ("CSL JSON"), Better BibTeX and citation.js.

The file is one JSON array of items (a single item, or an object holding ``items``, is
accepted too). JSON cannot be read record by record with the standard library, so the whole
file is parsed at once; problems are numbered by item (1-based), as JSON lines mean little.

Raw fields keep each key of the item: strings as they are, numbers and nested objects as
compact JSON, and lists as one raw pair per element, so that every author stays visible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from realist.domain.records import Record
from realist.errors import InvalidInput
from realist.importers.base import Context, Draft, Problem, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_CSL_KEY = re.compile(r'"(?:type|title|author|issued|DOI|container-title)"\s*:')


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is CSL-JSON."""
    start = head.lstrip()[:1]
    if start not in ("[", "{") or not _CSL_KEY.search(head):
        return 0
    return 90 if start == "[" else 70


def _compact(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _name(value: str) -> str:
    """``Family, Given`` from one raw author (a JSON object), or the literal name."""
    try:
        person = json.loads(value)
    except ValueError:
        return value
    if not isinstance(person, dict):
        return str(person)
    if person.get("literal"):
        return str(person["literal"])
    family = " ".join(str(person[k]) for k in ("non-dropping-particle", "family") if person.get(k))
    given = " ".join(str(person[k]) for k in ("given", "dropping-particle") if person.get(k))
    return f"{family}, {given}" if family and given else family or given


def _year(issued: str) -> str:
    try:
        date = json.loads(issued)
    except ValueError:
        return issued  # a plain string such as "2019-05-03"
    if isinstance(date, dict):
        parts = date.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        return str(date.get("raw") or date.get("literal") or "")
    return str(date)


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a CSL item's raw fields."""
    fields = group(raw)
    issued = first(fields, ("issued", "original-date", "submitted"))
    keywords = [k for v in fields.get("keyword", []) for k in re.split(r"[;,]", v)]
    return Draft(
        title=first(fields, ("title",)),
        authors=[_name(v) for v in fields.get("author", fields.get("editor", []))],
        year=_year(issued) if issued else "",
        journal=first(fields, ("container-title", "collection-title", "container-title-short")),
        volume=first(fields, ("volume",)),
        issue=first(fields, ("issue", "number")),
        start_page=first(fields, ("page", "page-first")),
        doi=first(fields, ("DOI", "doi")),
        pmid=first(fields, ("PMID", "pmid")),
        issn=first(fields, ("ISSN", "issn")),
        abstract=first(fields, ("abstract",)),
        keywords=[k for k in keywords if k.strip()],
        kind=ris_kind(first(fields, ("type",))),
    )


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return list(data["items"])
    return [data]


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each item of a CSL-JSON file as a record, with the problems found."""
    try:
        data = json.loads(source.text())
    except (ValueError, RecursionError) as error:  # also: a number too long, nesting too deep
        where = f" at line {error.lineno}" if isinstance(error, json.JSONDecodeError) else ""
        raise InvalidInput(f"{context.filename}: not valid JSON{where}: {error}") from None
    max_raw = context.max_raw_fields
    for number, item in enumerate(_items(data), 1):
        if not isinstance(item, dict):
            context.problem(number, f"item {number} is not a JSON object; skipped")
            yield from context.drain()
            continue
        raw: list[tuple[str, str]] = []
        dropped = 0
        for key, value in item.items():
            for element in value if isinstance(value, list) else [value]:
                if element is None:
                    continue
                if len(raw) < max_raw:
                    raw.append((str(key), _compact(element)))
                else:
                    dropped += 1
        yield from context.finish(draft, raw, number, dropped)
