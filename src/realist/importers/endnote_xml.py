"""EndNote XML (File > Export > XML), read as a stream with expat.

Each ``<record>`` becomes a record whose raw fields are its leaf elements, named by their
path inside the record (``titles/title``, ``contributors/authors/author``,
``periodical/full-title``) so that authors and editors, or titles and journal names, stay
apart; attributes become ``path@name`` (``ref-type@name`` = ``Journal Article``). The
``<style>`` wrappers EndNote puts around text are flattened.

expat is driven directly (not ElementTree) for the line number of each record and to read
the file chunk by chunk. Untrusted XML: entity declarations are refused (they are how
"billion laughs" files blow up), and external entities are never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.parsers import expat

from realist.domain.records import Record
from realist.importers.base import Context, Draft, Problem, every, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_RECORD = re.compile(r"<record>|<record\s")
_PMID_LINE = re.compile(r"^\s*PMID\s*[:=]?\s*\d{1,9}\b", re.IGNORECASE | re.MULTILINE)
# EndNote's numeric reference types, for files whose ref-type lacks a name attribute.
_REF_TYPE_NUMBERS = {"17": "JOUR", "6": "BOOK", "5": "CHAP", "10": "CONF", "47": "CPAPER",
                     "32": "THES", "27": "RPRT", "12": "ELEC", "13": "GEN", "28": "EDBOOK",
                     "43": "EJOUR", "23": "NEWS", "19": "MGZN", "34": "UNPB"}  # fmt: skip


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is EndNote XML."""
    if not head.lstrip().startswith("<") or not _RECORD.search(head):
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
    """expat callbacks that collect records; parse() hands them on after each chunk."""

    def __init__(self, parser: expat.XMLParserType, context: Context) -> None:
        self.parser = parser
        self.context = context
        self.done: list[tuple[list[tuple[str, str]], int, int]] = []
        self.path: list[str] = []  # element names inside the current record
        self.texts: list[list[str]] = []  # text of each open element (styles excluded)
        self.sizes: list[int] = []  # characters kept in each of those
        self.has_child: list[bool] = []
        self.raw: list[tuple[str, str]] | None = None
        self.start = 0
        self.dropped = 0

    def add(self, name: str, value: str) -> None:
        assert self.raw is not None
        if len(self.raw) < self.context.max_raw_fields:
            self.raw.append((name, value))
        else:
            self.dropped += 1

    def start_element(self, name: str, attributes: dict[str, str]) -> None:
        if self.raw is None:
            if name == "record":
                self.raw, self.start, self.dropped = [], self.parser.CurrentLineNumber, 0
            return
        if name == "style":
            return
        if self.has_child:
            self.has_child[-1] = True
        self.path.append(name)
        self.texts.append([])
        self.sizes.append(0)
        self.has_child.append(False)
        where = "/".join(self.path)
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
        if name == "record" and not self.path:
            self.done.append((self.raw, self.start, self.dropped))
            self.raw = None
            return
        parts = self.texts.pop()
        self.sizes.pop()
        if not self.has_child.pop():
            value = "".join(parts).strip()
            if "\r" in value:  # EndNote writes line breaks as &#xD;, which XML keeps as is
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            if value:
                self.add("/".join(self.path), value)
        self.path.pop()


def _refuse_entities(*_args: object) -> None:
    raise ValueError("the XML declares entities, which Realist does not accept")


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each record of an EndNote XML file, and the problems found, in file order."""
    parser = expat.ParserCreate()
    reader = _Reader(parser, context)
    parser.StartElementHandler = reader.start_element
    parser.EndElementHandler = reader.end_element
    parser.CharacterDataHandler = reader.characters
    parser.EntityDeclHandler = _refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    try:
        for chunk in source.chunks():
            parser.Parse(chunk, False)
            yield from _emit(reader, context)
        parser.Parse("", True)
    except (expat.ExpatError, ValueError) as error:
        line = getattr(error, "lineno", None) or parser.CurrentLineNumber
        yield from _emit(reader, context)
        context.problem(line, f"the XML is malformed ({error}); the rest of the file was not "
                        "read")  # fmt: skip
    yield from _emit(reader, context)
    yield from context.drain()


def _emit(reader: _Reader, context: Context) -> Iterator[Record | Problem]:
    done, reader.done = reader.done, []
    for raw, start, dropped in done:
        yield from context.finish(draft, raw, start, dropped)
