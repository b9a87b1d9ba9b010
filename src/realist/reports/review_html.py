"""The whole-review report: one standalone HTML file with every report and figure.

It is what a supervisor or commissioner opens first: the final model at the top, then the
figures, the tables, the search and the checklist, with a table of contents. Figures are
inline SVG, so the one file is the whole report (no images beside it, no scripts).
"""

from __future__ import annotations

from collections import Counter

from realist.domain.theory import ModelStyle
from realist.domain.timestamps import day_for_people
from realist.reports.blocks import (
    Block,
    BulletList,
    Figure,
    Heading,
    Paragraph,
    Report,
    Run,
    Table,
    inline,
)
from realist.reports.data import ReviewData
from realist.reports.heatmap import render_heatmap
from realist.reports.html_writer import render_html
from realist.reports.model import model_blocks
from realist.reports.network import render_network
from realist.reports.prisma_diagram import render_svg as prisma_svg
from realist.reports.rameses import rameses_report
from realist.reports.summary import summarise, summary_blocks
from realist.reports.tables import (
    cmo_tables,
    documents_table,
    eligibility_table,
    interventions_table,
    mmat_table,
)
from realist.reports.wording import counted, humanise

__all__ = ["render_review_html", "review_report"]


def _section(anchor: str, title: str, *blocks: Block) -> list[Block]:
    return [Heading(title, 2, anchor), *blocks]


def _glance(data: ReviewData) -> list[Block]:
    types = Counter(humanise(d.document_type.value) for d in data.included)
    docs = ", ".join(counted(n, t) for t, n in sorted(types.items()))
    topics = []
    for topic in data.topics:
        mine = [c for c in data.configurations if c.topic.key == topic.key]
        struck = sum(1 for c in mine if c.style is ModelStyle.STRUCK)
        extra = f" ({struck} not supported)" if struck else ""
        topics.append(f"{topic.name}: {len(mine)}{extra}")
    items = [
        inline(Run("Question: ", bold=True), data.review.question or "not recorded"),
        inline(Run("Documents: ", bold=True), f"{len(data.included)} included ({docs})"),
        inline(Run("Interventions: ", bold=True), str(len(data.interventions))),
        inline(Run("Configurations: ", bold=True), "; ".join(topics) or "none yet"),
        inline(Run("Evidence: ", bold=True), f"{data.excerpts} excerpts, {data.codings} codings"),
    ]
    if data.findings:
        items.append(
            inline(
                Run("To check: ", bold=True),
                f"{len(data.findings)} inconsistencies (see the last section)",
            )
        )
    return [BulletList(tuple(items))]


def _tables(report: Report) -> list[Block]:
    return [b for b in report.blocks if isinstance(b, Table | Paragraph | BulletList)]


def _search(data: ReviewData) -> list[Block]:
    blocks: list[Block] = []
    if data.search.concept_blocks:
        blocks.append(Paragraph(inline(Run("Search: ", bold=True), data.search.query())))
    sources = [
        inline(
            Run(s.name, bold=True),
            f" ({s.kind.value}), searched {s.searched or 'date not recorded'}",
            f"; limits: {s.limits}" if s.limits else "",
            Run(f". {s.note}" if s.note else "", muted=True),
        )
        for s in data.search.sources
    ]
    strings = [
        inline(Run(f"{s.name}: ", bold=True), s.search_string)
        for s in data.search.sources
        if s.search_string
    ]
    if sources:
        blocks.append(BulletList(tuple(sources)))
    if strings:
        blocks.append(Paragraph(inline(Run("Search strings as run in each source:", bold=True))))
        blocks.append(BulletList(tuple(strings)))
    svg = prisma_svg(data.prisma)
    blocks.append(
        Figure(svg, "PRISMA 2020 flow diagram. Dashed boxes: counts not known.", "prisma-figure")
    )
    return blocks


def review_report(data: ReviewData) -> Report:
    """Every report of the review as one report with a table of contents."""
    labels = {k: data.document_label(k) for k in data.documents}
    matrices: list[Block] = []
    for name in ("interventions", "documents"):
        matrix = data.matrices.get(name)
        if matrix is not None and (name == "interventions" or len(matrix.columns) > 1):
            matrices.append(
                Figure(
                    render_heatmap(data.configurations, matrix, labels),
                    f"Evidence matrix by {name}.",
                    f"matrix-{name}",
                )
            )
    summary = summarise(data.interventions, data.phrasings)
    blocks: list[Block] = [
        *_section("glance", "At a glance", *_glance(data)),
        *_section("model", "Final theoretical model", *model_blocks(data.model, level=3)),
        *_section(
            "network",
            "Configuration network",
            Figure(
                render_network(data.configurations),
                "Contexts → configurations → mechanisms → outcomes, by topic.",
                "network-figure",
            ),
        ),
        *_section("matrix", "Evidence matrix", *matrices),
        *_section("cmo", "CMO configurations", *_tables(cmo_tables(data))),
        *_section(
            "interventions",
            "Interventions",
            *summary_blocks(summary),
            *_tables(interventions_table(data)),
            documents_table(data),
        ),
        *_section("eligibility", "Eligibility criteria", *_tables(eligibility_table(data))),
        *_section("search", "Search and selection", *_search(data)),
        *_section("appraisal", "Quality appraisal (MMAT 2018)", *_tables(mmat_table(data))),
        *_section("rameses", "RAMESES checklist", *_tables(rameses_report(data))),
    ]
    if data.findings:
        blocks += _section(
            "check",
            "Things to check",
            Paragraph(
                inline("Where the review's data and its own text disagree (from realist check).")
            ),
            BulletList(tuple(inline(f) for f in data.findings)),
        )
    when = day_for_people(data.last_change) if data.last_change else "no recorded changes"
    return Report(
        data.review.title,
        blocks,
        subtitle=f"A realist review, reported by Realist from its data (last change: {when}).",
        credit=data.credit,
        contents=True,
        landscape=True,  # printed, its wide tables (CMO, RAMESES) need the width
    )


def render_review_html(data: ReviewData) -> str:
    """The whole-review report as one standalone HTML page."""
    return render_html(review_report(data))
