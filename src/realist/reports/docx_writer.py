"""Reports as Word documents (DOCX) that open in Word and LibreOffice.

Struck-through runs are real strike-through (``w:strike``), not a look-alike, so a reader's
word processor and screen reader know them as such. Tables repeat their header row on every
page. Figures are embedded as PNG (Word cannot be relied on to show SVG). Timestamps are
pinned (see :mod:`realist.reports.ooxml`) so the same review gives the same bytes.
"""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from realist.reports.blocks import (
    BulletList,
    Cell,
    Figure,
    Heading,
    Inline,
    Paragraph,
    Report,
    Run,
    Table,
    xml_safe,
)
from realist.reports.ooxml import pinned_zip, stamp

__all__ = ["render_docx"]

MUTED = RGBColor(0x66, 0x66, 0x66)


def _docx_text(text: str) -> str:
    # python-docx turns each "\n" and each "\r" into a line break: "\r\n" would be two.
    return xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def _add_runs(paragraph: DocxParagraph, text: Inline, size: float | None = None) -> None:
    for piece in text:
        run = paragraph.add_run(_docx_text(piece.text))
        run.font.strike = piece.struck or None
        run.font.bold = piece.bold or None
        run.font.italic = piece.italic or None
        if piece.muted:
            run.font.color.rgb = MUTED
        if size:
            run.font.size = Pt(size)


def _fill_cell(target: _Cell, value: Cell, size: float, bold: bool = False) -> None:
    paragraphs = target.paragraphs
    for i, line in enumerate(value.lines or ((),)):
        paragraph = paragraphs[0] if i == 0 else target.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(1)
        _add_runs(paragraph, line, size)
        if bold:
            for run in paragraph.runs:
                run.font.bold = True


def _repeat_header(table: DocxTable) -> None:
    # Word's "repeat as header row at the top of each page" (w:tblHeader on the first row).
    properties = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _table(document: Document, table: Table, width: int) -> None:
    if table.title:
        caption = document.add_paragraph()
        caption.paragraph_format.keep_with_next = True
        caption.add_run(_docx_text(table.title)).bold = True
    size = 8.0 if len(table.columns) > 6 else 9.5
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for column, title in zip(grid.rows[0].cells, table.columns, strict=True):
        _fill_cell(column, Cell(((Run(title, bold=True),),)), size, bold=True)
    for row in table.rows:
        cells = grid.add_row().cells
        for target, value in zip(cells, row, strict=True):
            _fill_cell(target, value, size)
    _repeat_header(grid)
    if table.widths:
        # Word reads the cells' widths, LibreOffice the table grid's: set both.
        grid.autofit = False
        total = sum(table.widths)
        for i, share in enumerate(table.widths):
            column = grid.columns[i]
            column.width = Emu(int(width * share / total))
            for row_cell in column.cells:
                row_cell.width = column.width
    if table.note:
        note = document.add_paragraph()
        _add_runs(note, (Run(table.note, muted=True),), 8.5)


def _figure(document: Document, figure: Figure, width: int) -> None:
    import resvg_py  # only reports with figures need the rasteriser

    png = resvg_py.svg_to_bytes(
        svg_string=figure.svg, zoom=2, background="white", sans_serif_family="DejaVu Sans"
    )
    document.add_picture(io.BytesIO(bytes(png)), width=Emu(width))
    if figure.caption:
        caption = document.add_paragraph()
        _add_runs(caption, (Run(figure.caption, muted=True),), 9)


def _setup(document: Document, report: Report, when: datetime | None) -> int:
    """Page, fonts and core properties; returns the usable page width (EMU)."""
    section = document.sections[0]
    if report.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Emu(685800))  # 0.75 inch: tables need the room
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Serif"  # metric-compatible with Times New Roman
    normal.font.size = Pt(10.5)
    moment = stamp(when).replace(tzinfo=None)
    core = document.core_properties
    core.title = xml_safe(report.title)[:250]
    core.author = "Realist"
    core.last_modified_by = "Realist"
    core.revision = 1
    core.created = core.modified = core.last_printed = moment
    page = section.page_width or Emu(7772400)
    return int(page - (section.left_margin or 0) - (section.right_margin or 0))


def render_docx(report: Report, when: datetime | None) -> bytes:
    """The report as DOCX bytes; ``when`` is the document's timestamp (the review's last
    change), so the same review always gives the same bytes."""
    document = new_document()
    width = _setup(document, report, when)
    document.add_heading(xml_safe(report.title), level=0)
    for line, muted in ((report.subtitle, False), (report.credit, True)):
        if line:
            paragraph = document.add_paragraph()
            _add_runs(paragraph, (Run(line, muted=muted),), 9)
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(xml_safe(block.text), level=min(max(block.level - 1, 1), 9))
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            _add_runs(paragraph, block.text, 8.5 if block.role == "note" else None)
        elif isinstance(block, BulletList):
            for item in block.items:
                _add_runs(document.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            _table(document, block, width)
        else:
            _figure(document, block, width)
    out = io.BytesIO()
    document.save(out)
    return pinned_zip(out.getvalue(), when)
