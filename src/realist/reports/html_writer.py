"""Reports as one standalone, print-ready HTML file (no scripts, no external files).

Every piece of text goes through :func:`html.escape`: records, excerpts and theories come
from people and imported files, and a ``<script>`` in a title must show as text. Figures are
our own SVG (their text escaped when drawn) and are inlined, so the file stands alone.
"""

from __future__ import annotations

import re
from html import escape

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
)

__all__ = ["CSS", "render_blocks", "render_html"]

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;color:#1b1b1b;max-width:72rem;margin:2rem auto;
padding:0 1.5rem;line-height:1.5}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.4rem;border-bottom:1px solid #ccc}
h3{margin-top:1.6rem}.subtitle{color:#444;margin-top:0}.credit,.note{color:#555;font-size:.85rem}
del{color:#777}.muted{color:#666;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.6rem 0 1.4rem;font-size:.85rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #bbb;padding:.3rem .45rem;vertical-align:top;text-align:left;
overflow-wrap:break-word;hyphens:auto}
th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafa}td p{margin:0 0 .25rem}
figure{margin:1rem 0 2rem;overflow-x:auto}figure svg{max-width:100%;height:auto}
figcaption{color:#444;font-size:.85rem;margin-top:.4rem}
nav.contents{background:#f5f7fa;border:1px solid #dde3ea;padding:.6rem 1.2rem;margin:1.2rem 0}
nav.contents ol{margin:.3rem 0;padding-left:1.4rem}
@media print{body{max-width:none;margin:0}figure,table{break-inside:auto}
tr,figure{break-inside:avoid}nav.contents{display:none}}
"""

_SVG_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def _runs(text: Inline) -> str:
    out = []
    for run in text:
        html = escape(run.text)
        if run.bold:
            html = f"<b>{html}</b>"
        if run.italic:
            html = f"<i>{html}</i>"
        if run.muted:
            html = f'<span class="muted">{html}</span>'
        if run.struck:
            html = f"<del>{html}</del>"
        out.append(html)
    return "".join(out)


def _cell(tag: str, value: Cell) -> str:
    cls = ' class="n"' if value.number is not None else ""
    if len(value.lines) <= 1:
        body = _runs(value.lines[0]) if value.lines else ""
    else:
        body = "".join(f"<p>{_runs(line)}</p>" for line in value.lines)
    return f"<{tag}{cls}>{body}</{tag}>"


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = "\n".join("<tr>" + "".join(_cell("td", c) for c in row) + "</tr>" for row in table.rows)
    caption = f"<caption>{escape(table.title)}</caption>" if table.title else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    cols = ""
    if table.widths:
        total = sum(table.widths)
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
            + "</colgroup>"
        )
    layout = ' style="table-layout:fixed"' if table.widths else ""
    return (
        f"<table{layout}>{caption}{cols}<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n"
        f"</tbody></table>{note}"
    )


def _figure(figure: Figure) -> str:
    anchor = f' id="{escape(figure.anchor)}"' if figure.anchor else ""
    caption = f"<figcaption>{escape(figure.caption)}</figcaption>" if figure.caption else ""
    return f"<figure{anchor}>\n{_SVG_PROLOGUE.sub('', figure.svg).strip()}\n{caption}</figure>"


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 6)
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{level}{anchor}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        cls = f' class="{escape(block.role)}"' if block.role else ""
        return f"<p{cls}>{_runs(block.text)}</p>"
    if isinstance(block, BulletList):
        return "<ul>" + "".join(f"<li>{_runs(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    return _figure(block)


def render_blocks(blocks: list[Block]) -> str:
    """The blocks as an HTML fragment."""
    return "\n".join(_block(b) for b in blocks)


def _contents(blocks: list[Block]) -> str:
    items = "".join(
        f'<li><a href="#{escape(b.anchor)}">{escape(b.text)}</a></li>'
        for b in blocks
        if isinstance(b, Heading) and b.level == 2 and b.anchor
    )
    return f'<nav class="contents"><b>Contents</b><ol>{items}</ol></nav>' if items else ""


def render_html(report: Report) -> str:
    """A standalone page: title, subtitle, credit line, optional contents, the blocks."""
    subtitle = f'<p class="subtitle">{escape(report.subtitle)}</p>' if report.subtitle else ""
    credit = f'<p class="credit">{escape(report.credit)}</p>' if report.credit else ""
    contents = _contents(report.blocks) if report.contents else ""
    page = "@page{size:A4 landscape}" if report.landscape else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{CSS}{page}</style></head>\n<body>\n"
        f"<h1>{escape(report.title)}</h1>{subtitle}{credit}{contents}\n"
        f"{render_blocks(report.blocks)}\n</body></html>\n"
    )
