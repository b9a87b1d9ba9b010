"""Web of Science "plain text" (field-tagged) export, and the WoS field tags it shares with
the tab-delimited export (read by :mod:`realist.importers.delimited`).

The file starts ``FN Clarivate Analytics Web of Science`` / ``VR 1.0``; each record runs
from ``PT`` to ``ER`` with two-letter tags followed by one space, and every further line of
a field is indented by three spaces. For list fields (AU, AF, CR, C1) each such line is one
item; for text fields (TI, AB) it is a wrapped line. Each line therefore becomes its own raw
``(tag, value)`` pair, which keeps the export lossless; text fields are joined with spaces
when normalised.

rispy's ``WokParser`` reads this format into dicts, losing line numbers and the order of
tags, and its list-tag table does not cover C1 or DE; this tokenizer keeps both and uses
the tag meanings of rispy's ``WOK_TAG_KEY_MAPPING``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.domain.records import Record
from realist.importers.base import Context, Draft, OddLines, Problem, every, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "draft_from_fields", "parse", "sniff"]

_TAG = re.compile(r"[A-Z][A-Z0-9]")
_RECORD_START = re.compile(r"^PT [A-Z]\s*$", re.MULTILINE)
_RECORD_END = re.compile(r"^ER\s*$", re.MULTILINE)
_FILE_TAGS = frozenset({"FN", "VR", "EF"})


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is WoS plain text."""
    start = head.lstrip()
    if start.startswith("FN ") and "Web of Science" in start[:200]:
        return 100
    if _RECORD_START.search(head) and (_RECORD_END.search(head) or len(head) >= 60_000):
        return 80
    return 0


def draft_from_fields(fields: dict[str, list[str]], separator: str | None = None) -> Draft:
    """A Draft from WoS tags; ``separator`` splits list fields packed into one value
    (``;`` in the tab-delimited export), while plain text has one item per line."""

    def items(*tags: str) -> list[str]:
        values = every(fields, tags)
        if separator is None:
            return values
        return [item.strip() for value in values for item in value.split(separator)]

    def text(tag: str) -> str:
        return " ".join(fields.get(tag, []))

    keywords = [k for value in every(fields, ("DE", "ID")) for k in value.split(";")]
    kind_name = first(fields, ("DT",)).split(";")[0]
    return Draft(
        title=text("TI"),
        authors=items("AF") or items("AU") or items("CA", "GP"),
        year=first(fields, ("PY", "EY", "PD", "EA")),
        journal=text("SO"),
        volume=first(fields, ("VL",)),
        issue=first(fields, ("IS",)),
        start_page=first(fields, ("BP", "AR")),
        end_page=first(fields, ("EP",)) if "BP" in fields else "",
        doi=first(fields, ("DI", "D2")),
        pmid=first(fields, ("PM",)),
        issn=first(fields, ("SN", "EI")),
        abstract=text("AB"),
        keywords=keywords,
        kind=ris_kind(kind_name, "") or ris_kind(first(fields, ("PT",)), "JOUR"),
    )


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a WoS plain-text record."""
    return draft_from_fields(group(raw))


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each record of a WoS plain-text file, and the problems found, in file order."""
    max_raw = context.max_raw_fields
    raw: list[tuple[str, str]] = []
    start = 0
    dropped = 0
    tag = ""
    lineno = 0
    stray_reported = False
    odd = OddLines(context, "Web of Science")
    for block in source.line_blocks(context.max_field_chars + 64):
        for line in block:
            lineno += 1
            if line.startswith("   ") and start:
                value = line.strip()
            elif not line or line.isspace():
                continue
            elif _TAG.match(line) and line[2:3] in (" ", ""):
                tag, value = line[:2], line[3:].strip()
                if tag == "PT":
                    if start:
                        context.problem(start, f"record has no ER line; it ends at line {lineno}")
                        odd.flush()
                        yield from context.finish(draft, raw, start, dropped)
                    raw, start, dropped = [], lineno, 0
                    stray_reported = False
                elif tag == "ER":
                    if start:
                        odd.flush()
                        yield from context.finish(draft, raw, start, dropped)
                    raw, start, dropped = [], 0, 0
                    continue
                elif not start:
                    # FN, VR and EF belong around the records; any other tag here is a
                    # record whose PT line is damaged or missing: lost, so said.
                    if tag not in _FILE_TAGS and not stray_reported:
                        odd.flush()
                        context.problem(lineno, f"tag {tag} outside any record (no PT line "
                                        "before it); ignored up to the next PT")  # fmt: skip
                        stray_reported = True
                        yield from context.drain()
                    continue
            else:
                odd.add(lineno, line)
                continue
            if len(raw) < max_raw:
                raw.append((tag, value))
            else:
                dropped += 1
    odd.flush()
    if start:
        context.problem(
            start, "file ends inside this record (no ER line); check that the file is complete"
        )
        yield from context.finish(draft, raw, start, dropped)
    yield from context.drain()
