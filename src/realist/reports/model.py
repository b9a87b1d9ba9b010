"""The final theoretical model as text, Markdown, HTML, JSON or DOCX.

Every renderer shows the same three kinds of theory the reference review does: supported
(normal type), initial theories not supported by evidence (struck through) and new ones
(CAPITALS); each entry shows its contexts, mechanisms and outcomes and says where it stands
on what evidence (untested, awaiting a verdict, supported, refined, not supported).
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any

from realist.domain.model import FinalModel, ModelEntry
from realist.domain.theory import ModelStyle
from realist.reports import docx_writer
from realist.reports.blocks import (
    Block,
    BulletList,
    Heading,
    Inline,
    Paragraph,
    Report,
    Run,
    inline,
)
from realist.reports.escaping import markdown_line, markdown_runs, markdown_text

STRIKE = "\u0336"  # combining long stroke overlay: strike-through in plain text


def _strike(text: str) -> str:
    return "".join(ch + STRIKE for ch in text)


def _suffix(entry: ModelEntry) -> str:
    bits = [entry.status or f"{entry.evidence} excerpt{'s' if entry.evidence != 1 else ''}"]
    if entry.partial:
        bits.append("partial")
    if entry.middle_range_theories:
        bits.append("theories: " + "; ".join(entry.middle_range_theories))
    return " (" + ", ".join(bits) + ")"


PART_NAMES = {"C": "Context", "M": "Mechanism", "O": "Outcome"}


def render_text(model: FinalModel) -> str:
    lines = ["Final theoretical model", ""]
    for section in model.sections:
        lines.append(section.topic.name)
        for e in section.entries:
            text = _strike(e.text) if e.style is ModelStyle.STRUCK else e.text
            lines.append(f"  {e.identifier}. {text}{_suffix(e)}")
            for label, part in e.parts():
                shown = _strike(part) if e.style is ModelStyle.STRUCK else part
                lines.append(f"      {label}: {shown}")
        lines.append("")
    lines.append("Legend")
    lines += [f"  {style.value}: {meaning}" for style, meaning in model.legend.items()]
    return "\n".join(lines) + "\n"


def render_markdown(model: FinalModel) -> str:
    lines = ["# Final theoretical model", ""]
    for section in model.sections:
        lines += [f"## {markdown_line(section.topic.name)}", ""]
        for e in section.entries:
            struck = frozenset({"struck"} if e.style is ModelStyle.STRUCK else ())
            text = markdown_runs([(e.text, struck)])
            ident = markdown_runs([(f"{e.identifier}.", frozenset({"bold"}))])
            lines.append(f"- {ident} {text}{markdown_text(_suffix(e))}")
            for label, part in e.parts():
                shown = markdown_runs([(part, struck)])
                lines.append(f"    - {PART_NAMES[label]}: {shown}")
        lines.append("")
    lines += ["**Legend:** " + markdown_text(" · ".join(model.legend.values())), ""]
    return "\n".join(lines)


def _html_parts(e: ModelEntry) -> str:
    if not e.parts():
        return ""
    rows = []
    for label, part in e.parts():
        text = escape(part)
        if e.style is ModelStyle.STRUCK:
            text = f"<del>{text}</del>"
        rows.append(f'<li><span class="part">{PART_NAMES[label]}:</span> {text}</li>')
    return '<ul class="cmo">' + "".join(rows) + "</ul>"


def render_html(model: FinalModel, title: str = "Final theoretical model") -> str:
    """A standalone, print-ready page; all text is escaped (theories come from people)."""
    body = []
    for section in model.sections:
        items = []
        for e in section.entries:
            text = escape(e.text)
            if e.style is ModelStyle.STRUCK:
                text = f"<del>{text}</del>"
            items.append(
                f'<li class="{e.style.value}"><b>{escape(e.identifier)}.</b> {text}'
                f'<span class="meta">{escape(_suffix(e))}</span>{_html_parts(e)}</li>'
            )
        body.append(f"<h2>{escape(section.topic.name)}</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    legend = "".join(f'<li class="{s.value}">{escape(m)}</li>' for s, m in model.legend.items())
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>"
        "body{font-family:Georgia,serif;max-width:48rem;margin:2rem auto;line-height:1.5}"
        ".meta{color:#666;font-size:.85em}.struck del{color:#888}"
        ".cmo{list-style:none;padding-left:1.5rem;margin:.2rem 0 .6rem}.part{color:#555}"
        "li.new b{letter-spacing:.02em}@media print{body{margin:0}}"
        f"</style></head><body><h1>{escape(title)}</h1>\n"
        + "\n".join(body)
        + f"\n<h2>Legend</h2><ul>{legend}</ul></body></html>\n"
    )


def model_json(model: FinalModel) -> dict[str, Any]:
    return {
        "topics": [
            {
                "key": s.topic.key,
                "name": s.topic.name,
                "configurations": [
                    {
                        "identifier": e.identifier,
                        "style": e.style.value,
                        "text": e.text,
                        "partial": e.partial,
                        "middle_range_theories": list(e.middle_range_theories),
                        "evidence": e.evidence,
                        "standing": e.standing.value,
                        "status": e.status,
                        "contexts": list(e.contexts),
                        "mechanisms": list(e.mechanisms),
                        "outcomes": list(e.outcomes),
                    }
                    for e in s.entries
                ],
            }
            for s in model.sections
        ],
        "counts": {style.value: model.count(style) for style in model.legend},
        "legend": {style.value: meaning for style, meaning in model.legend.items()},
    }


def render_json(model: FinalModel) -> str:
    return json.dumps(model_json(model), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "md": render_markdown, "html": render_html, "json": render_json}


def _entry_runs(entry: ModelEntry) -> Inline:
    struck = entry.style is ModelStyle.STRUCK
    runs = [
        Run(f"{entry.identifier}. ", bold=True),
        Run(entry.text, struck=struck),
        Run(_suffix(entry), muted=True),
    ]
    for n, (label, part) in enumerate(entry.parts()):
        runs += [Run(f"{' — ' if n == 0 else '; '}{PART_NAMES[label]}: ", muted=True),
                 Run(part, struck=struck)]  # fmt: skip
    return inline(*runs)


def _legend_runs(style: ModelStyle, meaning: str) -> Inline:
    sample = {
        ModelStyle.NORMAL: Run("Normal type"),
        ModelStyle.STRUCK: Run("Struck through", struck=True),
        ModelStyle.NEW: Run("CAPITALS", bold=True),
    }.get(style, Run(style.value))
    return inline(sample, f": {meaning}")


def model_blocks(model: FinalModel, level: int = 2) -> list[Block]:
    """The final model as report blocks: counts, one list per topic, the middle-range
    theories and what they explain, and the legend (headings at ``level``)."""
    counts = ", ".join(
        f"{model.count(style)} {label}"
        for style, label in (
            (ModelStyle.NORMAL, "supported"),
            (ModelStyle.STRUCK, "struck through (not supported by evidence)"),
            (ModelStyle.NEW, "new"),
        )
    )
    blocks: list[Block] = [Paragraph(inline(f"{len(model.entries())} configurations: {counts}."))]
    for section in model.sections:
        blocks.append(Heading(section.topic.name, level))
        blocks.append(BulletList(tuple(_entry_runs(e) for e in section.entries)))
    explained: dict[str, list[str]] = {}
    for entry in model.entries():
        for name in entry.middle_range_theories:
            explained.setdefault(name, []).append(entry.identifier)
    if explained:
        blocks.append(Heading("Middle-range theories", level))
        blocks.append(
            BulletList(
                tuple(
                    inline(Run(name, bold=True), f": configurations {', '.join(ids)}")
                    for name, ids in sorted(explained.items())
                )
            )
        )
    blocks.append(Heading("Legend", level))
    blocks.append(BulletList(tuple(_legend_runs(s, m) for s, m in model.legend.items())))
    return blocks


def model_report(model: FinalModel, title: str = "Final theoretical model") -> Report:
    """The final model as a report (for DOCX and the whole-review report)."""
    return Report(title, model_blocks(model))


def render_docx(
    model: FinalModel, when: datetime | None, title: str = "Final theoretical model"
) -> bytes:
    """The final model as DOCX: unsupported theories as struck-through runs, new ones in
    capitals, by topic, with middle-range theories, evidence counts and a legend. ``when``
    pins the document's timestamps (the review's last change)."""
    return docx_writer.render_docx(model_report(model, title), when)
