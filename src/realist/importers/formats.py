"""The registry of import formats, by name.

Each format is a module with a ``sniff(head) -> int`` that scores (0-100) how sure it is
that a file starting with ``head`` is in that format, and a ``parse(source, context)`` that
yields records and problems. Adding a format means writing such a module and registering
it here; detection and the public ``parse`` pick it up from this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from realist.domain.records import Record
from realist.importers import bibtex, csl_json, delimited, endnote_xml, medline, ris, wos
from realist.importers.base import Context, Problem
from realist.importers.text import TextSource

__all__ = ["FORMATS", "Format", "register"]

Parser = Callable[[TextSource, Context], Iterator[Record | Problem]]


@dataclass(frozen=True)
class Format:
    """An import format: its name, a label for people, usual file suffixes and functions."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    sniff: Callable[[str], int]
    parse: Parser
    # Where a file's bytes may be cut so that its pieces can be parsed apart (in worker
    # processes, see importers.segments); None when the format cannot be cut.
    boundary: re.Pattern[bytes] | None = None
    # Whether the parser decodes escapes or entities (JSON, XML, LaTeX), so that a value may
    # hold characters the text layer never saw; base.Context then tests each record's raw
    # fields. False only for parsers whose values are pieces of the cleaned text.
    decoded: bool = True


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the registry (replacing a format of the same name) and return it."""
    FORMATS[fmt.name] = fmt
    return fmt


for _fmt in (
    Format("ris", "RIS", (".ris", ".txt"), ris.sniff, ris.parse, ris.BOUNDARY, decoded=False),
    Format("medline", "PubMed MEDLINE (.nbib)", (".nbib", ".medline", ".txt"), medline.sniff,
           medline.parse, decoded=False),
    Format("wos", "Web of Science plain text", (".txt", ".ciw"), wos.sniff, wos.parse,
           decoded=False),
    Format("bibtex", "BibTeX", (".bib", ".bibtex"), bibtex.sniff, bibtex.parse),
    Format("csv", "CSV or tab-delimited table", (".csv", ".tsv", ".tab", ".txt"), delimited.sniff,
           delimited.parse, decoded=False),
    Format("csl-json", "CSL-JSON", (".json",), csl_json.sniff, csl_json.parse),
    Format("endnote-xml", "EndNote XML", (".xml",), endnote_xml.sniff, endnote_xml.parse),
):  # fmt: skip
    register(_fmt)
