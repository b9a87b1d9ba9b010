"""Tables of records: Scopus CSV, Web of Science tab-delimited, and any CSV/TSV whose
header uses common column names (Zotero, Rayyan, Covidence, EndNote and Excel exports).

The delimiter (comma, semicolon or tab) is read from the header line. A header of Web of
Science two-letter tags (``PT AU TI SO``...) is read with the WoS tag meanings; any other
header is matched by name, ignoring case and punctuation (``Source title``, ``Publication
Year``, ``PubMed ID``). Each non-empty cell is kept in ``raw`` under its column's name.

Web of Science's tab-delimited export is not quoted (a title may contain a lone ``"``), so a
header of WoS tags is read with quoting switched off. Every other table is read with
quoting, tab-delimited ones too: Excel's "Unicode text" has an unquoted header and quotes
only the cells that hold a tab, a quote or a line break.

Quotes are where a damaged table goes wrong: one stray or missing ``"`` and the csv module
reads the rest of the file as one value, or splits a record in two. So rows are read
strictly (a closing quote must be followed by a delimiter or the line's end, a quoted value
must close), and a row that breaks a rule, or spans lines and has the wrong number of
values, is *runaway quoting*: its first line, and the lines after it that do not form a row
of the expected shape, are read again as one row without quotes and reported with their
lines; reading resumes, quotes trusted again, at the first line that starts a good row.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, deque
from collections.abc import Iterator
from typing import Literal

from realist.domain.bibliography import split_authors
from realist.domain.records import Record
from realist.importers import wos
from realist.importers.base import MAX_NAME_CHARS, Context, Draft, Problem, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["parse", "sniff"]

_KEY = re.compile(r"[^a-z0-9]")
_Reader = Iterator[list[str]]
_Item = tuple[int, list[str]] | Problem  # a row and its first line, or a problem
_Quoting = Literal[0, 1, 2, 3]  # the csv module's QUOTE_ constants, as typeshed has them
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


def _cells(line: str, delimiter: str, quoting: _Quoting = csv.QUOTE_MINIMAL) -> list[str]:
    """The values of one line, read strictly; split at every delimiter when that fails."""
    try:
        return next(csv.reader([line], delimiter=delimiter, quoting=quoting, strict=True), [])
    except csv.Error:
        # A damaged quote, or a line longer than the csv module's field limit.
        return _split(line, delimiter)


def _split(text: str, delimiter: str) -> list[str]:
    """``text`` cut at every delimiter, quotes or not: the reading of last resort."""
    return [_unquote(cell.strip()) for cell in text.rstrip("\n").split(delimiter)]


def _header(head: str) -> tuple[list[str], str]:
    line = head.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _delimiter(line)
    if not delimiter:
        return [], ""
    header = _cells(line, delimiter)
    if not _is_wos(header):
        # The delimiter that names the most known columns wins: one stray tab or semicolon
        # in a header must not hide all its names.
        for other in ("\t", ";", ","):
            if other != delimiter and other in line:
                cells = _cells(line, other)
                if _known(cells) > _known(header):
                    header, delimiter = cells, other
    return header, delimiter


def _known(header: list[str]) -> int:
    return len({_KEY.sub("", h.lower()) for h in header} & _ALL_NAMES)


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
        # Each heading is the name of a raw field of every row: bounded once, here.
        self.long_names = [i + 1 for i, n in enumerate(self.names) if len(n) > MAX_NAME_CHARS]
        self.names = [name[:MAX_NAME_CHARS] for name in self.names]
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


# A quoted value over more lines than this is taken for runaway quoting if at least one
# line in _ROWLIKE_SHARE of it holds as many delimiters as a row (the rows it swallowed).
_MAX_ROW_LINES = 1_000
_ROWLIKE_SHARE = 4
# After a damaged row, at most this many lines that do not form a row are read as its
# remains (the rest of a multi-line value whose quote went wrong); then reading goes on.
_MAX_REMAINS = 20
# Lines handed to the csv module (reading again after damage included) per line of the file;
# a file that needs more has quotes too broken to trust, and is read a line per row from
# there, which keeps the time linear in the size of any input.
_MAX_WORK = 4


class _Feed:
    """The file's lines for the csv module, numbered, each kept in ``taken`` while its row
    is read, and some read again after ``put_back``.

    A line cut at ``limit`` has lost its end, perhaps the quote closing a value, so it is
    given as an empty line and its number put in ``cut``.
    """

    def __init__(self, source: TextSource, limit: int) -> None:
        self._lines = self._numbered(source, limit)
        self.again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.cut: list[int] = []
        self.read = 0  # lines read from the file
        self.fed = 0  # lines given to the csv module, counting those read again

    def _numbered(self, source: TextSource, limit: int) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(source.lines(limit), 1):
            self.read = number
            if len(line) > limit:
                self.cut.append(number)
                line = "\n"
            yield number, line

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        if self.again:
            item = self.again.popleft()
        else:
            item = next(self._lines)
            if not self.taken:
                # A blank line where a row starts is no row: skipped here, in one loop. The
                # csv module would give it as an empty row at six calls a line (a file of
                # blank lines cost 10x a valid table). In a quoted cell it is text: kept.
                while item[1] == "\n":
                    item = next(self._lines)
        self.taken.append(item)
        return item[1]

    def put_back(self, items: list[tuple[int, str]]) -> None:
        """Have ``items`` read again, first, in their order."""
        self.again.extendleft(reversed(items))

    def trusted(self) -> bool:
        """Whether rereading has stayed within its share of the work."""
        return self.fed <= _MAX_WORK * self.read + 1_000


class _Rows:
    """The rows of one table, in file order, each with its first line; damaged rows
    resynchronised and reported (see the module's docstring)."""

    def __init__(self, source: TextSource, context: Context, limit: int) -> None:
        self.context = context
        self.limit = limit
        self.feed = _Feed(source, limit)
        self.header_line = next(self.feed, "")
        while self.header_line.isspace():  # blank lines before the header (not its end: "")
            self.header_line = next(self.feed, "")
        header, delimiter = _header(self.header_line)
        self.table = _Table(header)
        self.delimiter = delimiter or ","
        self.quoting: _Quoting = csv.QUOTE_NONE if self.table.wos else csv.QUOTE_MINIMAL
        self.reader = csv.reader(self.feed, delimiter=self.delimiter, quoting=self.quoting,
                                 strict=True)  # fmt: skip
        self.header = [cell.strip() for cell in header]
        for column in self.table.long_names:
            context.problem(1, f"the name of column {column} has more than {MAX_NAME_CHARS} "
                            f"characters; kept the first {MAX_NAME_CHARS}")  # fmt: skip
        # The shapes rows may have: the header's, and the most common one among the rows at
        # the file's start (a header cut short or joined to a row must not make every good
        # row look damaged); later, any width met twice in rows read without trouble.
        self.widths: Counter[int] = Counter({len(self.table.names): 2})
        common = _common_width(source.head(), self.delimiter, self.quoting)
        if common:
            self.widths[common] += 2
        if common and common < len(header):
            # A record joined to the header line (its line end lost) would otherwise vanish.
            context.problem(
                1,
                f"the header has {len(header)} columns but most rows have "
                f"{common} values; check that line 1 is only the header",
            )

    def expected(self, width: int) -> bool:
        """Whether a row of ``width`` values has the shape of this table's rows."""
        return self.widths[width] >= 2

    def _read(self) -> tuple[list[str] | None, str]:
        """The next row and "", (None, "") at the end, or (None, why) when it breaks a rule."""
        self.feed.taken = []
        try:
            row = _next_row(self.reader, self.limit)
        except csv.Error as error:
            return None, _why(str(error))
        finally:
            self.feed.fed += len(self.feed.taken)
        return row, ""

    def __iter__(self) -> Iterator[_Item]:
        while self.feed.trusted():
            row, why = self._read()
            taken = self.feed.taken
            yield from self._cut()
            if row is None and not why:
                return
            if row is not None and len(taken) == 1:
                if row:
                    yield from self._single(taken[0][0], row)
                continue
            kept_whole = len(taken) <= _MAX_ROW_LINES or not self._swallows_rows(taken)
            if row is not None and self.expected(len(row)) and kept_whole:
                yield taken[0][0], row
                continue
            if not why:
                why = (f"a quoted value runs over {len(taken):,} lines" +
                       ("" if len(taken) > _MAX_ROW_LINES else
                        f" and its row has {len(row or ())} values, not "
                        f"{len(self.table.names)}"))  # fmt: skip
            yield from self._recover(taken, why)
        yield from self._line_by_line()

    def _swallows_rows(self, taken: list[tuple[int, str]]) -> bool:
        """Whether a value over many lines is runaway quoting: a quote gone wrong swallows
        the rows after it, so most of its lines hold a row's delimiters. A long value of
        plain lines (an abstract, notes) in a row of the right shape is kept as read: read
        again without quotes, its row's values came out shifted."""
        needed = len(self.table.names) - 1
        delimiter = self.delimiter
        rowlike = sum(1 for _, text in taken[1:] if text.count(delimiter) >= needed)
        return rowlike * _ROWLIKE_SHARE >= len(taken) - 1

    def _single(self, line: int, row: list[str]) -> Iterator[_Item]:
        """A row read from one line without trouble, unless it repeats the header."""
        width = len(self.table.names)
        if (len(row) == width and row[0].strip() == self.header[0]
                and [cell.strip() for cell in row] == self.header):  # fmt: skip
            self.context.problem(line, "row repeats the header (were files joined?); skipped")
            yield from self.context.drain()
            return
        if len(row) < width and not self.expected(len(row)):
            # Said, not refused: hand-made tables leave trailing cells out, but in an export
            # a short row is often the rest of a record whose line was broken.
            self.context.problem(line, f"row has {len(row)} value{'s' if len(row) > 1 else ''} "
                                 f"but the header has {width} columns")  # fmt: skip
        self.widths[len(row)] += 1
        yield line, row

    def _recover(self, taken: list[tuple[int, str]], why: str) -> Iterator[_Item]:
        """Read the damaged row that began ``taken`` without quotes, with its remains."""
        region = [taken[0]]
        swallowed = taken[-1][0]  # lines to here were inside the damaged row
        self.feed.put_back(taken[1:])
        remains = 0
        while self.feed.trusted():
            row, _ = self._read()
            lines = self.feed.taken
            if row is None and not lines:
                break
            good = row is not None and len(lines) <= _MAX_ROW_LINES and self.expected(len(row))
            if good:
                self.feed.put_back(lines)  # read again, as a row, by the caller
                break
            if row != [] and lines[0][0] > swallowed:
                remains += 1
                if remains > _MAX_REMAINS:
                    self.feed.put_back(lines)
                    break
            region.append(lines[0])
            self.feed.put_back(lines[1:])
        yield from self._cut()
        first, last = region[0][0], region[-1][0]
        where = f"line {first} was" if first == last else f"lines {first}–{last} were"
        self.context.problem(first, f"{why}; {where} read again as one row without quotes")
        yield first, self._unquoted([text for _, text in region])

    def _unquoted(self, lines: list[str]) -> list[str]:
        """One row from ``lines`` whose quotes do not pair up: read leniently if that makes
        a row of the expected shape, else split at every delimiter."""
        text = "".join(lines)
        if self.quoting != csv.QUOTE_NONE:
            try:
                rows = list(csv.reader(lines, delimiter=self.delimiter))
            except csv.Error:
                rows = []
            if len(rows) == 1 and self.expected(len(rows[0])):
                return [cell.strip() for cell in rows[0]]
        return _split(text, self.delimiter)

    def _line_by_line(self) -> Iterator[_Item]:
        """The rest of the file, each line one row: quotes within a line only."""
        first = 0
        for number, line in self._rest():
            if not first:
                first = number
                self.context.problem(number, "quotes do not pair up often enough to be trusted; "
                                     "from here each line is read as one row")  # fmt: skip
            row = _cells(line, self.delimiter, self.quoting)
            yield from self._cut()
            if row:
                yield number, row

    def _rest(self) -> Iterator[tuple[int, str]]:
        while self.feed.again:
            yield self.feed.again.popleft()
        while True:
            self.feed.taken = []
            try:
                next(self.feed)
            except StopIteration:
                return
            yield self.feed.taken[0]

    def _cut(self) -> Iterator[Problem]:
        while self.feed.cut:
            line = self.feed.cut.pop(0)
            self.context.problem(line, f"line has more than {self.limit:,} characters; skipped")
        yield from self.context.drain()


def _common_width(head: str, delimiter: str, quoting: _Quoting) -> int:
    """The most common number of values in the rows of ``head`` after its first line, if
    at least three rows have it (0 otherwise)."""
    lines = head.split("\n")[1:200]
    try:
        widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter,
                                                        quoting=quoting) if row)  # fmt: skip
    except csv.Error:
        return 0
    common = widths.most_common(1)
    return common[0][0] if common and common[0][1] >= 3 else 0


def _why(error: str) -> str:
    if error == "unexpected end of data":
        return "a quoted value is never closed"
    if error.startswith("',' expected after") or "expected after" in error:
        return "a closing quote is followed by text, not by a delimiter"
    return f"row could not be read ({error})"


def _unquote(cell: str) -> str:
    """``cell`` without the quotes that were CSV syntax: around it, or a lone one at an end."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    if cell.count('"') == 1 and (cell[0] == '"' or cell[-1] == '"'):
        return cell.strip('"')
    return cell


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
    # csv module, beyond which the row is read again without quotes, with a problem
    # (shorter ones are clipped with a problem in Context.record).
    line_limit = 4 * context.max_field_chars + 64
    rows = _Rows(source, context, line_limit)
    table = rows.table
    width = len(table.names)
    for item in rows:
        if isinstance(item, Problem):
            yield item
            continue
        start, row = item
        raw = [(table.names[i] if i < width else f"column {i + 1}", cell)
               for i, cell in enumerate(row) if cell.strip()]  # fmt: skip
        if not raw:
            yield from context.drain()
            continue
        if len(row) > width and any(c.strip() for c in row[width:]):
            context.problem(
                start,
                f"row has {len(row)} values but the header has {width} columns; "
                "the extra values are kept as 'column N'",
            )
        yield from context.finish(table.draft, raw, start)
