"""PubMed's MEDLINE format (``.nbib``, "Send to: Citation manager").

Tags are padded to four characters and followed by ``- `` (``PMID- ``, ``TI  - ``); long
values wrap onto lines indented by six spaces, which are joined with a space (PubMed wraps
at word boundaries). Records are separated by blank lines and begin with ``PMID-``.

rispy has no MEDLINE parser, hence this small tokenizer; the tag meanings follow the NLM's
"MEDLINE/PubMed Data Element (Field) Descriptions".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from realist.domain.records import Record
from realist.importers.base import (
    Context,
    Continuations,
    Draft,
    OddLines,
    Problem,
    every,
    first,
    group,
)
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)")
_FIRST = re.compile(r"^PMID- ", re.MULTILINE)
_TAGGED = re.compile(r"^(?:TI  |FAU |AB  |JT  |DP  )- ", re.MULTILINE)


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is MEDLINE."""
    if head.lstrip().startswith("PMID- "):
        return 100
    if _FIRST.search(head):
        return 90
    return 50 if len(_TAGGED.findall(head)) >= 2 else 0


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a MEDLINE record's tags."""
    fields = group(raw)
    dois = [v for v in every(fields, ("LID", "AID")) if v.endswith("[doi]")]
    if "BTI" in fields and "JT" not in fields:
        kind = "CHAP" if "TI" in fields else "BOOK"
    else:
        kind = "JOUR"
    return Draft(
        title=first(fields, ("TI", "BTI", "TT")),
        authors=every(fields, ("FAU",) if "FAU" in fields else ("AU",)) + fields.get("CN", []),
        year=first(fields, ("DP", "DEP", "EDAT")),
        journal=first(fields, ("JT", "TA")),
        volume=first(fields, ("VI",)),
        issue=first(fields, ("IP",)),
        start_page=first(fields, ("PG",)),
        doi=dois[0].removesuffix("[doi]") if dois else "",
        pmid=first(fields, ("PMID",)),
        issn=first(fields, ("IS",)),
        abstract=first(fields, ("AB",)),
        keywords=every(fields, ("MH", "OT")),
        kind=kind,
    )


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each record of a MEDLINE file, and the problems found, in file order."""
    limit = context.max_field_chars
    max_raw = context.max_raw_fields
    raw: list[tuple[str, str]] = []
    more = Continuations(" ")
    start = 0
    dropped = 0
    lineno = 0
    odd = OddLines(context, "MEDLINE")
    for block in source.line_blocks(limit + 64):
        for line in block:
            lineno += 1
            if line.startswith("      ") and raw:
                text = line.strip()
                if text and not dropped:
                    more.add(len(raw) - 1, text, limit)
                continue
            if not line or line.isspace():
                if raw:
                    odd.flush()
                    yield from context.finish(draft, raw, start, dropped, more)
                    raw, dropped = [], 0
                continue
            matched = _TAG_LINE.match(line)
            if matched is None:
                odd.add(lineno, line)
                continue
            tag, value = matched.group(1), matched.group(2).strip()
            if tag == "PMID" and raw:
                odd.flush()
                yield from context.finish(draft, raw, start, dropped, more)
                raw, dropped = [], 0
            if not raw:
                start = lineno
            if len(raw) < max_raw:
                raw.append((tag, value))
            else:
                dropped += 1
    odd.flush()
    if raw:
        yield from context.finish(draft, raw, start, dropped, more)
    yield from context.drain()
