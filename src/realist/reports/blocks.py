"""A small document model that every report is built in, and every writer reads.

A report is a title and a list of blocks (headings, paragraphs, bullet lists, tables and
figures); text is a tuple of :class:`Run` so that a theory can be struck through or a label
made bold in every format alike. Builders (``tables``, ``summary``, ``rameses``, ...) make
reports from domain data; writers (``html_writer``, ``docx_writer``, ``xlsx_writer``,
``text_writers``) turn one report into bytes. Neither side knows the other, so a new format
or a new report is one module, and the struck-through theory of the HTML is, by
construction, the struck-through run of the DOCX.

All text here is plain, untrusted text: writers escape it for their format.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from realist.reports.escaping import xml_text

__all__ = [
    "Block",
    "BulletList",
    "Cell",
    "CellValue",
    "Figure",
    "Heading",
    "Inline",
    "Paragraph",
    "Report",
    "Run",
    "Table",
    "cell",
    "inline",
    "plain",
    "xml_safe",
]


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    struck: bool = False  # an unsupported theory (the paper's strike-through)
    bold: bool = False
    italic: bool = False
    muted: bool = False  # secondary information, shown grey


Inline = tuple[Run, ...]


def inline(*parts: str | Run) -> Inline:
    """Runs from strings (plain) and runs, dropping empty pieces."""
    return tuple(
        p if isinstance(p, Run) else Run(p) for p in parts if (p.text if isinstance(p, Run) else p)
    )


def plain(text: Inline) -> str:
    """The text of runs without their styles."""
    return "".join(r.text for r in text)


@dataclass(frozen=True)
class Heading:
    """A section heading (level 2 is a section, 3 a subsection)."""

    text: str
    level: int = 2
    anchor: str = ""  # an HTML id, for a table of contents


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of styled text."""

    text: Inline
    role: str = ""  # "note" (small, grey) or "lead" (an introduction); writers may ignore


@dataclass(frozen=True)
class BulletList:
    """A bulleted list; each item is a line of styled text."""

    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Cell:
    """A table cell: one or more lines of styled text, and its number if it is a count
    (spreadsheets store counts as numbers, so they can be summed and sorted)."""

    lines: tuple[Inline, ...] = ()
    number: int | None = None

    @property
    def text(self) -> str:
        """The cell as plain text, lines joined by newlines."""
        return "\n".join(plain(line) for line in self.lines)

    @property
    def struck(self) -> bool:
        """Whether all of the cell's text is struck through."""
        runs = [r for line in self.lines for r in line]
        return bool(runs) and all(r.struck for r in runs)


CellValue = str | int | Inline | Sequence[Inline] | Cell | None
"""What :func:`cell` turns into a cell."""


_LINES = re.compile(r"\r\n|\r|\n")  # a line ends as the file it came from ended it


def cell(value: CellValue) -> Cell:
    """A cell from a string, a count, a line of runs or several lines."""
    if isinstance(value, Cell):
        return value
    if value is None:
        return Cell()
    if isinstance(value, bool):
        return Cell((inline("yes" if value else "no"),))
    if isinstance(value, int):
        return Cell((inline(str(value)),), number=value)
    if isinstance(value, str):
        return Cell(tuple(inline(line) for line in _LINES.split(value)) if value else ())
    if value and isinstance(value[0], Run):
        return Cell((tuple(value),))  # type: ignore[arg-type]
    return Cell(tuple(tuple(line) for line in value))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Table:
    """Rows of cells under column headings. ``sheet`` names its XLSX worksheet; ``widths``
    are relative column widths for page layouts (DOCX, HTML)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sheet: str = ""
    widths: tuple[float, ...] = ()
    note: str = ""

    @staticmethod
    def build(
        title: str,
        columns: Iterable[str],
        rows: Iterable[Iterable[CellValue]],
        **options: str | tuple[float, ...],
    ) -> Table:
        """A table from plain values (see :func:`cell`)."""
        return Table(
            title,
            tuple(columns),
            tuple(tuple(cell(v) for v in row) for row in rows),
            **options,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class Figure:
    """A drawing: a standalone SVG document (inlined in HTML, rasterised for DOCX)."""

    svg: str
    caption: str = ""
    anchor: str = ""


Block = Heading | Paragraph | BulletList | Table | Figure


@dataclass
class Report:
    """A titled list of blocks; ``landscape`` asks page formats for a wide page."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""
    credit: str = ""  # a source and licence line (the demo's CC BY credit)
    landscape: bool = False
    contents: bool = False  # a table of contents of the level-2 headings (HTML)

    def tables(self) -> list[Table]:
        """The report's tables, in order (what XLSX and CSV hold)."""
        return [b for b in self.blocks if isinstance(b, Table)]


xml_safe = xml_text  # the name the writers know; the rule lives in escaping
