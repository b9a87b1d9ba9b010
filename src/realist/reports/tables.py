"""The review's tables: CMO configurations per topic, interventions (the reference review's
Table 2), eligibility criteria (Table 1), MMAT appraisals and the included documents.

Each builder has a *compact* layout for reading (HTML, DOCX: few columns, several lines per
cell) and a *wide* one for analysis (XLSX, CSV, JSON: one value per column, counts as
numbers). Both come from the same data in the same order, so they cannot disagree.
"""

from __future__ import annotations

from collections import Counter

from realist.domain.appraisal import MMAT_CRITERIA, MMAT_SCREENING_QUESTIONS, MMATAnswer
from realist.domain.coding import Stance
from realist.domain.documents import AttributeValue
from realist.domain.screening import CriterionKind
from realist.domain.theory import STANDING_LABELS, ModelStyle, Role, standing
from realist.reports.blocks import (
    Block,
    BulletList,
    Cell,
    CellValue,
    Heading,
    Inline,
    Paragraph,
    Report,
    Run,
    Table,
    cell,
    inline,
)
from realist.reports.data import ConfigurationData, ReviewData
from realist.reports.wording import capitalise, humanise, intervention_refs, plural

__all__ = [
    "cmo_tables",
    "documents_table",
    "eligibility_table",
    "interventions_table",
    "mmat_table",
]

RIGOUR = ("high", "moderate", "low", "unappraised")
BACKING = (Stance.SUPPORTS, Stance.REFINES)


def _label(item: ConfigurationData) -> Inline:
    if item.style is ModelStyle.STRUCK:
        return (Run(item.label, struck=True),)
    return (Run(item.label, bold=item.style is ModelStyle.NEW),)


def _parts(item: ConfigurationData, role: Role) -> tuple[Inline, ...]:
    lines = []
    for part in item.configuration.of_role(role):
        kind = f"{capitalise(part.kind.value)}: " if part.kind else ""
        lines.append(inline(Run(kind, italic=True, muted=True), part.text))
    return tuple(lines)


def _rigour(item: ConfigurationData) -> Counter[str]:
    """Distinct excerpts by rigour (an excerpt coded twice counts once)."""
    grades = {
        e.excerpt_id: e.rigour.value if e.rigour else "unappraised" for e in item.evidence.items
    }
    return Counter(grades.values())


def _stances(item: ConfigurationData) -> Counter[Stance]:
    return Counter(e.stance for e in item.evidence.items)


def _backing(item: ConfigurationData, data: ReviewData) -> tuple[list[int], list[str]]:
    """Interventions and documents behind the supporting and refining excerpts (and any
    intervention linked to the configuration by hand)."""
    backing = [e for e in item.evidence.items if e.stance in BACKING]
    numbers = {n for e in backing for n in e.interventions}
    numbers |= set(item.configuration.intervention_numbers)
    keys = sorted({e.document_key for e in backing})
    return sorted(numbers), [data.document_label(k) for k in keys]


def _verdict(item: ConfigurationData) -> str:
    """Where it stands: untested (no evidence coded), awaiting a verdict, or the verdict."""
    return STANDING_LABELS[standing(item.configuration.verdict, item.evidence.excerpts)]


def _evidence_lines(item: ConfigurationData, data: ReviewData) -> tuple[Inline, ...]:
    stances, rigour = _stances(item), _rigour(item)
    excerpts = len({e.excerpt_id for e in item.evidence.items})
    by_stance = ", ".join(
        f"{stances[s]} {word}"
        for s, word in (
            (Stance.SUPPORTS, "supporting"),
            (Stance.REFINES, "refining"),
            (Stance.REFUTES, "refuting"),
        )
        if stances[s]
    )
    lines = [
        inline(
            f"{excerpts} {plural(excerpts, 'excerpt')}" + (f": {by_stance}" if by_stance else "")
        )
    ]
    if rigour:
        lines.append(
            inline(
                Run(
                    "Rigour: " + ", ".join(f"{rigour[g]} {g}" for g in RIGOUR if rigour[g]),
                    muted=True,
                )
            )
        )
    numbers, documents = _backing(item, data)
    if numbers:
        lines.append(inline(Run(f"Interventions {intervention_refs(numbers)}", muted=True)))
    if documents:
        lines.append(inline(Run("Documents: " + "; ".join(documents), muted=True)))
    return tuple(lines)


def _configuration_lines(item: ConfigurationData) -> tuple[Inline, ...]:
    c = item.configuration
    lines = [_label(item)]
    if c.title and c.statement:
        lines.append(inline(Run(c.statement, italic=True, struck=item.style is ModelStyle.STRUCK)))
    extra = f"Standing: {_verdict(item)}" + (" · partial" if c.partial else "")
    lines.append(inline(Run(extra, muted=True)))
    if item.middle_range_theories:
        names = "; ".join(t.name for t in item.middle_range_theories)
        lines.append(inline(Run(f"Theories: {names}", muted=True)))
    return tuple(lines)


COMPACT_CMO = ("ID", "Configuration", "Contexts", "Mechanisms", "Outcomes", "Evidence")
WIDE_CMO = (
    "ID",
    "Title",
    "Statement",
    "Final model",
    "Standing",
    "Contexts",
    "Mechanisms",
    "Outcomes",
    "Middle-range theories",
    "Interventions",
    "Documents",
    "Excerpts",
    "Supporting",
    "Refining",
    "Refuting",
    *(f"Rigour: {g}" for g in RIGOUR),
)


def _cmo_row(item: ConfigurationData, data: ReviewData, wide: bool) -> list[Cell]:
    if not wide:
        return [
            cell(item.identifier),
            cell(_configuration_lines(item)),
            cell(_parts(item, Role.CONTEXT)),
            cell(_parts(item, Role.MECHANISM)),
            cell(_parts(item, Role.OUTCOME)),
            cell(_evidence_lines(item, data)),
        ]
    c, stances, rigour = item.configuration, _stances(item), _rigour(item)
    numbers, documents = _backing(item, data)
    return [
        cell(c.identifier),
        cell(_label(item)),
        cell(c.statement),
        cell(item.style.value),
        cell(_verdict(item)),
        cell(_parts(item, Role.CONTEXT)),
        cell(_parts(item, Role.MECHANISM)),
        cell(_parts(item, Role.OUTCOME)),
        cell("\n".join(t.name for t in item.middle_range_theories)),
        cell(", ".join(str(n) for n in numbers)),
        cell("\n".join(documents)),
        cell(len({e.excerpt_id for e in item.evidence.items})),
        cell(stances[Stance.SUPPORTS]),
        cell(stances[Stance.REFINES]),
        cell(stances[Stance.REFUTES]),
        *(cell(rigour[g]) for g in RIGOUR),
    ]


def cmo_tables(data: ReviewData, *, wide: bool = False) -> Report:
    """One table of CMO configurations per topic, with the strength of their evidence."""
    report = Report("CMO configurations", landscape=True)
    report.blocks.append(
        Paragraph(
            inline(
                "One table per topic. Struck through: in the initial model but not supported "
                "by the evidence; CAPITALS: new, found in the evidence. Evidence counts "
                "distinct excerpts by stance and by the rigour they were appraised at."
            ),
            role="note",
        )
    )
    for topic in data.topics:
        items = [c for c in data.configurations if c.topic.key == topic.key]
        if not items:
            continue
        report.blocks.append(
            Table(
                title=topic.name,
                columns=WIDE_CMO if wide else COMPACT_CMO,
                rows=tuple(tuple(_cmo_row(c, data, wide)) for c in items),
                sheet=topic.name,
                widths=() if wide else (0.5, 3, 2.2, 2.6, 2, 2.4),
            )
        )
    if not report.tables():  # a new review: the headings still say what will be here
        columns = WIDE_CMO if wide else COMPACT_CMO
        report.blocks.append(Table("No configurations yet", columns, (), sheet="Configurations"))
    return report


def _value(value: AttributeValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _shown(value: AttributeValue) -> str:
    """A value for reading: a code ("group_sessions") as words, other text as it is."""
    text = _value(value)
    return humanise(text) if "_" in text and " " not in text else text


def interventions_table(data: ReviewData, *, wide: bool = False) -> Report:
    """The interventions with their documents and attributes (the reference review's
    Table 2), and the configurations their evidence speaks to."""
    names = sorted({a for i in data.interventions for a in i.attributes})
    matrix = data.matrices.get("interventions")
    rows: list[list[CellValue]] = []
    for item in data.interventions:
        evidenced = [r for r in matrix.rows if matrix.count(r, f"#{item.number}")] if matrix else []
        documents = [data.document_label(k) for k in item.document_keys]
        if wide:
            rows.append(
                [
                    item.number,
                    item.name,
                    "\n".join(documents),
                    *(_value(item.attributes[n]) if n in item.attributes else None for n in names),
                    ", ".join(evidenced),
                ]
            )
            continue
        attributes = tuple(
            inline(Run(f"{humanise(n)}: ", muted=True), _shown(v))
            for n, v in sorted(item.attributes.items())
        )
        label = f"#{item.number}" + (f" {item.name}" if item.name else "")
        rows.append([label, "\n".join(documents), attributes, ", ".join(evidenced)])
    columns = (
        ("#", "Name", "Documents", *names, "Configurations evidenced")
        if wide
        else ("Intervention", "Documents", "Attributes", "Configurations evidenced")
    )
    table = Table.build(
        "Interventions and their documents",
        columns,
        rows,
        sheet="Interventions",
        widths=() if wide else (0.8, 2.2, 4, 2),
    )
    return Report("Interventions", [table], landscape=wide)


# A criterion earlier decisions cite but new ones may not (see services.criteria).
RETIRED = " (retired)"


def eligibility_table(data: ReviewData, *, wide: bool = False) -> Report:
    """Inclusion and exclusion criteria by dimension (the reference review's Table 1)."""
    if wide:
        table = Table.build(
            "Eligibility criteria",
            ("Code", "Dimension", "Kind", "Criterion"),
            [
                [c.code, humanise(c.dimension), c.kind.value, c.text + RETIRED * c.retired]
                for c in data.criteria
            ],
            sheet="Eligibility",
        )
        return Report("Eligibility criteria", [table])
    dimensions: dict[str, dict[CriterionKind, list[Inline]]] = {}
    for c in data.criteria:
        lines = dimensions.setdefault(c.dimension, {k: [] for k in CriterionKind})
        code = f" ({c.code}{', retired' if c.retired else ''})"
        lines[c.kind].append(inline(c.text, Run(code, muted=True)))
    rows: list[list[CellValue]] = [
        [
            capitalise(humanise(d)),
            tuple(k[CriterionKind.INCLUSION]),
            tuple(k[CriterionKind.EXCLUSION]),
        ]
        for d, k in dimensions.items()
    ]
    table = Table.build(
        "Eligibility criteria",
        ("Dimension", "Inclusion", "Exclusion"),
        rows,
        sheet="Eligibility",
        widths=(1.2, 3, 3),
    )
    return Report("Eligibility criteria", [table])


ANSWER = {MMATAnswer.YES: "Yes", MMATAnswer.NO: "No", MMATAnswer.CANT_TELL: "Can't tell"}


def mmat_table(data: ReviewData, *, wide: bool = False) -> Report:
    """MMAT 2018 appraisals: the screening questions and the five criteria of each
    document's category, with how many were met (MMAT discourages one overall score). A
    mixed methods study has a row for each of its components (qualitative, and one of the
    quantitative categories) after its own, with that category's five criteria."""
    rows: list[list[CellValue]] = []
    for a in sorted(data.mmat, key=lambda a: (a.document_key, a.reviewer_key)):
        answers = [ANSWER[x] for x in a.screening] + [ANSWER[x] for x in a.criteria]
        answers += [""] * (7 - len(answers))
        label = data.document_label(a.document_key)
        rows.append(
            [
                label,
                humanise(a.category.value),
                *answers,
                a.met if a.criteria else None,
                a.reviewer_key,
                a.note,
            ]
        )
        for category, given in a.components.items():
            parts = ["", ""] + [ANSWER[x] for x in given]
            parts += [""] * (7 - len(parts))
            rows.append(
                [
                    label,
                    f"{humanise(a.category.value)}: {humanise(category.value)} component",
                    *parts,
                    a.component_met(category),
                    a.reviewer_key,
                    "",
                ]
            )
    columns = (
        "Document",
        "Category",
        "S1",
        "S2",
        "1",
        "2",
        "3",
        "4",
        "5",
        "Met",
        "Reviewer",
        "Note",
    )
    table = Table.build(
        "MMAT 2018 appraisal",
        columns,
        rows,
        sheet="MMAT",
        widths=() if wide else (2.4, 1.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 1.1, 2),
    )
    blocks: list[Block] = [table]
    if not rows:
        blocks.insert(0, Paragraph(inline("No MMAT appraisals are recorded yet."), role="note"))
    used = sorted(
        {a.category for a in data.mmat} | {c for a in data.mmat for c in a.components},
        key=lambda c: c.value,
    )
    if used and not wide:
        blocks.append(Heading("Questions", level=3))
        blocks.append(BulletList(tuple(inline(q) for q in MMAT_SCREENING_QUESTIONS)))
        for category in used:
            blocks.append(BulletList(tuple(inline(q) for q in MMAT_CRITERIA.get(category, ()))))
    return Report("Quality appraisal (MMAT 2018)", blocks, landscape=True)


def documents_table(data: ReviewData) -> Table:
    """The included documents: type, study design and the interventions they describe."""
    cases: dict[str, list[int]] = {}
    for item in data.interventions:
        for key in item.document_keys:
            cases.setdefault(key, []).append(item.number)
    rows = [
        [
            data.document_label(d.key),
            d.title,
            humanise(d.document_type.value),
            humanise(d.study_design.value) if d.study_design else "not recorded",
            intervention_refs(cases.get(d.key, [])),
        ]
        for d in data.included
    ]
    return Table.build(
        "Included documents",
        ("Document", "Title", "Type", "Design", "Interventions"),
        rows,
        sheet="Documents",
        widths=(1.4, 4, 1.3, 1.3, 1),
    )
