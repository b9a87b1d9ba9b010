"""The counting sentences reviewers write about their interventions, generated from the data.

"Three interventions offered one-to-one mentoring in person (#2, 3, 20), one offered online
mentoring (#21), and 11 offered group sessions (#1, 4, 7–10, 14–17, 22)." Every number and
every list of intervention numbers in such a sentence is computed from the interventions'
attributes, so the text cannot
disagree with the table. Only the wording of each value is the reviewer's (a *phrasing*);
without one, a plain wording is used ("had delivery “group sessions”").

Rules, and why:

- every attribute of every intervention is said: text, numbers and true/false alike, in
  the phrasings' order and then by name (an attribute nobody worded in plain wording);
- one attribute is one sentence, however many values it has, unless its phrasing asks for
  a sentence every ``per_sentence`` values (the demo does, to read as the paper reads);
- each intervention counts once per value; a text value listing several ("UK; Canada")
  counts for each, as reviews do when a programme ran in two countries;
- a true/false attribute counts where it is true, then where it is false ("... and two did
  not (#4, 5)"); an intervention without it is not counted (it simply lacks the flag);
- interventions without any other attribute are named ("Country was not recorded for two
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
    ``per_sentence`` starts a new sentence every so many values (0: one sentence).
    """

    attribute: str
    values: tuple[tuple[str, str], ...] = ()
    verb: str = ""
    default: str = ""
    missing: str = ""
    per_sentence: int = 0
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
            per_sentence=max(0, int(data.get("per_sentence") or 0)),
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
        return ["true" if value else "false"]
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
        texts = _values(value, phrasing.separator)
        if not texts:  # an empty text ("", " ; ") is no value: named as not recorded
            missing.append(item.number)
        for text in texts:
            groups[text].append(item.number)
    return groups, [] if flag else missing


def _clause_text(clause: Clause, phrasing: Phrasing, first: bool) -> str:
    refs = f" ({intervention_refs(clause.members)})"
    if first:
        n = count_word(clause.count, sentence_start=True)
        verb = f" {phrasing.verb}" if phrasing.verb else ""
        return f"{n} {plural(clause.count, 'intervention')}{verb} {clause.phrase}{refs}"
    return f"{count_word(clause.count)} {clause.phrase}{refs}"


def _phrase(phrasing: Phrasing, value: str, flag: bool, order: list[str]) -> str:
    """A value's words; a flag's "false" without words of its own is "did not" after the
    interventions where it is true, and says what it denies when it stands alone."""
    if not flag or value != "false" or any(v == "false" for v, _ in phrasing.values):
        return phrasing.phrase(value)
    if "true" in order:
        return "did not"
    return f"did not have {humanise(phrasing.attribute)}"


def _sentences(interventions: list[Intervention], phrasing: Phrasing) -> list[Sentence]:
    groups, missing = _groups(interventions, phrasing)
    flag = any(isinstance(i.attributes.get(phrasing.attribute), bool) for i in interventions)
    order = [v for v, _ in phrasing.values if v in groups]
    rest = sorted((v for v in groups if v not in order), key=lambda v: (-len(groups[v]), v))
    order += sorted(rest, key=lambda v: v == "false") if flag else rest  # "did not" last
    clauses = [
        Clause(v, _phrase(phrasing, v, flag, order), tuple(sorted(groups[v]))) for v in order
    ]
    found = []
    size = phrasing.per_sentence or len(clauses) or 1
    for start in range(0, len(clauses), size):
        chunk = clauses[start : start + size]
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


def _plain_phrasing(interventions: list[Intervention], attribute: str) -> Phrasing:
    """The wording used until a reviewer gives one: "had NAME" and "did not" for a flag,
    else "had NAME “VALUE”"."""
    flag = any(isinstance(i.attributes.get(attribute), bool) for i in interventions)
    if flag:
        return Phrasing(attribute, values=(("true", f"had {humanise(attribute)}"),))
    return Phrasing(attribute, verb=f"had {humanise(attribute)}")


def summarise(
    interventions: Iterable[Intervention],
    phrasings: Iterable[Phrasing] = (),
    *,
    unphrased: bool = True,
) -> InterventionSummary:
    """Counting sentences for each phrased attribute, in the phrasings' order; then, unless
    ``unphrased`` is false, for every other attribute (by name) in plain wording, so that
    no attribute of any intervention goes unsaid."""
    items = sorted(interventions, key=lambda i: i.number)
    chosen = list(phrasings)
    if unphrased:
        named = {p.attribute for p in chosen}
        others = sorted({a for i in items for a in i.attributes} - named)
        chosen += [_plain_phrasing(items, a) for a in others]
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
