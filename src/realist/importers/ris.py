"""RIS, as exported by Scopus, EBSCO (CINAHL), Ovid, APA PsycInfo, Web of Science, Embase,
Zotero, EndNote and Mendeley.

Why not ``rispy.load``: rispy returns one dict per record keyed by field name, which loses
what Realist must keep: the order of the tags, which tag a value came from (T1 or TI, AU or
A1), repeated single-valued tags (rispy keeps the first), and the line each record starts
on for error messages. It also stops at the first odd line. This module is therefore a small
line tokenizer producing ``(tag, value)`` pairs in file order; for the meaning of each tag
it uses rispy's own table (``rispy.TAG_KEY_MAPPING``), so both agree on what ``JF`` or
``N2`` hold.

Shapes met in real exports and handled here: continuation lines (joined to the previous
value with a newline), repeated tags, blank lines inside records, ``TY  -`` with one, two
or three spaces and with or without a space after the dash, a BOM in the middle of a file
(exports concatenated with ``cat``), a missing ``ER`` before the next ``TY`` or at the end
of the file (the record is kept, with a problem), and text before the first record.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from itertools import islice

import rispy

from realist.domain.bibliography import labelled_pmid, normalise_pmid
from realist.domain.records import Record
from realist.importers.base import Context, Continuations, Draft, Problem, every, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["BOUNDARY", "draft", "parse", "sniff"]

_VALID_TAGS = frozenset(a + b for a in string.ascii_uppercase for b in string.ascii_uppercase
                        + string.digits)  # fmt: skip
_ODD_TAG = re.compile(r"([A-Z][A-Z0-9])[ \t]{1,4}-[ \t]*(.*)")
_FIRST_TAG = re.compile(r"^\ufeff?TY[ \t]{1,4}-", re.MULTILINE)
# The lines that end a run of continuation lines (see parse), each after a newline: a tag
# line (an odd one, after BOMs, too), a line shaped like a tag line whose tag is damaged
# (reported on its own), and ER alone. Blank lines do not: a run skips them.
_RUN_STOP = re.compile(r"\n(?:\ufeff*[A-Z][A-Z0-9][ \t]{1,4}-|..  -|ER[^\S\n]*(?:\n|\Z))")

# Where a file may be cut for parsing in pieces (importers.segments): after a regular ER line
# and any blank lines, before a regular TY line. Every parser state is reset there (outside
# a record, no continuation pending, no stray tag reported), so a fresh parser reading on
# from the cut does exactly what this one would have done.
BOUNDARY = re.compile(rb"\nER  -[ \t\r]*\n(?:[ \t\r]*\n)*(?=TY  -)")

# rispy's names for the tags, turned around: name -> tag.
_TAG_OF = {name: tag for tag, name in rispy.TAG_KEY_MAPPING.items()}


def _tags(*names: str) -> tuple[str, ...]:
    return tuple(_TAG_OF[name] for name in names)


_TITLE = _tags("title", "primary_title", "translated_title")
_AUTHORS = _tags("authors", "first_authors")
_YEAR = _tags("year", "publication_year", "date")
# T2 is the journal for articles (the book for chapters); JF, JO, JA and J2 are the full,
# alternative and abbreviated journal names some databases send instead.
_JOURNAL = _tags(
    "secondary_title", "alternate_title3", "journal_name", "alternate_title2", "alternate_title1"
)
_ABSTRACT = _tags("abstract", "notes_abstract")
_DOI = _tags("doi")
# Where databases hide a DOI when DO is missing (EndNote uses M3, others give a doi.org URL).
_DOI_ELSEWHERE = (*_tags("type_of_work", "urls", "file_attachments2"), "L3")
# Tags that may carry "PMID: 123" (Zotero's extra, EndNote notes, EBSCO's N1 and U-fields).
_PMID_LABELLED = (
    *_tags("accession_number", "notes", "note", "custom1", "custom2", "custom3", "custom5"),
    *("U1", "U2", "U3", "U4", "U5"),
)


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is RIS."""
    found = _FIRST_TAG.search(head)
    if found is None:
        return 0
    return 100 if not head[: found.start()].strip() else 80


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a record's RIS tags."""
    fields = group(raw)
    doi = first(fields, _DOI) or _doi_elsewhere(fields)
    return Draft(
        title=first(fields, _TITLE),
        authors=every(fields, _AUTHORS),
        year=first(fields, _YEAR),
        journal=first(fields, _JOURNAL),
        volume=first(fields, ("VL",)),
        issue=first(fields, ("IS",)),
        # Scopus, Web of Science and EndNote give online-only articles an article number
        # (C7) instead of pages; PubMed calls the same number the page, so it stands in.
        start_page=first(fields, ("SP", "C7")),
        end_page=first(fields, ("EP",)),
        doi=doi,
        pmid=_pmid(fields),
        issn=first(fields, ("SN",)),
        abstract=first(fields, _ABSTRACT),
        keywords=every(fields, ("KW",)),
        kind=_kind(first(fields, ("TY",))),
    )


def _kind(type_of_reference: str) -> str:
    # Some tools write a type name ("Journal Article") instead of the code.
    code = type_of_reference.strip().upper()
    return ris_kind(code, code)


def _doi_elsewhere(fields: dict[str, list[str]]) -> str:
    for tag in _DOI_ELSEWHERE:
        for value in fields.get(tag, ()):
            if "10." in value and ("doi" in value.lower() or value.lstrip().startswith("10.")):
                return value
    return ""


def _pmid(fields: dict[str, list[str]]) -> str:
    for tag in _PMID_LABELLED:
        for value in fields.get(tag, ()):
            # Labelled only: a bare number in AN is the database's own accession number
            # (CINAHL, Embase).
            found = labelled_pmid(value)
            if found:
                return found
    for tag in ("UR", "L2"):
        for value in fields.get(tag, ()):
            if "pubmed" in value and normalise_pmid(value):
                return value
    # Ovid puts the PMID in AN for MEDLINE records (and its own numbers for other databases).
    database = " ".join(fields.get("DB", []) + fields.get("DP", [])).lower()
    if "medline" in database or "pubmed" in database or "nlm" in database.split():
        accession = first(fields, ("AN",)).strip()
        if accession.isdigit():
            return accession
    return ""


def _continued(block: list[str], at: int) -> int:
    """How many lines of ``block`` from index ``at`` on are continuation lines or blank.

    One search over the lines joined, in spans of 8 lines that double, so that a long run
    costs a regular expression's pass over it, and a short one (a wrapped abstract) one
    search.
    """
    end, span, count = at, 8, len(block)
    while end < count:
        stop = min(count, end + span)
        text = "\n" + "\n".join(block[end:stop])
        found = _RUN_STOP.search(text)
        if found is not None:
            return end - at + text.count("\n", 1, found.start())
        end, span = stop, span * 2
    return end - at


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each record of a RIS file, and the problems found, in file order."""
    # One flat loop with local names, on purpose: it runs for every line of files with
    # millions of lines, and a function call per line would cost a third of the time.
    valid = _VALID_TAGS
    max_raw = context.max_raw_fields
    limit = context.max_field_chars
    raw: list[tuple[str, str]] = []
    more = Continuations("\n")
    start = 0  # line of the current record's TY; 0 when outside a record
    dropped = 0  # fields of the current record beyond max_raw_fields
    stray_reported = False
    lineno = 0
    for block in source.line_blocks(limit + 64):
        before = lineno  # the line before the block's first
        lines = iter(block)
        for line in lines:
            lineno += 1
            tag = line[:2]
            if line[2:5] == "  -" and tag in valid:
                value = line[5:].strip()
            elif not line or line.isspace():
                continue
            else:
                # Only a BOM is skipped: an indented line is a continuation (see ris_writer).
                matched = _ODD_TAG.match(line.lstrip("\ufeff"))
                if matched is None:
                    if line.rstrip() == "ER":
                        tag, value = "ER", ""
                    elif line[2:5] == "  -":
                        if start:
                            if not dropped:
                                more.add(len(raw) - 1, line.strip(), limit)
                            # Shaped like a tag line but no tag: a damaged tag, whose value
                            # now reads as part of the field before it. Kept, and said.
                            context.problem(
                                lineno,
                                f"{tag!r} is not a RIS tag; the line was kept as a "
                                "continuation of the field before it",
                            )
                        continue
                    else:
                        # A continuation line (outside a record: text that is ignored,
                        # e.g. an export's header) and the run of such lines after it, taken
                        # at once: 278,000 of them cost 5x a valid export of their size when
                        # each went round this loop.
                        at = lineno - before  # the next line's index in the block
                        # (Usually a tag line is next: told without a call.)
                        follows = at < len(block) and block[at][2:5] != "  -"
                        run = _continued(block, at) if follows else 0
                        if start and not dropped:
                            more.add(len(raw) - 1, line.strip(), limit)
                            if run:
                                texts = map(str.strip, block[at : at + run])
                                more.extend(len(raw) - 1, [*filter(None, texts)], limit)
                        if run:
                            lineno += run
                            next(islice(lines, run, run), None)  # skip them
                        continue
                else:
                    tag, value = matched.group(1), matched.group(2).strip()
            if tag == "TY":
                if start:
                    context.problem(start, "record has no ER line; it ends where the next "
                                    f"record begins (line {lineno})")  # fmt: skip
                    yield from context.finish(draft, raw, start, dropped, more)
                raw = [("TY", value)]
                start = lineno
                dropped = 0
                stray_reported = False
            elif tag == "ER":
                if start:
                    yield from context.finish(draft, raw, start, dropped, more)
                    raw = []
                    start = 0
            elif start:
                if len(raw) < max_raw:
                    raw.append((tag, value))
                else:
                    dropped += 1
            elif not stray_reported:
                context.problem(lineno, f"tag {tag} outside any record (no TY line before it); "
                                "ignored up to the next TY")  # fmt: skip
                stray_reported = True
                yield from context.drain()
    if start:
        context.problem(start, "file ends inside this record (no ER line); check that the file "
                        "is complete")  # fmt: skip
        yield from context.finish(draft, raw, start, dropped, more)
