"""The RAMESES publication standards for realist syntheses (Wong et al., BMC Medicine
2013;11:21): the 19 items, and for each what the review's data already supplies and what
the authors still have to write.

The items' names are the standard's; the one-line descriptions are short paraphrases (see
the paper for the full explanation of each item). Status is one of:

- ``supplied``: the data holds what the item asks for (the authors still write it up);
- ``partial``: the data holds part of it, and says what is missing;
- ``missing``: nothing in the data speaks to it: it is the authors' writing (or a note
  recorded with ``realist report rameses --note N=TEXT``, which counts as supplied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from realist.domain.prisma import PrismaCounts
from realist.domain.theory import STANDING_LABELS, ModelStyle, Standing, Verdict, standing
from realist.reports.blocks import CellValue, Inline, Paragraph, Report, Run, Table, inline
from realist.reports.data import ReviewData
from realist.reports.wording import counted, plural, stage_detail

__all__ = ["ITEMS", "Assessment", "RamesesItem", "assess", "rameses_report"]

SUPPLIED, PARTIAL, MISSING = "supplied", "partial", "missing"
CITATION = (
    "Wong G, Greenhalgh T, Westhorp G, Buckingham J, Pawson R. RAMESES publication "
    "standards: realist syntheses. BMC Medicine 2013;11:21. doi:10.1186/1741-7015-11-21."
)


@dataclass(frozen=True)
class Assessment:
    """What the data says about one item: its status, what it supplies, what is missing."""

    status: str
    supplied: tuple[str, ...] = ()
    missing: str = ""


@dataclass(frozen=True)
class RamesesItem:
    """One of the 19 RAMESES items for realist syntheses."""

    number: int
    section: str
    name: str
    asks: str  # a short paraphrase of the item


ITEMS = (
    RamesesItem(1, "Title", "Title", "Identify the document as a realist synthesis or review."),
    RamesesItem(2, "Abstract", "Abstract", "Background, question, search, selection, appraisal, "
                "analysis and synthesis, main results and implications."),
    RamesesItem(3, "Introduction", "Rationale for review", "Why the review is needed and what "
                "it adds to existing understanding."),
    RamesesItem(4, "Introduction", "Objectives and focus of review", "The objectives or "
                "question, and the focus of the review with its rationale."),
    RamesesItem(5, "Methods", "Changes in the review process", "Changes from the planned "
                "process, described and justified."),
    RamesesItem(6, "Methods", "Rationale for using realist synthesis", "Why realist synthesis "
                "was the most appropriate method."),
    RamesesItem(7, "Methods", "Scoping the literature", "The initial exploratory scoping of the "
                "literature, described and justified."),
    RamesesItem(8, "Methods", "Searching processes", "How the iterative searching was done: "
                "sources, search terms, coverage and dates searched, experts contacted."),
    RamesesItem(9, "Methods", "Selection and appraisal of documents", "How judgements were made "
                "to include and exclude data from documents, and why."),
    RamesesItem(10, "Methods", "Data extraction", "Which data were extracted from the included "
                "documents, and why."),
    RamesesItem(11, "Methods", "Analysis and synthesis processes", "The analytic and synthesis "
                "processes, in detail."),
    RamesesItem(12, "Results", "Document flow diagram", "Documents assessed and included, with "
                "reasons for exclusion at each stage and where they came from."),
    RamesesItem(13, "Results", "Document characteristics", "The characteristics of the "
                "included documents."),
    RamesesItem(14, "Results", "Main findings", "Key findings, focused on theory building and "
                "testing."),
    RamesesItem(15, "Discussion", "Summary of findings", "The main findings against the "
                "objectives, question, focus and audience."),
    RamesesItem(16, "Discussion", "Strengths, limitations and future research directions",
                "Strengths and limitations of every step, and the strength of evidence behind "
                "the explanatory insights."),
    RamesesItem(17, "Discussion", "Comparison with existing literature", "The findings "
                "compared with other literature (e.g. other reviews) on the topic."),
    RamesesItem(18, "Discussion", "Conclusion and recommendations", "The main implications, "
                "and recommendations for policy and practice where appropriate."),
    RamesesItem(19, "Discussion", "Funding", "Funding sources, the funder's role and the "
                "reviewers' conflicts of interest."),
)  # fmt: skip

WRITTEN = Assessment(MISSING, missing="the authors' own text; the data cannot supply it")


def _written(_: ReviewData) -> Assessment:
    return WRITTEN


def _known(value: int | None) -> bool:
    return value is not None


def _title(d: ReviewData) -> Assessment:
    title = d.review.title
    if "realist" in title.lower():
        return Assessment(SUPPLIED, (f"Title: {title}",))
    return Assessment(PARTIAL, (f"Title: {title}",), "the title does not say 'realist'")


def _abstract(d: ReviewData) -> Assessment:
    counts = (
        f"{len(d.included)} documents, {len(d.interventions)} interventions, "
        f"{len(d.configurations)} configurations"
    )
    return Assessment(PARTIAL, (f"Counts for the results: {counts}",), "the abstract's text")


def _objectives(d: ReviewData) -> Assessment:
    if d.review.question:
        return Assessment(SUPPLIED, (f"Question: {d.review.question}",))
    return Assessment(MISSING, missing="record the review question")


def _changes(d: ReviewData) -> Assessment:
    versions = sum(c.versions for c in d.configurations)
    lines = (
        f"Audit trail: {d.events} recorded {plural(d.events, 'change')}",
        f"Theory history: {versions} earlier {plural(versions, 'version')} of configurations",
    )
    return Assessment(PARTIAL, lines, "which changes departed from the plan, and why")


def _scoping(d: ReviewData) -> Assessment:
    theories = {t.name for c in d.configurations for t in c.middle_range_theories}
    if not theories:
        return Assessment(MISSING, missing="the exploratory scoping (no middle-range theories)")
    return Assessment(
        PARTIAL,
        (f"{len(theories)} middle-range theories linked to configurations",),
        "how the scoping was done and why",
    )


def _searching(d: ReviewData) -> Assessment:
    lines = []
    if d.search.concept_blocks:
        lines.append(f"Search terms: {d.search.query()}")
    undated = [s.name for s in d.search.sources if not s.searched]
    for s in d.search.sources:
        line = f"{s.name} ({s.kind.value}): searched {s.searched or 'date not recorded'}"
        if s.limits:
            line += f"; limits: {s.limits}"
        if s.search_string:
            line += f"; search as run: {s.search_string}"
        lines.append(line)
    if d.search.last_search:
        lines.append(f"Last search: {d.search.last_search}")
    if not lines:
        return Assessment(MISSING, missing="record the search strategy and sources")
    if undated or not d.search.concept_blocks:
        gap = "dates searched for " + ", ".join(undated) if undated else "the search terms"
        return Assessment(PARTIAL, tuple(lines), gap)
    return Assessment(SUPPLIED, tuple(lines))


def _selection(d: ReviewData) -> Assessment:
    lines = [
        f"{len(d.criteria)} eligibility "
        f"{plural(len(d.criteria), 'criterion', 'criteria')} (Table 1)",
        f"Screening: {d.screening_mode.value} reviewer",
    ]
    for stage, counts in d.screening.items():
        shown = f"{stage.replace('_', ' ')}: {counted(counts['records'], 'record')}"
        lines.append(f"{shown} ({stage_detail(counts)})")
    lines.append(f"MMAT appraisals: {len(d.mmat)}")
    if not d.criteria:
        return Assessment(PARTIAL, tuple(lines), "record the eligibility criteria")
    if not d.mmat:
        return Assessment(PARTIAL, tuple(lines), "no quality appraisal is recorded")
    return Assessment(SUPPLIED, tuple(lines))


def _extraction(d: ReviewData) -> Assessment:
    if not d.excerpts:
        return Assessment(MISSING, missing="no excerpts are coded yet")
    lines = (
        f"{d.excerpts} excerpts, {d.codings} codings to contexts, mechanisms, outcomes "
        "and configurations",
    )
    return Assessment(SUPPLIED, lines)


def _analysis(d: ReviewData) -> Assessment:
    tested = sum(1 for c in d.configurations if c.configuration.verdict is not None)  # judged
    lines = (
        f"Verdict rule: {d.verdict_rule}",
        f"{tested} of {len(d.configurations)} configurations tested, each verdict with a rationale",
    )
    return Assessment(SUPPLIED if tested else PARTIAL, lines, "" if tested else "test the theories")


def _flow(d: ReviewData) -> Assessment:
    counts: PrismaCounts = d.prisma
    boxes = (
        "database_results",
        "duplicates",
        "records_screened",
        "records_excluded",
        "dbr_sought_reports",
        "dbr_assessed",
        "new_reports",
        "new_studies",
    )
    unknown = [b for b in boxes if not _known(getattr(counts, b))]
    lines = tuple(f"{b.replace('_', ' ')}: {getattr(counts, b)}" for b in boxes if b not in unknown)
    if unknown:
        return Assessment(PARTIAL, lines, "unknown PRISMA counts: " + ", ".join(unknown))
    return Assessment(SUPPLIED, lines)


def _characteristics(d: ReviewData) -> Assessment:
    designed = sum(1 for doc in d.included if doc.study_design)
    lines = (
        f"{len(d.included)} included documents with type; {designed} with a study design",
        f"{len(d.interventions)} interventions with attributes (Table 2)",
    )
    if designed < len(d.included):
        return Assessment(PARTIAL, lines, f"study design of {len(d.included) - designed} documents")
    return Assessment(SUPPLIED, lines)


def _standings(d: ReviewData) -> dict[Standing, list[str]]:
    """Configuration identifiers by where they stand (the one rule the model also uses)."""
    found: dict[Standing, list[str]] = {s: [] for s in Standing}
    for c in d.configurations:
        found[standing(c.configuration.verdict, c.evidence.excerpts)].append(c.identifier)
    return found


def _findings(d: ReviewData) -> Assessment:
    m = d.model
    by = _standings(d)
    tested = ", ".join(
        f"{len(by[s])} {STANDING_LABELS[s]}" for s in Standing if by[s]
    )  # e.g. "20 supported, 1 refined, 2 not supported, 1 untested"
    lines = (
        f"Final model: {m.count(ModelStyle.NORMAL)} supported, {m.count(ModelStyle.STRUCK)} "
        f"struck through (not supported by evidence), {m.count(ModelStyle.NEW)} new",
        f"Configurations: {tested or 'none yet'}",
        "CMO tables with evidence per configuration",
    )
    return Assessment(SUPPLIED, lines)


def _strengths(d: ReviewData) -> Assessment:
    # Only configurations judged supported (or refined) can rest on a single excerpt; an
    # untested one has none and says so instead.
    backed = (Verdict.SUPPORTED, Verdict.REFINED)
    weak = [
        c.identifier
        for c in d.configurations
        if c.configuration.verdict in backed and c.evidence.excerpts == 1
    ]
    by = _standings(d)
    lines = ["Strength of evidence per configuration (CMO tables, evidence matrix)"]
    if weak:
        lines.append("Supported by a single excerpt: " + ", ".join(weak))
    if by[Standing.UNTESTED]:
        lines.append("Untested (no evidence coded): " + ", ".join(by[Standing.UNTESTED]))
    if by[Standing.NOT_SUPPORTED]:
        lines.append("Not supported: " + ", ".join(by[Standing.NOT_SUPPORTED]))
    if d.findings:
        lines.append(f"{len(d.findings)} inconsistencies found by `realist check`")
    return Assessment(PARTIAL, tuple(lines), "the discussion of strengths and limitations")


CHECKS: dict[int, Callable[[ReviewData], Assessment]] = {
    1: _title, 2: _abstract, 4: _objectives, 5: _changes, 7: _scoping, 8: _searching,
    9: _selection, 10: _extraction, 11: _analysis, 12: _flow, 13: _characteristics,
    14: _findings, 16: _strengths,
}  # fmt: skip


def assess(data: ReviewData) -> list[tuple[RamesesItem, Assessment]]:
    """Every item with what the data supplies; a reviewer's note on an item supplies it."""
    found = []
    for item in ITEMS:
        result = CHECKS.get(item.number, _written)(data)
        note = data.rameses_notes.get(item.number)
        if note:
            result = Assessment(SUPPLIED, (*result.supplied, f"Note: {note}"))
        found.append((item, result))
    return found


def _status(status: str) -> Inline:
    return (Run(status, bold=status != SUPPLIED, muted=status == SUPPLIED),)


def rameses_report(data: ReviewData, *, wide: bool = False) -> Report:
    """The checklist as a table: item, section, what it asks, status, what the data
    supplies and what is missing (the compact layout puts the section under the number)."""
    rows: list[list[CellValue]] = []
    assessed = assess(data)
    for item, result in assessed:
        topic = inline(Run(item.name, bold=True))
        status = _status(result.status)
        supplied, missing = "\n".join(result.supplied), result.missing
        if wide:
            rows.append([item.number, item.section, topic, item.asks, status, supplied, missing])
        else:
            number = (
                inline(Run(str(item.number), bold=True)),
                inline(Run(item.section, muted=True)),
            )
            rows.append([number, topic, item.asks, status, supplied, missing])
    columns = ("Topic", "Asks for", "Status", "The data supplies", "Still needed")
    table = Table.build(
        "RAMESES checklist",
        ("Item", "Section", *columns) if wide else ("Item", *columns),
        rows,
        sheet="RAMESES",
        widths=() if wide else (1.25, 1.5, 2.4, 0.95, 3.4, 1.8),
    )
    counts = {s: sum(1 for _, a in assessed if a.status == s) for s in (SUPPLIED, PARTIAL, MISSING)}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    return Report(
        "RAMESES checklist (realist syntheses)",
        [
            Paragraph(inline(f"19 items: {summary}.")),
            table,
            Paragraph(inline(f"Items from {CITATION} Descriptions paraphrased."), role="note"),
        ],
        landscape=True,
    )
