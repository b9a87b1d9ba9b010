"""BibTeX and BibLaTeX (Zotero, Mendeley, JabRef, Google Scholar), read with bibtexparser 2.

bibtexparser splits the file into entries, fields and ``@string`` definitions; the values it
gives are as written, and this module reads them as BibTeX does: ``#`` joins the parts of a
value (``"Part " # "two"``), a bare name is an ``@string`` macro (defined anywhere in the
file, later definitions winning, as bibtexparser resolves them) or one of BibTeX's month
macros (``jan`` .. ``dec``). bibtexparser 2 resolves only a value that is a macro alone and
keeps concatenations as written (``"Part " # "two"``), hence the few lines here. A macro
the file never defines is kept by name and reported. Raw fields keep each value so
resolved (LaTeX included, outer braces or quotes removed) under its own name, plus
``ENTRYTYPE`` and ``ID`` for the entry type and citation key, as bibtexparser 1 named them.
Normalised fields are decoded from LaTeX to Unicode by :mod:`realist.importers.latex`.

An entry whose key repeats an earlier one is still a record (merged libraries often repeat
keys), and so is an entry that repeats a field (both values stay in raw, the first is
used); ``and others`` ends an author list, it is not an author. An entry bibtexparser cannot
parse becomes a problem with its line, and so does text between entries that holds fields
(an entry whose ``@type{key,`` line was damaged, which bibtexparser takes for a comment).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    String,
)

from realist.domain.bibliography import normalise_pmid
from realist.domain.records import Record
from realist.importers.base import Context, Draft, Problem, first, group
from realist.importers.kinds import ris_kind
from realist.importers.latex import to_text
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_ENTRY = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
# Braces, quotes and "#" decide how a value splits; one after a backslash is escaped, the
# convention bibtexparser's splitter follows.
_VALUE_MARK = re.compile(r'(?<!\\)[{}"#]')
_MACRO_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_MONTHS = {name[:3].lower(): name for name in (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December")}  # fmt: skip
# Text between entries with a line like "title = {...": an entry whose "@type{key," line
# was damaged, which bibtexparser reads as a comment.
_FIELD_LINE = re.compile(r"^[ \t]*[A-Za-z][\w-]{0,40}[ \t]*=[ \t]*[{\"\w]", re.MULTILINE)
_TITLE_FIELD = re.compile(r"\btitle[ \t]*=[ \t]*[{\"]+([^{}\"\n]{1,80})", re.IGNORECASE)
# What BibTeX styles print as "et al.": the end of a list, not a person.
_NOT_NAMES = frozenset(("others", "{others}", "et al.", "et al"))


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is BibTeX."""
    types = {t.lower() for t in _ENTRY.findall(head)} - {"comment", "preamble", "string"}
    return 90 if types else 0


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a BibTeX entry's raw fields, decoding LaTeX."""
    fields = group((name.lower(), value) for name, value in raw)
    authors = first(fields, ("author",)) or first(fields, ("editor",))
    pmid = first(fields, ("pmid",))
    if not pmid and first(fields, ("eprinttype",)).lower() == "pubmed":
        pmid = first(fields, ("eprint",))
    keywords = re.split(r"[;,]", first(fields, ("keywords", "keyword", "mesh")))
    names = split_multiple_persons_names(authors) if authors else []
    return Draft(
        title=to_text(first(fields, ("title",))),
        authors=[to_text(name) for name in names if name.strip().lower() not in _NOT_NAMES],
        year=first(fields, ("year", "date")),
        journal=to_text(first(fields, ("journal", "journaltitle", "booktitle", "series"))),
        volume=first(fields, ("volume",)),
        issue=first(fields, ("number", "issue")),
        start_page=first(fields, ("pages",)),
        doi=first(fields, ("doi",)) or _doi_url(first(fields, ("url",))),
        pmid=normalise_pmid(pmid),
        issn=first(fields, ("issn",)),
        abstract=to_text(first(fields, ("abstract",))),
        keywords=[to_text(k) for k in keywords if k.strip()],
        kind=ris_kind(first(fields, ("entrytype",))),
    )


def _doi_url(url: str) -> str:
    return url if "doi.org/" in url else ""


def _parts(value: str) -> list[str]:
    """``value`` split at each ``#`` outside braces and quotes: the parts BibTeX joins."""
    if "#" not in value:
        return [value]
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for mark in _VALUE_MARK.finditer(value):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth:
            continue  # quotes and "#" inside braces are text
        elif char == '"':
            quoted = not quoted
        elif not quoted:
            parts.append(value[start : mark.start()])
            start = mark.end()
    parts.append(value[start:])
    return parts


class _Expansion:
    """What macros may still add, over the whole file: the text they make is bounded.

    Without a bound, macros built from macros double at each step (forty of them make a
    terabyte: a "billion laughs"), and one long macro used in every entry multiplies the
    file's size by the number of entries.
    """

    def __init__(self, budget: int, limit: int) -> None:
        self.left = budget
        self.limit = limit  # characters in one value
        self.refused = False  # a macro was kept by name for want of room
        self.told = False

    def take(self, size: int) -> bool:
        if size > self.left:
            self.left, self.refused = 0, True
            return False
        self.left -= size
        return True


def _resolve(value: str, macros: dict[str, str], undefined: list[str], room: _Expansion) -> str:
    """A value as BibTeX reads it: parts joined, enclosing removed, macros replaced.

    A macro that is not defined, or once the file's expansions have used their budget,
    keeps its name; an undefined name is added to ``undefined``. The result stops after
    ``room.limit`` characters.
    """
    pieces: list[str] = []
    size = 0
    for part in _parts(value):
        part = part.strip()
        if len(part) >= 2 and part[0] + part[-1] in ("{}", '""'):
            piece = part[1:-1]
        elif part.isdigit() or not _MACRO_NAME.fullmatch(part):
            piece = part  # a number, or something no BibTeX reader would accept
        else:
            name = part.lower()
            known = macros.get(name, _MONTHS.get(name))
            if known is None:
                undefined.append(part)
            known = known[: room.limit - size] if known is not None else None
            piece = known if known is not None and room.take(len(known)) else part
        pieces.append(piece[: room.limit - size])
        size += len(pieces[-1])
        if size >= room.limit:
            break
    return "".join(pieces)


def _macros(blocks: list[Block], room: _Expansion) -> dict[str, str]:
    """Every ``@string`` of the file, by lower-case name; each may use the ones before."""
    macros: dict[str, str] = {}
    for block in blocks:
        # A macro defined again comes as a DuplicateBlockKeyBlock: the later one wins.
        string = block.ignore_error_block if isinstance(block, DuplicateBlockKeyBlock) else block
        if isinstance(string, String):
            macros[string.key.lower()] = _resolve(str(string.value), macros, [], room)
    return macros


def _bounded_text(source: TextSource, context: Context) -> str:
    """The whole text for bibtexparser, which needs it at once, with overlong lines cut.

    bibtexparser holds several copies of what it splits, so a hostile 200 MB line would
    cost gigabytes; cut, it costs its first few megabytes (and its entry is reported).
    """
    limit = 4 * context.max_field_chars + 64
    lines: list[str] = []
    for block in source.line_blocks(limit):
        for line in block:
            if len(line) >= limit:
                context.problem(len(lines) + 1, f"line has more than {limit:,} characters; cut")
            lines.append(line)
    return "\n".join(lines)


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each entry of a BibTeX file as a record, and the problems found."""
    # bibtexparser logs every failed block to stderr; here they become problems instead.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        # No middleware: values come as written, and _resolve reads them whole.
        text = _bounded_text(source, context)
        library = parse_string(text, parse_stack=[])
    finally:
        logger.setLevel(level)
    yield from context.drain()
    # One character over the field limit, so that Context reports a value as cut; macros
    # may add eight times the file's size in all, far above what real files do.
    room = _Expansion(8 * len(text) + context.max_field_chars, context.max_field_chars + 1)
    macros = _macros(library.blocks, room)
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        repeated = (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)
        if isinstance(block, Entry):
            entry = block
        elif isinstance(block, repeated) and isinstance(block.ignore_error_block, Entry):
            entry = block.ignore_error_block  # a repeated key or field: still a record
            if isinstance(block, DuplicateFieldKeyBlock):
                names = ", ".join(sorted(block.duplicate_keys))
                context.problem(line, f"entry repeats field(s) {names}; every value is kept "
                                "in raw, the first is used")  # fmt: skip
        elif isinstance(block, ParsingFailedBlock):
            reason = str(block.error).split("\n")[-1].strip() or "syntax error"
            context.problem(line, f"BibTeX entry could not be read: {reason}; skipped")
            yield from context.drain()
            continue
        else:
            comment = block.comment if isinstance(block, ImplicitComment) else ""
            fields = _FIELD_LINE.search(comment)
            if fields is not None:
                title = _TITLE_FIELD.search(comment)
                named = f' ("{title.group(1).strip()}")' if title else ""
                # Named by the lines of its fields, not of the comment before them: that is
                # where the entry whose "@type{key," line was lost stood.
                first = line + comment.count("\n", 0, fields.start())
                last = line + comment.rstrip().count("\n")
                where = f"line {first}" if first == last else f"lines {first}–{last}"
                context.problem(first, f"text between entries holds fields{named} but no "
                                f'"@type{{key," line ({where}); skipped')  # fmt: skip
                yield from context.drain()
            continue  # @string, @preamble and comments are not records
        raw = [("ENTRYTYPE", entry.entry_type), ("ID", entry.key)]
        undefined: list[str] = []
        for bib_field in entry.fields:
            raw.append((bib_field.key, _resolve(str(bib_field.value), macros, undefined, room)))
        if room.refused and not room.told:
            room.told = True
            context.problem(line, "@string macros would make more than eight times the file's "
                            "size; from here on they are kept by name")  # fmt: skip
        if undefined:
            shown = ", ".join(sorted(set(undefined))[:5])
            context.problem(line, f"@string macro(s) {shown} not defined in the file; kept "
                            "by name")  # fmt: skip
        yield from context.finish(draft, raw, line)
