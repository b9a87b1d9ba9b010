"""Which reports exist, in which formats, and how each is rendered from :class:`ReviewData`.

One entry per ``realist report KIND``. The first format of a kind is its default. Text
formats (``html md text json csv svg``) render to ``str``; binary ones (``docx xlsx png``)
to ``bytes``, which the CLI only ever writes to a file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass

from realist.errors import InvalidInput
from realist.reports import model as model_renderers
from realist.reports.blocks import Report
from realist.reports.data import ReviewData
from realist.reports.docx_writer import render_docx
from realist.reports.heatmap import matrix_report, render_heatmap
from realist.reports.html_writer import render_html
from realist.reports.network import render_network
from realist.reports.prisma_csv import to_prisma2020_csv
from realist.reports.prisma_diagram import render_svg as prisma_svg
from realist.reports.rameses import rameses_report
from realist.reports.review_html import render_review_html
from realist.reports.summary import summarise, summary_report
from realist.reports.svg import svg_png
from realist.reports.tables import cmo_tables, eligibility_table, interventions_table, mmat_table
from realist.reports.text_writers import (
    render_csv,
    render_json,
    render_markdown,
    render_text,
)
from realist.reports.xlsx_writer import render_xlsx

__all__ = ["BINARY", "KINDS", "Kind", "Options", "render"]

BINARY = frozenset({"docx", "xlsx", "png"})
WIDE = frozenset({"xlsx", "csv", "json"})  # formats for analysis get the wide tables


@dataclass(frozen=True)
class Options:
    """Options that some reports take."""

    by: str = "interventions"  # evidence-matrix: interventions or documents


Renderer = Callable[[ReviewData, str, Options], str | bytes]


@dataclass(frozen=True)
class Kind:
    """A report: its name, what it shows, its formats (the first is the default), its renderer."""

    name: str
    summary: str
    formats: tuple[str, ...]
    render: Renderer


def _framed(report: Report, data: ReviewData) -> Report:
    report.subtitle = report.subtitle or data.review.title
    report.credit = report.credit or data.credit
    return report


def _write(report: Report, data: ReviewData, fmt: str, group: str = "Table") -> str | bytes:
    """Any report in any document format."""
    report = _framed(report, data)
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "text":
        return render_text(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report, group)
    if fmt == "docx":
        return render_docx(report, data.last_change)
    if fmt == "xlsx":
        return render_xlsx(report, data.last_change)
    raise InvalidInput(f"no format '{fmt}'")  # pragma: no cover - kinds list their formats


def _tables(build: Callable[..., Report], group: str = "Table") -> Renderer:
    def render(data: ReviewData, fmt: str, options: Options) -> str | bytes:
        return _write(build(data, wide=fmt in WIDE), data, fmt, group)

    return render


def _model(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    if fmt == "docx":
        return model_renderers.render_docx(data.model, data.last_change)
    render: Callable[..., str] = model_renderers.RENDERERS[fmt]
    return render(data.model)


def _summary(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    summary = summarise(data.interventions, data.phrasings)
    if fmt == "json":
        return json.dumps(summary.as_json(), indent=2, ensure_ascii=False) + "\n"
    return _write(summary_report(summary), data, fmt)


def _prisma(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    if fmt == "csv":
        return to_prisma2020_csv(data.prisma)
    if fmt == "json":
        return json.dumps(dataclasses.asdict(data.prisma), indent=2, ensure_ascii=False) + "\n"
    svg = prisma_svg(data.prisma, data.review.title)
    return svg_png(svg) if fmt == "png" else svg


def _matrix(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    if options.by not in data.matrices:
        raise InvalidInput(f"--by takes interventions or documents, not '{options.by}'")
    matrix = data.matrices[options.by]
    labels = {k: data.document_label(k) for k in data.documents}
    if fmt in ("svg", "png"):
        svg = render_heatmap(data.configurations, matrix, labels)
        return svg_png(svg) if fmt == "png" else svg
    return _write(matrix_report(data.configurations, matrix, labels), data, fmt)


def _network(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    svg = render_network(data.configurations)
    return svg_png(svg) if fmt == "png" else svg


def _review(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    return render_review_html(data)


def _rameses(data: ReviewData, fmt: str, options: Options) -> str | bytes:
    return _write(rameses_report(data, wide=fmt in WIDE), data, fmt)


DOCUMENT = ("html", "docx", "xlsx", "csv", "md", "json")
KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("model", "the final theoretical model", ("html", "md", "docx", "text", "json"),
             _model),
        Kind("cmo-tables", "CMO configurations per topic with their evidence", DOCUMENT,
             _tables(cmo_tables, "Topic")),
        Kind("interventions", "interventions with documents and attributes (Table 2)", DOCUMENT,
             _tables(interventions_table)),
        Kind("intervention-summary", "counting sentences generated from the attributes",
             ("text", "md", "html", "json"), _summary),
        Kind("eligibility", "eligibility criteria by dimension (Table 1)", DOCUMENT,
             _tables(eligibility_table)),
        Kind("mmat", "MMAT 2018 appraisal table", DOCUMENT, _tables(mmat_table)),
        Kind("prisma", "PRISMA 2020 flow diagram and counts", ("svg", "png", "csv", "json"),
             _prisma),
        Kind("rameses", "RAMESES checklist: what the data supplies, what is missing", DOCUMENT,
             _rameses),
        Kind("evidence-matrix", "heat map of configurations × interventions or documents",
             ("svg", "png", "csv", "xlsx", "json"), _matrix),
        Kind("network", "configuration network (contexts → mechanisms → outcomes)",
             ("svg", "png"), _network),
        Kind("review", "the whole review in one HTML file", ("html",), _review),
    )
}  # fmt: skip


def render(data: ReviewData, kind: str, fmt: str, options: Options | None = None) -> str | bytes:
    """One report of ``kind`` in format ``fmt``."""
    if kind not in KINDS:
        raise InvalidInput(f"no report '{kind}' (reports: {', '.join(KINDS)})")
    entry = KINDS[kind]
    if fmt not in entry.formats:
        raise InvalidInput(f"'{kind}' comes as {', '.join(entry.formats)}, not {fmt}")
    return entry.render(data, fmt, options or Options())
