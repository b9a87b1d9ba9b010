"""The counting sentences reviewers write about their interventions, generated from the data.

"Three interventions offered one-to-one mentoring in person (#2, 3, 20), one offered online
mentoring (#21), and 11 offered group sessions (#1, 4, 7–10, 14–17, 22)." Every number and
every list of intervention numbers in such a sentence is computed from the interventions'
attributes, so the text cannot
disagree with the table. Only the wording of each value is the reviewer's (a *phrasing*);
without one, a plain wording is used ("had delivery “group sessions”").

Rules, and why:

- each intervention counts once per value; a text value listing several ("UK; Canada")
  counts for each, as reviews do when a programme ran in two countries;
- a boolean attribute speaks only of the interventions where it is true;
- a text attribute whose every value is unique (free notes such as attendance figures) is not
  counted: there is nothing to count;
- interventions without a phrased attribute are named ("Country was not recorded for two
  interventions (#8, 17)."), so the counts visibly add up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from realist.domain.documents import AttributeValue, Intervention
from realist.reports.blocks import BulletList, Heading, Paragraph, Report, inline
from realist.reports.wording import (
    capitalise,
    count_word,
    humanise,
    intervention_refs,
    join_clauses,
    plural,
)

__all__ = ["Clause", "InterventionSummary", "Phrasing", "Sentence", "summarise", "summary_report"]


@dataclass(frozen=True)
class Phrasing:
    """How to word one attribute's values.

    ``verb`` is said once per sentence and left out of later clauses ("Eight interventions
    took place in the USA (…), eight in the UK (…)"); leave it empty when each value's
    phrase carries its own verb. ``values`` maps a value to its phrase, in the order the
    sentences should follow; ``default`` words any other value (``{value}`` is replaced).
    ``missing`` words the interventions without the attribute (``{n}`` and ``{refs}``).
    """

    attribute: str
    values: tuple[tuple[str, str], ...] = ()
    verb: str = ""
    default: str = ""
    missing: str = ""
    per_sentence: int = 3
    separator: str = ";"

    def phrase(self, value: str) -> str:
        """The words for one value: its phrase, else the default, else a plain wording."""
        for known, text in self.values:
            if known == value:
                return text
        if self.default:
            return self.default.replace("{value}", value)
        return f"\u201c{humanise(value)}\u201d" if self.verb else f"had {humanise(value)}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phrasing:
        """From the stored shape: ``{"attribute", "verb", "values": [[value, phrase]], ...}``."""
        return cls(
            attribute=str(data["attribute"]),
            values=tuple((str(v), str(p)) for v, p in data.get("values") or []),
            verb=str(data.get("verb") or ""),
            default=str(data.get("default") or ""),
            missing=str(data.get("missing") or ""),
            per_sentence=max(1, int(data.get("per_sentence") or 3)),
            separator=str(data.get("separator") or ";"),
        )

    def as_json(self) -> dict[str, Any]:
        """The stored shape (see :meth:`from_json`)."""
        return {
            "attribute": self.attribute,
            "verb": self.verb,
            "values": [[v, p] for v, p in self.values],
            "default": self.default,
            "missing": self.missing,
            "per_sentence": self.per_sentence,
            "separator": self.separator,
        }


@dataclass(frozen=True)
class Clause:
    """One counted group: a value, its phrase and the interventions that have it."""

    value: str
    phrase: str
    members: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many interventions the clause counts."""
        return len(self.members)


@dataclass(frozen=True)
class Sentence:
    """A generated sentence, with the clauses (counts and members) it was built from."""

    attribute: str
    clauses: tuple[Clause, ...]
    text: str
    missing: bool = False  # the sentence names interventions without the attribute


@dataclass
class InterventionSummary:
    """Every generated sentence about the interventions, in order."""

    total: int
    sentences: list[Sentence] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The ``intervention-summary --json`` shape: the text and every clause's members."""
        return {
            "interventions": self.total,
            "text": " ".join(s.text for s in self.sentences),
            "sentences": [
                {
                    "attribute": s.attribute,
                    "text": s.text,
                    "missing": s.missing,
                    "clauses": [
                        {"value": c.value, "count": c.count, "interventions": list(c.members)}
                        for c in s.clauses
                    ],
                }
                for s in self.sentences
            ],
        }


def _values(value: AttributeValue, separator: str) -> list[str]:
    if isinstance(value, bool):
        return ["true"] if value else []
    if isinstance(value, str):
        return [v.strip() for v in value.split(separator) if v.strip()]
    return [str(value)]


def _groups(
    interventions: list[Intervention], phrasing: Phrasing
) -> tuple[dict[str, list[int]], list[int]]:
    """Value -> interventions with it, and the interventions without the attribute (none
    for a flag: an intervention without a true/false flag simply does not have it)."""
    groups: dict[str, list[int]] = defaultdict(list)
    missing = []
    flag = False
    for item in interventions:
        if phrasing.attribute not in item.attributes:
            missing.append(item.number)
            continue
        value = item.attributes[phrasing.attribute]
        flag = flag or isinstance(value, bool)
        for text in _values(value, phrasing.separator):
            groups[text].append(item.number)
    return groups, [] if flag else missing


def _clause_text(clause: Clause, phrasing: Phrasing, first: bool) -> str:
    refs = f" ({intervention_refs(clause.members)})"
    if first:
        n = count_word(clause.count, sentence_start=True)
        verb = f" {phrasing.verb}" if phrasing.verb else ""
        return f"{n} {plural(clause.count, 'intervention')}{verb} {clause.phrase}{refs}"
    return f"{count_word(clause.count)} {clause.phrase}{refs}"


def _sentences(interventions: list[Intervention], phrasing: Phrasing) -> list[Sentence]:
    groups, missing = _groups(interventions, phrasing)
    order = [v for v, _ in phrasing.values if v in groups]
    order += sorted((v for v in groups if v not in order), key=lambda v: (-len(groups[v]), v))
    clauses = [Clause(v, phrasing.phrase(v), tuple(sorted(groups[v]))) for v in order]
    found = []
    for start in range(0, len(clauses), phrasing.per_sentence):
        chunk = clauses[start : start + phrasing.per_sentence]
        parts = [_clause_text(c, phrasing, i == 0) for i, c in enumerate(chunk)]
        found.append(Sentence(phrasing.attribute, tuple(chunk), join_clauses(parts) + "."))
    if missing and clauses:
        gap = Clause("", "", tuple(missing))
        n, refs = len(missing), intervention_refs(missing)
        text = (
            phrasing.missing.replace("{n}", count_word(n)).replace("{refs}", refs)
            if phrasing.missing
            else f"{capitalise(humanise(phrasing.attribute))} was not recorded for "
            f"{count_word(n)} {plural(n, 'intervention')} ({refs})."
        )
        found.append(Sentence(phrasing.attribute, (gap,), capitalise(text), missing=True))
    return found


def countable(interventions: list[Intervention], attribute: str) -> bool:
    """Whether an attribute without a phrasing is worth counting: a true/false flag, or
    values that at least two interventions share."""
    values = [i.attributes[attribute] for i in interventions if attribute in i.attributes]
    if any(isinstance(v, bool) for v in values):
        return any(v is True for v in values)
    if any(isinstance(v, int | float) for v in values):
        return False  # numbers (a year, a reference to another intervention) are not categories
    groups, _ = _groups(interventions, Phrasing(attribute))
    return any(len(members) > 1 for members in groups.values())


def _plain_phrasing(interventions: list[Intervention], attribute: str) -> Phrasing:
    """The wording used until a reviewer gives one: "had NAME" for a flag, else
    "had NAME “VALUE”"."""
    flag = any(isinstance(i.attributes.get(attribute), bool) for i in interventions)
    if flag:
        return Phrasing(attribute, values=(("true", f"had {humanise(attribute)}"),))
    return Phrasing(attribute, verb=f"had {humanise(attribute)}")


def summarise(
    interventions: Iterable[Intervention],
    phrasings: Iterable[Phrasing] = (),
    *,
    unphrased: bool | None = None,
) -> InterventionSummary:
    """Counting sentences for each phrased attribute, in the phrasings' order; then, if
    ``unphrased``, for every other countable attribute (by name) in plain wording. By
    default unphrased attributes are counted only when no phrasing is given at all: once a
    reviewer words some attributes, the summary says what they chose to say."""
    items = sorted(interventions, key=lambda i: i.number)
    chosen = list(phrasings)
    if unphrased or (unphrased is None and not chosen):
        named = {p.attribute for p in chosen}
        others = sorted({a for i in items for a in i.attributes} - named)
        chosen += [_plain_phrasing(items, a) for a in others if countable(items, a)]
    summary = InterventionSummary(total=len(items))
    for phrasing in chosen:
        summary.sentences += _sentences(items, phrasing)
    return summary


def summary_report(summary: InterventionSummary, title: str = "Summary of interventions") -> Report:
    """The summary as a report: one paragraph per attribute, a note on how it was made."""
    report = Report(title)
    by_attribute: dict[str, list[str]] = defaultdict(list)
    for s in summary.sentences:
        by_attribute[s.attribute].append(s.text)
    for texts in by_attribute.values():
        report.blocks.append(Paragraph(inline(" ".join(texts))))
    if not summary.sentences:
        report.blocks.append(Paragraph(inline("No intervention attributes to summarise yet.")))
    report.blocks.append(
        Paragraph(
            inline(
                f"Generated from the attributes of {summary.total} "
                f"{plural(summary.total, 'intervention')}: every count and every list of "
                "numbers is computed, so the text always matches the intervention table."
            ),
            role="note",
        )
    )
    return report


def summary_blocks(summary: InterventionSummary) -> list[Heading | Paragraph | BulletList]:
    """The summary's paragraphs, for embedding in a longer report."""
    return [b for b in summary_report(summary).blocks if isinstance(b, Paragraph)]
