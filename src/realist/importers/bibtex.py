"""BibTeX and BibLaTeX (Zotero, Mendeley, JabRef, Google Scholar), read with bibtexparser 2.

bibtexparser splits the file and resolves ``@string`` macros; raw fields keep the value as
written (LaTeX included, outer braces removed) under their own names, plus ``ENTRYTYPE``
and ``ID`` for the entry type and citation key, as bibtexparser 1 named them. Normalised
fields are decoded from LaTeX to Unicode with pylatexenc (which bibtexparser uses itself).

An entry whose key repeats an earlier one is still a record (merged libraries often repeat
keys); an entry bibtexparser cannot parse becomes a problem with its line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from bibtexparser.entrypoint import parse_string
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from realist.domain.bibliography import normalise_pmid
from realist.domain.records import Record
from realist.importers.base import Context, Draft, Problem, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_ENTRY = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_LATEX_CHARS = re.compile(r"[\\{}$~]")
_latex = LatexNodes2Text()


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is BibTeX."""
    types = {t.lower() for t in _ENTRY.findall(head)} - {"comment", "preamble", "string"}
    return 90 if types else 0


def _text(value: str) -> str:
    if not _LATEX_CHARS.search(value):
        return value
    try:
        return str(_latex.latex_to_text(value))
    except Exception:  # pylatexenc is lenient, but an untrusted value must never stop an import
        return value


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a BibTeX entry's raw fields, decoding LaTeX."""
    fields = group((name.lower(), value) for name, value in raw)
    authors = first(fields, ("author",)) or first(fields, ("editor",))
    pmid = first(fields, ("pmid",))
    if not pmid and first(fields, ("eprinttype",)).lower() == "pubmed":
        pmid = first(fields, ("eprint",))
    keywords = re.split(r"[;,]", first(fields, ("keywords", "keyword", "mesh")))
    return Draft(
        title=_text(first(fields, ("title",))),
        authors=[_text(name) for name in split_multiple_persons_names(authors)] if authors else [],
        year=first(fields, ("year", "date")),
        journal=_text(first(fields, ("journal", "journaltitle", "booktitle", "series"))),
        volume=first(fields, ("volume",)),
        issue=first(fields, ("number", "issue")),
        start_page=first(fields, ("pages",)),
        doi=first(fields, ("doi",)) or _doi_url(first(fields, ("url",))),
        pmid=normalise_pmid(pmid),
        issn=first(fields, ("issn",)),
        abstract=_text(first(fields, ("abstract",))),
        keywords=[_text(k) for k in keywords if k.strip()],
        kind=ris_kind(first(fields, ("entrytype",))),
    )


def _doi_url(url: str) -> str:
    return url if "doi.org/" in url else ""


def _unenclosed(value: str) -> str:
    # Entries with a repeated key never reach bibtexparser's middleware, so their values
    # still carry the braces or quotes that enclose them.
    if len(value) >= 2 and value[0] + value[-1] in ("{}", '""'):
        return value[1:-1]
    return value


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
        library = parse_string(_bounded_text(source, context))
    finally:
        logger.setLevel(level)
    yield from context.drain()
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            entry, enclosed = block.ignore_error_block, True
        elif isinstance(block, Entry):
            entry, enclosed = block, False
        elif isinstance(block, ParsingFailedBlock):
            reason = str(block.error).split("\n")[-1].strip() or "syntax error"
            context.problem(line, f"BibTeX entry could not be read: {reason}; skipped")
            yield from context.drain()
            continue
        else:
            continue  # @string, @preamble and comments are not records
        raw = [("ENTRYTYPE", entry.entry_type), ("ID", entry.key)]
        for bib_field in entry.fields:
            value = str(bib_field.value)
            raw.append((bib_field.key, _unenclosed(value) if enclosed else value))
        yield from context.finish(draft, raw, line)
