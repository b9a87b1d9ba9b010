"""Tables of records: Scopus CSV, Web of Science tab-delimited, and any CSV/TSV whose
header uses common column names (Zotero, Rayyan, Covidence, EndNote and Excel exports).

The delimiter (comma, semicolon or tab) is read from the header line. A header of Web of
Science two-letter tags (``PT AU TI SO``...) is read with the WoS tag meanings; any other
header is matched by name, ignoring case and punctuation (``Source title``, ``Publication
Year``, ``PubMed ID``). Each non-empty cell is kept in ``raw`` under its column's name.

WoS tab-delimited files are not quoted (a title may contain a lone ``"``), so a tab header
without quotes is read with quoting switched off.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from realist.domain.bibliography import split_authors
from realist.domain.records import Record
from realist.importers import wos
from realist.importers.base import Context, Draft, Problem, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["parse", "sniff"]

_KEY = re.compile(r"[^a-z0-9]")
_Reader = Iterator[list[str]]
_WOS_TAGS = frozenset({"PT", "AU", "AF", "TI", "SO", "PY", "UT", "DI", "AB", "VL", "BP", "DT"})

# Column names by slot, in order of preference (compared without case and punctuation).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "articletitle", "documenttitle", "primarytitle", "titleofarticle"),
    "authors": ("authors", "author", "authornames", "authorfullnames", "creators", "creator"),
    "year": ("year", "publicationyear", "publishedyear", "pubyear", "yearpublished", "date",
             "publicationdate", "datepublished", "pubdate", "issued"),
    "journal": ("sourcetitle", "journal", "journaltitle", "journalname", "publicationtitle",
                "secondarytitle", "periodical", "containertitle", "publication", "source"),
    "volume": ("volume", "vol"),
    "issue": ("issue", "issuenumber", "number", "no"),
    "start_page": ("pagestart", "startpage", "firstpage", "pages", "page", "pagerange",
                   "pagination", "artno", "articlenumber"),
    "end_page": ("pageend", "endpage", "lastpage"),
    "doi": ("doi", "digitalobjectidentifier", "doiurl"),
    "pmid": ("pubmedid", "pmid", "pubmed"),
    "issn": ("issn", "eissn", "printissn", "electronicissn"),
    "abstract": ("abstract", "abstractnote", "summary"),
    "kind": ("documenttype", "type", "itemtype", "referencetype", "reftype", "publicationtype"),
}  # fmt: skip
_KEYWORDS = ("authorkeywords", "keywords", "indexkeywords", "manualtags", "automatictags",
             "meshterms", "mesh", "subjects", "subjectheadings")  # fmt: skip
_ALL_NAMES = frozenset(n for names in _COLUMNS.values() for n in names) | frozenset(_KEYWORDS)


def _delimiter(header: str) -> str:
    if "\t" in header:
        return "\t"
    if header.count(";") > header.count(","):
        return ";"
    return "," if "," in header else ""


def _header(head: str) -> tuple[list[str], str]:
    line = head.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _delimiter(line)
    if not delimiter:
        return [], ""
    try:
        return next(csv.reader([line], delimiter=delimiter)), delimiter
    except csv.Error:  # e.g. a "header" longer than the csv module's field limit
        return [], ""


def _is_wos(header: list[str]) -> bool:
    return len(_WOS_TAGS.intersection(h.strip() for h in header)) >= 4


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is a table of records."""
    header, _ = _header(head)
    if _is_wos(header):
        return 75
    known = {_KEY.sub("", h.lower()) for h in header} & _ALL_NAMES
    if len(known) >= 2 and known & {"title", "articletitle", "documenttitle", "doi"}:
        return 60 + min(len(known), 20)
    return 0


class _Table:
    """How one file's columns map onto a Draft."""

    def __init__(self, header: list[str]) -> None:
        self.names = [h.strip().lstrip("\ufeff") or f"column {i + 1}" for i, h in
                      enumerate(header)]  # fmt: skip
        self.wos = _is_wos(self.names)
        by_key: dict[str, str] = {}
        for name in self.names:
            by_key.setdefault(_KEY.sub("", name.lower()), name)
        self.slots = {
            slot: tuple(by_key[k] for k in keys if k in by_key) for slot, keys in _COLUMNS.items()
        }
        self.keywords = tuple(by_key[k] for k in _KEYWORDS if k in by_key)
        # Scopus (the table with "Source title") exports journal articles unless it says not.
        self.default_kind = "JOUR" if "sourcetitle" in by_key else "GEN"

    def draft(self, raw: list[tuple[str, str]]) -> Draft:
        fields = group(raw)
        if self.wos:
            return wos.draft_from_fields(fields, separator=";")

        def pick(slot: str) -> str:
            for name in self.slots[slot]:
                for value in fields.get(name, ()):
                    if value.strip():
                        return value
            return ""

        authors = [a for n in self.slots["authors"][:1] for v in fields.get(n, ())
                   for a in split_authors(v)]  # fmt: skip
        keywords = [k for n in self.keywords for v in fields.get(n, ()) for k in v.split(";")]
        return Draft(
            title=pick("title"),
            authors=authors,
            year=pick("year"),
            journal=pick("journal"),
            volume=pick("volume"),
            issue=pick("issue"),
            start_page=pick("start_page"),
            end_page=pick("end_page"),
            doi=pick("doi"),
            pmid=pick("pmid"),
            issn=pick("issn"),
            abstract=pick("abstract"),
            keywords=keywords,
            kind=ris_kind(pick("kind"), self.default_kind),
        )


def _uncut_lines(source: TextSource, limit: int, cut: list[int]) -> Iterator[str]:
    """The lines of ``source``; one cut at ``limit`` becomes empty, its number put in ``cut``.

    A cut line has lost its end, perhaps the quote closing a field, which would make the csv
    module swallow the rows after it; an empty line cannot.
    """
    for number, line in enumerate(source.lines(limit), 1):
        if len(line) > limit:
            cut.append(number)
            yield "\n"
        else:
            yield line


def _next_row(reader: _Reader, limit: int) -> list[str] | None:
    # The csv module's field limit is process-wide: set it for this row only, so that
    # neither other code nor another import running alongside sees it changed.
    saved = csv.field_size_limit(limit)
    try:
        return next(reader, None)
    finally:
        csv.field_size_limit(saved)


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each row of a CSV or tab-delimited file as a record, with the problems found."""
    # Lines are cut at this length; quoted fields spanning lines meet the same limit in the
    # csv module, beyond which the row is skipped with a problem (shorter ones are clipped
    # with a problem in Context.record).
    line_limit = 4 * context.max_field_chars + 64
    cut: list[int] = []
    lines = _uncut_lines(source, line_limit, cut)
    header_line = next(lines, "")
    header, delimiter = _header(header_line)
    table = _Table(header)
    if delimiter == "\t" and '"' not in header_line:
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    else:
        reader = csv.reader(lines, delimiter=delimiter or ",")
    last_line = 1
    while True:
        try:
            row = _next_row(reader, line_limit)
        except csv.Error as error:
            context.problem(last_line + 1, f"row could not be read ({error}); skipped")
            yield from context.drain()
            last_line = reader.line_num + 1
            continue
        while cut:
            context.problem(cut.pop(0), f"line has more than {line_limit:,} characters; skipped")
        if row is None:
            yield from context.drain()
            break
        start, last_line = last_line + 1, reader.line_num + 1
        raw = [(table.names[i] if i < len(table.names) else f"column {i + 1}", cell)
               for i, cell in enumerate(row) if cell.strip()]  # fmt: skip
        if not raw:
            continue
        if len(row) > len(table.names) and any(c.strip() for c in row[len(table.names) :]):
            context.problem(
                start,
                f"row has {len(row)} values but the header has {len(table.names)} columns; "
                "the extra values are kept as 'column N'",
            )
        yield from context.finish(table.draft, raw, start)
