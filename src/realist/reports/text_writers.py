"""Reports as CSV, Markdown, plain text and JSON.

CSV is for programs and spreadsheets: one header row, one row per table row; a report with
several tables of the same columns (the CMO tables, one per topic) becomes one CSV with the
table's title in a first column. Every text cell, header included, goes through
:func:`~realist.reports.escaping.spreadsheet_text` (a formula-like text gets a leading
``'``); counts are written as plain numbers. Markdown escapes every piece of data with the
rules of :mod:`realist.reports.escaping`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from realist.errors import InvalidInput
from realist.reports.blocks import (
    Block,
    BulletList,
    Cell,
    Figure,
    Heading,
    Inline,
    Paragraph,
    Report,
    Table,
    plain,
)
from realist.reports.escaping import (
    markdown_block_start,
    markdown_line,
    markdown_runs,
    markdown_text,
    spreadsheet_text,
)

__all__ = ["render_csv", "render_json", "render_markdown", "render_text", "report_json"]


def _csv_value(value: Cell) -> str:
    if value.number is not None:
        return str(value.number)
    return spreadsheet_text(value.text)


def render_csv(report: Report, group: str = "Table") -> str:
    """The report's tables as one CSV (``group`` names the extra first column when there
    are several tables)."""
    tables = report.tables()
    if not tables:
        raise InvalidInput(f"'{report.title}' has no table to write as CSV")
    if any(t.columns != tables[0].columns for t in tables):
        raise InvalidInput(f"'{report.title}' has tables of different columns; use xlsx")
    several = len(tables) > 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(([group] if several else []) + [spreadsheet_text(c) for c in tables[0].columns])
    for table in tables:
        name = [spreadsheet_text(table.sheet or table.title)] if several else []
        for row in table.rows:
            writer.writerow(name + [_csv_value(c) for c in row])
    return out.getvalue()


def _md_runs(text: Inline) -> str:
    return markdown_runs(
        [
            (
                run.text,
                frozenset(
                    style
                    for style, on in (
                        ("bold", run.bold),
                        ("italic", run.italic or run.muted),
                        ("struck", run.struck),
                    )
                    if on
                ),
            )
            for run in text
        ]
    )


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * min(max(block.level, 1), 6) + " " + markdown_line(block.text), ""]
    if isinstance(block, Paragraph):
        return [markdown_block_start(_md_runs(block.text)), ""]
    if isinstance(block, BulletList):
        return [f"- {markdown_block_start(_md_runs(item))}" for item in block.items] + [""]
    if isinstance(block, Table):
        lines = [f"**{markdown_text(block.title)}**", ""] if block.title.strip() else []
        lines.append("| " + " | ".join(markdown_text(c) for c in block.columns) + " |")
        lines.append("|" + "---|" * len(block.columns))
        for row in block.rows:
            cells = ("<br>".join(_md_runs(line) for line in c.lines) for c in row)
            lines.append("| " + " | ".join(cells) + " |")
        return [*lines, ""]
    return [f"*Figure: {markdown_text(block.caption)}* (see the HTML or SVG output)", ""]


def render_markdown(report: Report) -> str:
    """The report as Markdown (GitHub flavour: pipe tables, ``~~strike~~``)."""
    lines = [f"# {markdown_line(report.title)}", ""]
    for extra in (report.subtitle, report.credit):
        if extra:
            lines += [markdown_line(extra), ""]
    for block in report.blocks:
        lines += _md_block(block)
    return "\n".join(lines).rstrip() + "\n"


def render_text(report: Report) -> str:
    """Plain text: paragraphs and lists only (tables are for the other formats)."""
    lines = []
    for block in report.blocks:
        if isinstance(block, Heading):
            lines += [block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [plain(block.text), ""]
        elif isinstance(block, BulletList):
            lines += [f"- {plain(item)}" for item in block.items] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _runs_json(text: Inline) -> list[dict[str, Any]] | str:
    if all(not (r.struck or r.bold or r.italic or r.muted) for r in text):
        return plain(text)
    return [
        {
            "text": r.text,
            **{k: True for k in ("struck", "bold", "italic", "muted") if getattr(r, k)},
        }
        for r in text
    ]


def _cell_json(value: Cell) -> Any:
    if value.number is not None:
        return value.number
    return value.text


def report_json(report: Report) -> dict[str, Any]:
    """The report as data: its tables (cells as text or numbers) and its text blocks."""
    blocks: list[dict[str, Any]] = []
    for block in report.blocks:
        if isinstance(block, Heading):
            blocks.append({"heading": block.text, "level": block.level})
        elif isinstance(block, Paragraph):
            blocks.append({"paragraph": _runs_json(block.text)})
        elif isinstance(block, BulletList):
            blocks.append({"list": [_runs_json(item) for item in block.items]})
        elif isinstance(block, Table):
            blocks.append(
                {
                    "table": block.title,
                    "columns": list(block.columns),
                    "rows": [[_cell_json(c) for c in row] for row in block.rows],
                }
            )
        elif isinstance(block, Figure):
            blocks.append({"figure": block.caption})
    return {"title": report.title, "blocks": blocks}


def render_json(report: Report) -> str:
    """The report as JSON text (see :func:`report_json`)."""
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
