"""What every importer shares: problems, limits, and turning raw fields into a ``Record``.

A format module only has to say which of its raw fields hold the title, the authors and so
on (a :class:`Draft`); :meth:`Context.record` then normalises them the same way for every
format, bounds their sizes and reports what it had to change.

This is also where every string of every record is made valid text, once, for every
format: the text layer cleans what a file holds, but parsers that decode escapes (a JSON
``\\ud800`` or ``\\u0000``, an XML character reference, a LaTeX macro) can make characters
that are not text out of clean text, and so can a normalisation (``%00`` in a DOI URL). A
lone surrogate would stop the import when the record is stored (UTF-8 cannot encode it), a
NUL would be refused by PostgreSQL. Line formats whose values are pieces of the cleaned
text (``Context(decoded=False)``: RIS, MEDLINE, Web of Science, CSV) skip the test of raw
fields, which would cost a seventh of their parse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields

from realist.domain.bibliography import (
    collapse_whitespace,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmid,
    parse_year,
    strip_markup,
)
from realist.domain.records import Record
from realist.importers.cleaning import Cleaned, clean_text, is_text

__all__ = [
    "DEFAULT_MAX_FIELD_CHARS",
    "MAX_LIST_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_RAW_FIELDS",
    "Context",
    "Continuations",
    "Draft",
    "OddLines",
    "ParseResult",
    "Problem",
    "every",
    "first",
    "group",
]

DEFAULT_MAX_FIELD_CHARS = 1_000_000
# Large physics collaborations list ~3,000-5,000 authors; 1,000 names are more than enough
# to recognise a record and keep dedup and screens fast, while every name stays in ``raw``.
MAX_LIST_ITEMS = 1_000
# Raw fields are what makes export lossless, so the cap is far above any real record
# (5,000 authors plus references) and only stops a hostile file from exhausting memory.
MAX_RAW_FIELDS = 20_000
# Field names are tags and column headings: a few words. A hostile name (a CSV heading
# repeats in every row's raw fields) must not multiply a small file into gigabytes.
MAX_NAME_CHARS = 256
_MAX_KIND = 16  # RIS codes have at most 7 letters; anything longer is not a type


@dataclass(frozen=True)
class Problem:
    """Something in an imported file that needs a person's attention.

    ``line`` is the 1-based line where the record (or the faulty line) starts, or the
    1-based record number in formats without meaningful lines (CSL-JSON).
    """

    filename: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.reason}"


@dataclass
class ParseResult:
    """Everything read from one file: its format, its records and the problems met."""

    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""


@dataclass
class Draft:
    """A record's fields as the source wrote them, picked out of its raw fields.

    ``kind`` must already be a RIS reference type (JOUR, BOOK, ...).
    """

    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    start_page: str = ""
    end_page: str = ""
    doi: str = ""
    pmid: str = ""
    issn: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    kind: str = ""


class Context:
    """One file being read: its name, its size limits and the problems found so far.

    Parsers add problems with :meth:`problem` and hand them on with :meth:`drain` after the
    record they belong to, so the caller sees them in file order.
    """

    def __init__(
        self,
        filename: str,
        max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
        max_list_items: int = MAX_LIST_ITEMS,
        max_raw_fields: int = MAX_RAW_FIELDS,
        decoded: bool = True,
    ) -> None:
        self.filename = filename
        # Whether the parser decodes escapes, so that its values may hold characters that
        # the text layer never saw (see the module's docstring).
        self.decoded = decoded
        self.max_field_chars = max_field_chars
        self.max_list_items = max_list_items
        self.max_raw_fields = max_raw_fields
        self.pending: list[Problem] = []
        self.records = 0
        self._cleaned: Cleaned | None = None  # what cleaning the current record changed

    def problem(self, line: int, reason: str) -> None:
        """Note a problem at ``line`` (or record number)."""
        if self.decoded and not is_text(reason):  # a reason may quote a decoded key
            reason = clean_text(reason, Cleaned())
        self.pending.append(Problem(self.filename, line, reason))

    def drain(self) -> Iterator[Problem]:
        """Yield and forget the problems noted since the last call."""
        if self.pending:
            pending, self.pending = self.pending, []
            yield from pending

    def clip(self, value: str, line: int, name: str) -> str:
        """``value`` cut to ``max_field_chars``, with a problem when it was longer."""
        if len(value) <= self.max_field_chars:
            return value
        # Line-based readers cut a line a little beyond the limit, so a length just above it
        # is a lower bound, not the true length.
        size = len(value)
        near = size < self.max_field_chars + 100
        told = f"more than {self.max_field_chars:,}" if near else f"{size:,}"
        self.problem(line, f"field {name} has {told} characters; kept the first "
                     f"{self.max_field_chars:,}")  # fmt: skip
        return value[: self.max_field_chars]

    def bound(self, raw: list[tuple[str, str]], line: int) -> None:
        """Clip ``raw`` in place: each value to ``max_field_chars`` and the list to
        ``max_raw_fields`` entries, with a problem for each cut; names and values are
        cleaned of characters that are not text (reported with the record)."""
        # One test of all the record's text at once: a call per value would cost more than
        # the test itself, and nearly every record passes.
        if self.decoded and not is_text("\n".join([text for pair in raw for text in pair])):
            cleaned = self._cleaned = self._cleaned or Cleaned()
            raw[:] = [
                (n if is_text(n) else clean_text(n, cleaned), v if is_text(v) else
                 clean_text(v, cleaned))
                for n, v in raw
            ]  # fmt: skip
        limit = self.max_field_chars
        for index, (name, value) in enumerate(raw):
            if len(name) > MAX_NAME_CHARS:
                self.problem(line, f"a field name has {len(name):,} characters; kept the "
                             f"first {MAX_NAME_CHARS}")  # fmt: skip
                name = name[:MAX_NAME_CHARS]
                raw[index] = (name, value)
            if len(value) > limit:
                raw[index] = (name, self.clip(value, line, name))
        if len(raw) > self.max_raw_fields:
            self.problem(
                line, f"record has {len(raw):,} fields; kept the first {self.max_raw_fields:,}"
            )
            del raw[self.max_raw_fields :]

    def record(self, draft: Draft, raw: list[tuple[str, str]], line: int) -> Record | None:
        """Normalise ``draft`` into a Record keeping ``raw`` (bounded in place, see
        :meth:`bound`); ``None``, with a problem, if the record is empty."""
        self.bound(raw, line)
        return self._record(draft, raw, line)

    def _record(self, draft: Draft, raw: list[tuple[str, str]], line: int) -> Record | None:
        if self.decoded:
            self._clean(draft)
        doi = normalise_doi(draft.doi) if draft.doi else ""
        if not is_text(doi):  # a URL-escaped DOI may decode to one ("10.1/a%00b")
            self._cleaned = self._cleaned or Cleaned()
            doi = clean_text(doi, self._cleaned)
        if self._cleaned is not None:
            self.problem(line, f"record holds characters that are not text: {self._cleaned}")
            self._cleaned = None
        title = strip_markup(self._short(draft.title))
        authors = self._names(draft.authors, line, "authors")
        pmid = normalise_pmid(draft.pmid) if draft.pmid else ""
        abstract = strip_markup(self._short(draft.abstract)) if draft.abstract else ""
        if not (title or authors or doi or pmid or abstract):
            self.problem(line, "record has no title, authors, DOI, PMID or abstract; skipped")
            return None
        if not title:
            self.problem(line, "record has no title")
        year = parse_year(draft.year) if draft.year.strip() else None
        if year is None and draft.year.strip():
            # Kept, but said: a year that is not one ("20x0") must not vanish silently.
            shown = draft.year.strip()[:40]
            self.problem(line, f"year {shown!r} holds no year from 1500 to 2099; left empty")
        self.records += 1
        return Record(
            title=title,
            authors=authors,
            year=year,
            journal=strip_markup(self._short(draft.journal)) if draft.journal else "",
            volume=collapse_whitespace(self._short(draft.volume)),
            issue=collapse_whitespace(self._short(draft.issue)),
            pages=normalise_pages(self._short(draft.start_page), self._short(draft.end_page)),
            doi=doi,
            pmid=pmid,
            issn=normalise_issn(draft.issn) if draft.issn else "",
            abstract=abstract,
            keywords=self._names(draft.keywords, line, "keywords"),
            kind=draft.kind.strip().upper()[:_MAX_KIND] or "GEN",
            raw=raw,
            source_line=line,
        )

    def finish(
        self,
        draft_of: Callable[[list[tuple[str, str]]], Draft],
        raw: list[tuple[str, str]],
        line: int,
        dropped: int = 0,
        more: Continuations | None = None,
    ) -> Iterator[Record | Problem]:
        """Yield the record built from ``raw`` (if not empty), then its problems.

        For line-based formats: ``dropped`` counts fields read beyond ``max_raw_fields``
        and ``more`` holds continuation lines still to be joined into ``raw``.
        """
        if dropped:
            self.problem(
                line, f"record has {len(raw) + dropped:,} fields; kept the first {len(raw):,}"
            )
        if more is not None and more.parts:
            more.join_into(raw)
        # Bounded before the draft is made, so that no parser works on an oversized value.
        self.bound(raw, line)
        record = self._record(draft_of(raw), raw, line)
        if record is not None:
            yield record
        yield from self.drain()

    def _clean(self, draft: Draft) -> None:
        """Clean ``draft``'s strings in place, counting what changed with the raw fields'."""
        texts = [draft.title, draft.year, draft.journal, draft.volume, draft.issue,
                 draft.start_page, draft.end_page, draft.doi, draft.pmid, draft.issn,
                 draft.abstract, draft.kind, *draft.authors, *draft.keywords]  # fmt: skip
        if not is_text("\n".join(texts)):
            cleaned = self._cleaned = self._cleaned or Cleaned()
            for item in fields(draft):
                value = getattr(draft, item.name)
                if isinstance(value, str) and not is_text(value):
                    setattr(draft, item.name, clean_text(value, cleaned))
                elif isinstance(value, list):
                    setattr(draft, item.name, [v if is_text(v) else clean_text(v, cleaned)
                                               for v in value])  # fmt: skip

    def _short(self, value: str) -> str:
        # Drafts may join several raw values, so they are bounded again here, silently: the
        # raw fields they came from have already been reported.
        return value if len(value) <= self.max_field_chars else value[: self.max_field_chars]

    def _names(self, values: Iterable[str], line: int, what: str) -> list[str]:
        # EndNote ends corporate authors with a comma ("National Childbirth Trust,").
        names = [n for n in (collapse_whitespace(self._short(v)).strip(",; ") for v in values) if n]
        if len(names) > self.max_list_items:
            self.problem(
                line, f"record lists {len(names):,} {what}; kept the first {self.max_list_items:,}"
            )
            del names[self.max_list_items :]
        return names


class OddLines:
    """Lines a line format cannot read, reported as one problem per run of consecutive
    lines (a block of garbage costs one problem, not one per line).

    Call :meth:`add` for each such line and :meth:`flush` before a record is finished and
    at the end of the file; the problem then goes out with the record's own.
    """

    def __init__(self, context: Context, what: str) -> None:
        self.context = context
        self.what = what
        self.first = self.last = 0
        self.sample = ""

    def add(self, line: int, text: str) -> None:
        """Note ``text``, the unreadable line number ``line``."""
        if self.first and line == self.last + 1:
            self.last = line
            return
        self.flush()
        self.first = self.last = line
        self.sample = text[:60]

    def flush(self) -> None:
        """Note the pending run as a problem, if there is one."""
        if not self.first:
            return
        if self.first == self.last:
            self.context.problem(self.first, f"not a {self.what} line: {self.sample!r}; ignored")
        else:
            lines = f"lines {self.first}–{self.last}"
            self.context.problem(self.first, f"{lines} are not {self.what} lines (the first: "
                                 f"{self.sample!r}); ignored")  # fmt: skip
        self.first = self.last = 0


class Continuations:
    """Continuation lines of values in line-based formats, joined when the record ends.

    Joining each line as it arrives would copy a long value once per line (quadratic for a
    hostile file); kept aside, the parts are joined once. Parts beyond ``limit`` characters
    are dropped: :meth:`Context.record` reports the value as too long when it clips it.
    """

    def __init__(self, separator: str) -> None:
        self.separator = separator
        self.parts: dict[int, list[str]] = {}
        self.size: dict[int, int] = {}

    def add(self, index: int, text: str, limit: int) -> None:
        """Add ``text`` to the value at ``raw[index]``."""
        size = self.size.get(index, 0)
        if size > limit:
            return
        self.parts.setdefault(index, []).append(text)
        self.size[index] = size + len(text) + 1

    def extend(self, index: int, texts: list[str], limit: int) -> None:
        """Add each of ``texts`` in turn to the value at ``raw[index]``, as :meth:`add` does
        (one call for a run of lines)."""
        if not texts:
            return
        size = self.size.get(index, 0)
        grown = size + sum(map(len, texts)) + len(texts)
        if grown - len(texts[-1]) - 1 <= limit:  # each part starts within the limit
            self.parts.setdefault(index, []).extend(texts)
            self.size[index] = grown
            return
        for text in texts:  # the value outgrows the limit in this run: up to that part
            self.add(index, text, limit)
            if self.size.get(index, 0) > limit:
                return

    def join_into(self, raw: list[tuple[str, str]]) -> None:
        """Append the kept parts to their values in ``raw``, and start afresh."""
        for index, parts in self.parts.items():
            name, value = raw[index]
            raw[index] = (name, self.separator.join([value, *parts]))
        self.parts.clear()
        self.size.clear()


def first(fields: dict[str, list[str]], names: Iterable[str]) -> str:
    """The first non-empty value among ``names``, in the order given."""
    for name in names:
        for value in fields.get(name, ()):
            if value:
                return value
    return ""


def every(fields: dict[str, list[str]], names: Iterable[str]) -> list[str]:
    """All values of ``names``, grouped by name in the order given."""
    return [value for name in names for value in fields.get(name, ())]


def group(raw: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Raw fields grouped by name, each list in file order."""
    fields: dict[str, list[str]] = {}
    for name, value in raw:
        if name in fields:
            fields[name].append(value)
        else:
            fields[name] = [value]
    return fields
