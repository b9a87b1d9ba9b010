"""Report tables as an Excel workbook (XLSX): one worksheet per table.

Counts are stored as numbers (so they sum and sort), text as text. Every text cell, headings
included, is typed as a string: openpyxl would otherwise write text starting with ``=`` as
a formula, and imported text must never run as one. Timestamps are pinned (see
:mod:`realist.reports.ooxml`).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from realist.errors import InvalidInput
from realist.reports.blocks import Report, Table, xml_safe
from realist.reports.ooxml import pinned_zip, stamp

__all__ = ["render_xlsx", "sheet_names"]

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CR = re.compile(r"\r\n?")
HEADER_FILL = PatternFill("solid", fgColor="EEF2F7")


def sheet_names(tables: list[Table]) -> list[str]:
    """Worksheet names: Excel allows 31 characters, no ``[]:*?/\\``, unique ignoring case."""
    names: list[str] = []
    for i, table in enumerate(tables, start=1):
        base = _FORBIDDEN.sub(" ", table.sheet or table.title or f"Table {i}").strip("' ")
        base = " ".join(base.split())[:31] or f"Table {i}"
        name, n = base, 2
        while name.lower() in {x.lower() for x in names}:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        names.append(name)
    return names


def _text(value: str) -> str:
    """A cell's text: what XML can hold, lines ending in "\n" as spreadsheets break them."""
    return _CR.sub("\n", xml_safe(value))


def _width(values: list[str]) -> float:
    longest = max((len(line) for v in values for line in v.split("\n")), default=8)
    return float(min(max(longest + 2, 6), 60))


def _sheet(book: Workbook, table: Table, name: str, first: bool) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = name
    for column, title in enumerate(table.columns, start=1):
        header = sheet.cell(row=1, column=column)
        header.value = _text(title)
        header.data_type = "s"  # a heading is data too (an attribute's name): never a formula
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(vertical="top", wrap_text=True)
    for r, row in enumerate(table.rows, start=2):
        for c, value in enumerate(row, start=1):
            target = sheet.cell(row=r, column=c)
            if value.number is not None:
                target.value = value.number
            elif value.lines:
                target.value = _text(value.text)
                target.data_type = "s"  # never a formula, whatever the text starts with
            target.alignment = Alignment(vertical="top", wrap_text=True)
            if value.struck:
                target.font = Font(strike=True, color="777777")
    for c, title in enumerate(table.columns, start=1):
        texts = [title] + [row[c - 1].text for row in table.rows]
        sheet.column_dimensions[get_column_letter(c)].width = _width(texts)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"


def render_xlsx(report: Report, when: datetime | None) -> bytes:
    """The report's tables as XLSX bytes, one worksheet per table; ``when`` is the
    workbook's timestamp (the review's last change)."""
    tables = report.tables()
    if not tables:
        raise InvalidInput(f"'{report.title}' has no tables to put in a workbook")
    book = Workbook()
    for i, (table, name) in enumerate(zip(tables, sheet_names(tables), strict=True)):
        _sheet(book, table, name, first=i == 0)
    moment = stamp(when).replace(tzinfo=None)
    book.properties.title = xml_safe(report.title)[:250]
    book.properties.creator = "Realist"
    book.properties.lastModifiedBy = "Realist"
    book.properties.created = moment
    book.properties.modified = moment
    out = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would overwrite "modified" with the clock.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return pinned_zip(out.getvalue(), when)
