"""EndNote XML (File > Export > XML), read record by record with expat.

Each ``<record>`` becomes a record whose raw fields are its leaf elements, named by their
path inside the record (``titles/title``, ``contributors/authors/author``,
``periodical/full-title``) so that authors and editors, or titles and journal names, stay
apart; attributes become ``path@name`` (``ref-type@name`` = ``Journal Article``). The
``<style>`` wrappers EndNote puts around text are flattened, and so are elements nested
more than ``MAX_DEPTH`` deep or whose path would pass ``MAX_PATH`` characters (their text
joins their ancestor's; EndNote nests four deep).

The text is cut at record boundaries (``<record`` .. ``</record>``, read chunk by chunk)
and each record is parsed alone, so damage inside one record (a control character XML
forbids, a broken tag, a missing end tag) loses that record at most, and the problem names
it by number, line and title when the title is readable; characters XML forbids are
removed (and reported) first, so such a record is not lost at all. Text between records
that is not the file's wrapper (``<xml><records>``) is reported, since a damaged
``<record>`` tag leaves its record there. Untrusted XML: a file declaring entities is
refused (they are how "billion laughs" files blow up), and external entities are never
fetched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from realist.domain.bibliography import collapse_whitespace
from realist.domain.records import Record
from realist.importers.base import Context, Draft, Problem, every, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

MAX_DEPTH = 32  # elements tracked inside a record; deeper ones are read as text
# A path longer than this (EndNote's longest is 37 characters) is read as text too: every
# field and attribute name below it repeats it, so its length multiplies what is stored.
MAX_PATH = 256

_RECORD = re.compile(r"<record>|<record\s")
# Where records start and end; "<records>" is neither.
_EDGE = re.compile(r"<record[\s>/]|</record>")
_EDGE_LONGEST = len("</record>")
# The file's wrapper around its records: what may stand between records unreported.
_WRAPPER = re.compile(
    r"(?:[\s\ufeff]+|<\?xml[^<>]*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^<>\[]*>|</?(?:xml|records)"
    r"(?:\s[^<>]*)?>)*"
)
_ENTITY = re.compile(r"<!ENTITY")
# Characters XML 1.0 does not allow anywhere, not even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A damaged record's title: text and style tags after <title>, up to any other tag.
_TITLE = re.compile(r"<title>((?:[^<]|<style[^<>]*>|</style>){1,2000})")
_TAG = re.compile(r"<[^<>]*>")
# "[ \t]*", not "\s*": crossing lines, each line start would scan every blank line after it.
_PMID_LINE = re.compile(r"^[ \t]*PMID(?:[ \t]*[:=])?[ \t]*\d{1,9}\b", re.I | re.MULTILINE)
# EndNote's numeric reference types, for files whose ref-type lacks a name attribute.
_REF_TYPE_NUMBERS = {"17": "JOUR", "6": "BOOK", "5": "CHAP", "10": "CONF", "47": "CPAPER",
                     "32": "THES", "27": "RPRT", "12": "ELEC", "13": "GEN", "28": "EDBOOK",
                     "43": "EJOUR", "23": "NEWS", "19": "MGZN", "34": "UNPB"}  # fmt: skip


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is EndNote XML."""
    start = head.lstrip()
    # A stray character before the prolog (one damaged line) must not hide a whole file:
    # the records are recovered one by one after it.
    if "<" not in start[:1024] or not _RECORD.search(head):
        return 0
    return 95 if "<ref-type" in head or "<records>" in head else 50


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of an EndNote XML record's leaf elements."""
    fields = group(raw)
    ref_type = first(fields, ("ref-type@name",))
    kind = ris_kind(ref_type, "") or _REF_TYPE_NUMBERS.get(first(fields, ("ref-type",)), "GEN")
    doi = first(fields, ("electronic-resource-num",))
    if "10." not in doi:
        urls = every(fields, ("urls/related-urls/url", "urls/web-urls/url"))
        doi = next((u for u in urls if "doi.org/" in u), "")
    return Draft(
        title=first(fields, ("titles/title",)),
        authors=every(fields, ("contributors/authors/author",)),
        year=first(fields, ("dates/year", "dates/pub-dates/date")),
        journal=first(
            fields, ("titles/secondary-title", "periodical/full-title", "periodical/abbr-1")
        ),
        volume=first(fields, ("volume",)),
        issue=first(fields, ("number", "issue")),
        start_page=first(fields, ("pages",)),
        doi=doi,
        pmid=_pmid(fields),
        issn=first(fields, ("isbn",)),  # EndNote keeps ISSNs in its ISBN field
        abstract=first(fields, ("abstract",)),
        keywords=every(fields, ("keywords/keyword",)),
        kind=kind,
    )


def _pmid(fields: dict[str, list[str]]) -> str:
    for value in every(fields, ("notes", "accession-num", "custom2", "label")):
        found = _PMID_LINE.search(value)
        if found:
            return found.group(0)
    database = " ".join(every(fields, ("remote-database-name", "remote-database-provider"))).lower()
    accession = first(fields, ("accession-num",)).strip()
    if ("pubmed" in database or "nlm" in database or "medline" in database) and (
        accession.isdigit()
    ):
        return accession
    return ""


class _Reader:
    """expat callbacks that turn one ``<record>`` element into raw fields."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.raw: list[tuple[str, str]] | None = None  # the record being read
        self.done: list[tuple[str, str]] | None = None  # the record read, once it ended
        self.paths: list[str] = []  # the path of each open element inside the record
        self.texts: list[list[str]] = []  # text of each open element (styles excluded)
        self.sizes: list[int] = []  # characters kept in each of those
        self.has_child: list[bool] = []
        self.dropped = 0  # fields beyond max_raw_fields
        self.too_deep = 0  # open elements below MAX_DEPTH, read as text of their ancestor
        self.deepest = 0

    def add(self, name: str, value: str) -> None:
        assert self.raw is not None
        if len(self.raw) < self.context.max_raw_fields:
            self.raw.append((name, value))
        else:
            self.dropped += 1

    def start_element(self, name: str, attributes: dict[str, str]) -> None:
        if self.raw is None:
            if name == "record" and self.done is None:
                self.raw = []
            return
        if name == "style":
            return
        # Each element's path is its parent's plus its name, and depth is bounded: joining
        # every open element's name anew cost time in proportion to the depth, for each
        # element (100,000 nested elements took minutes).
        where = f"{self.paths[-1]}/{name[:MAX_PATH]}" if self.paths else name[:MAX_PATH]
        if self.too_deep or len(self.paths) >= MAX_DEPTH or len(where) > MAX_PATH:
            self.too_deep += 1
            self.deepest = max(self.deepest, len(self.paths) + self.too_deep)
            return
        if self.has_child:
            self.has_child[-1] = True
        self.paths.append(where)
        self.texts.append([])
        self.sizes.append(0)
        self.has_child.append(False)
        for key, value in attributes.items():
            self.add(f"{where}@{key}", value)

    def characters(self, text: str) -> None:
        # Text beyond the field limit is not kept at all (a hostile file may send endless
        # text in one element); Context.record reports the value as too long.
        if self.texts and self.sizes[-1] <= self.context.max_field_chars:
            self.texts[-1].append(text)
            self.sizes[-1] += len(text)

    def end_element(self, name: str) -> None:
        if self.raw is None or name == "style":
            return
        if self.too_deep:
            self.too_deep -= 1
            return
        if name == "record" and not self.paths:
            self.done, self.raw = self.raw, None
            return
        parts = self.texts.pop()
        self.sizes.pop()
        where = self.paths.pop()
        if not self.has_child.pop():
            value = "".join(parts).strip()
            if "\r" in value:  # EndNote writes line breaks as &#xD;, which XML keeps as is
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            if value:
                self.add(where, value)


def _refuse_entities(*_args: object) -> None:
    raise ValueError("the XML declares entities, which Realist does not accept")


def _pieces(chunks: Iterable[str]) -> Iterator[tuple[bool, str]]:
    """The text cut into records (``True``, from ``<record`` to ``</record>``) and what lies
    between them (``False``), in file order; every character is in exactly one piece.

    A record whose end tag is missing ends where the next record starts (or at the end of
    the file), so it cannot take its neighbours down with it. The pieces are joined once,
    when complete, so a record spanning many chunks is not copied once per chunk.
    """
    parts: list[str] = []  # the piece being read
    in_record = False
    carry = ""  # the end of the last chunk, which may hold the start of a tag
    for chunk in chunks:
        text = carry + chunk
        pos = 0  # text[pos:] is not in parts yet
        while (found := _EDGE.search(text, pos)) is not None:
            if found.group() == "</record>":
                parts.append(text[pos : found.end()])
                pos = found.end()
                if in_record:
                    yield True, "".join(parts)
                    parts, in_record = [], False
                continue  # an end tag outside any record stays in the text between
            parts.append(text[pos : found.start()])
            piece = "".join(parts)
            if piece:  # text between records, or a record that never ended
                yield in_record, piece
            parts, in_record = [found.group()], True
            pos = found.end()
        keep = max(pos, len(text) - _EDGE_LONGEST + 1)
        parts.append(text[pos:keep])
        carry = text[keep:]
    parts.append(carry)
    piece = "".join(parts)
    if piece:
        yield in_record, piece


def _title(piece: str) -> str:
    """The title of a damaged record, if it can be read, for naming it in a problem."""
    found = _TITLE.search(piece)
    if found is None:
        return ""
    title = collapse_whitespace(html.unescape(_TAG.sub("", found.group(1))))
    return f' ("{title[:80]}{"…" if len(title) > 80 else ""}")' if title else ""


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each record of an EndNote XML file, and the problems found, in file order."""
    line = 1  # where the current piece starts
    number = 0  # records met, damaged ones included
    wrapped = closed = whole = False  # "<records>" opened, closed after the last record
    for is_record, piece in _pieces(source.chunks()):
        start, line = line, line + piece.count("\n")
        if not is_record:
            if number == 0 and _ENTITY.search(piece):
                context.problem(start, "the XML declares entities, which Realist does not "
                                "accept; the file was not read")  # fmt: skip
                yield from context.drain()
                return
            wrapped = wrapped or "<records>" in piece
            closed = "</records>" in piece
            _between(piece, start, context)
            yield from context.drain()
            continue
        number += 1
        read = context.records
        yield from _record(piece, start, number, context)
        closed = False
        whole = context.records > read  # the last record was read whole
    if wrapped and not closed and number and whole:
        # Records end where the file does: it may have been cut between two of them.
        context.problem(line, f"the file ends after record {number} without </records> (was "
                        "it cut off?); what came before was read")  # fmt: skip
        yield from context.drain()


def _between(piece: str, line: int, context: Context) -> None:
    """Report text between records that is not the wrapper: it may be a damaged record."""
    wrapper = _WRAPPER.match(piece)
    if wrapper is not None and wrapper.end() == len(piece):
        return
    offset = wrapper.end() if wrapper is not None else 0
    at = line + piece.count("\n", 0, offset)
    context.problem(at, f"text outside any <record> was skipped{_title(piece[offset:])} "
                    "(a damaged <record> tag?)")  # fmt: skip


def _read(piece: str, line: int, context: Context) -> tuple[_Reader, str]:
    """One record's text parsed alone: the reader that holds it, and the error, if any."""
    reader = _Reader(context)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start_element
    parser.EndElementHandler = reader.end_element
    parser.CharacterDataHandler = reader.characters
    parser.EntityDeclHandler = _refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    try:
        parser.Parse(piece, True)
    except expat.ExpatError as failure:
        where = line + (failure.lineno or parser.CurrentLineNumber) - 1
        return reader, f"{expat.ErrorString(failure.code)} at line {where}"
    except (ValueError, UnicodeError) as failure:  # entities; lone surrogates
        return reader, f"{failure} at line {line + parser.CurrentLineNumber - 1}"
    return reader, ""


def _record(piece: str, line: int, number: int, context: Context) -> Iterator[Record | Problem]:
    """Parse one record's text alone; a damaged one becomes a problem naming it."""
    reader, error = _read(piece, line, context)
    bad = _NOT_XML.search(piece) if error else None
    if bad is not None:
        # Looked for only when expat stopped: scanning every record cost a tenth of a
        # clean file's parse. Characters XML forbids are removed, said, and read again.
        at = line + piece.count("\n", 0, bad.start())
        piece, count = _NOT_XML.subn("", piece)
        context.problem(at, f"record {number}: removed {count:,} control character(s) that "
                        "XML does not allow")  # fmt: skip
        reader, error = _read(piece, line, context)
    if reader.done is None:
        error = error or "no </record> end tag"
        context.problem(line, f"record {number}{_title(piece)} could not be read: the XML is "
                        f"malformed ({error}); skipped")  # fmt: skip
        yield from context.drain()
        return
    if error:  # only text after </record> is wrong: the record itself is whole
        context.problem(line, f"text after record {number} was skipped ({error})")
    if reader.deepest:
        context.problem(line, f"record {number} nests elements {reader.deepest:,} deep (or names "
                        f"them at length); those below depth {MAX_DEPTH} or a path of {MAX_PATH} "
                        "characters were read as text of the one above")  # fmt: skip
    yield from context.finish(draft, reader.done, line, reader.dropped)
