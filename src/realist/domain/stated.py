"""Counts a review's own text states, and how to compute each from the data.

A review's report says "23 peer-reviewed articles" or "11 offered group support"; `realist
check` compares each such stated count with the data. How a count is computed is part of
the stated count (a :class:`CountRule`, kept with it in the store), so the checker knows
nothing of any one review's attributes or topics.

A rule is a small JSON object:

- ``{"of": "documents"}``: included documents; may add ``"document_type"`` and/or
  ``"study_design"``;
- ``{"of": "interventions"}``: interventions; may add ``"attribute"`` (those that have it)
  and ``"value"`` (those whose attribute has that value);
- ``{"of": "configurations"}``: configurations; may add ``"topic"`` (a topic key),
  ``"verdict"`` (only that verdict; ``"untested"`` for none) or ``"verdict_not"`` (any
  other).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from realist.domain.documents import (
    AttributeValue,
    Document,
    DocumentType,
    Intervention,
    StudyDesign,
)
from realist.domain.theory import CMOConfiguration, Verdict

__all__ = ["CountRule", "RuleError"]

_KEYS = {
    "documents": {"of", "document_type", "study_design"},
    "interventions": {"of", "attribute", "value"},
    "configurations": {"of", "topic", "verdict", "verdict_not"},
}
_VERDICTS = {v.value for v in Verdict} | {"untested"}


class RuleError(ValueError):
    """A rule that cannot be read: it names what is wrong."""


@dataclass(frozen=True)
class CountRule:
    """How one stated count is computed from the data."""

    of: str
    where: tuple[tuple[str, str | float | bool], ...] = ()

    @classmethod
    def from_json(cls, value: object) -> CountRule:
        """A rule from its JSON object; RuleError says what is wrong with it."""
        if not isinstance(value, Mapping):
            raise RuleError('a count rule is an object such as {"of": "documents"}')
        of = value.get("of")
        if of not in _KEYS:
            raise RuleError(f"a count rule counts one of {', '.join(_KEYS)}, not {of!r}")
        unknown = sorted(set(value) - _KEYS[str(of)])
        if unknown:
            raise RuleError(f"a rule counting {of} has no {unknown[0]!r}")
        where = tuple(sorted((str(k), v) for k, v in value.items() if k != "of"))
        for key, item in where:
            if not isinstance(item, str | int | float | bool):
                raise RuleError(f"{key!r} must be a single value")
        rule = cls(str(of), where)
        rule._check_values()
        return rule

    def as_json(self) -> dict[str, object]:
        """The rule as its JSON object."""
        return {"of": self.of, **dict(self.where)}

    def _check_values(self) -> None:
        given = dict(self.where)
        kinds = {t.value for t in DocumentType}
        designs = {d.value for d in StudyDesign}
        if "document_type" in given and given["document_type"] not in kinds:
            raise RuleError(f"no document type {given['document_type']!r}")
        if "study_design" in given and given["study_design"] not in designs:
            raise RuleError(f"no study design {given['study_design']!r}")
        for key in ("verdict", "verdict_not"):
            if key in given and given[key] not in _VERDICTS:
                raise RuleError(f"no verdict {given[key]!r}")
        if "value" in given and "attribute" not in given:
            raise RuleError("a rule with a 'value' names its 'attribute'")

    def count(
        self,
        documents: Sequence[Document],
        interventions: Sequence[Intervention],
        configurations: Sequence[CMOConfiguration],
    ) -> int:
        """The count in the data (``documents`` are the included ones)."""
        given = dict(self.where)
        if self.of == "documents":
            return sum(1 for d in documents if _document_matches(d, given))
        if self.of == "interventions":
            return sum(1 for i in interventions if _intervention_matches(i, given))
        return sum(1 for c in configurations if _configuration_matches(c, given))

    @property
    def counts_designs(self) -> bool:
        """Whether the rule counts documents by study design (some may have none yet)."""
        return self.of == "documents" and any(k == "study_design" for k, _ in self.where)


def _document_matches(d: Document, given: Mapping[str, object]) -> bool:
    if "document_type" in given and d.document_type.value != given["document_type"]:
        return False
    design = d.study_design.value if d.study_design else None
    return "study_design" not in given or design == given["study_design"]


def _same(value: AttributeValue, wanted: object) -> bool:
    # Values keep their type (a YAML or JSON number, a flag); compare as the store reads them.
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    return value == wanted or str(value) == str(wanted)


def _intervention_matches(i: Intervention, given: Mapping[str, object]) -> bool:
    if "attribute" not in given:
        return True
    name = str(given["attribute"])
    if name not in i.attributes:
        return False
    return "value" not in given or _same(i.attributes[name], given["value"])


def _configuration_matches(c: CMOConfiguration, given: Mapping[str, object]) -> bool:
    if "topic" in given and c.topic_key != given["topic"]:
        return False
    verdict = c.verdict.value if c.verdict else "untested"
    if "verdict" in given and verdict != given["verdict"]:
        return False
    return "verdict_not" not in given or verdict != given["verdict_not"]
