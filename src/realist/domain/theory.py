"""Programme theory: CMO configurations, their components, middle-range theories and memos.

A configuration is the first-class object of a realist review: *in this context, this
mechanism fires, producing this outcome*. The final theoretical model is derived from the
configurations' origins and verdicts (see :func:`final_model_style`), never retyped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What part of a configuration a component, or a coding, is about."""

    CONTEXT = "context"
    MECHANISM = "mechanism"
    OUTCOME = "outcome"
    CONFIGURATION = "configuration"  # the configuration as a whole (codings only)


class MechanismKind(StrEnum):
    """Dalkin et al.'s split: the resource a programme offers, and the reasoning it triggers."""

    RESOURCE = "resource"
    REASONING = "reasoning"


def parse_mechanism(text: str) -> tuple[str, MechanismKind | None]:
    """A mechanism as a reviewer types it: "reasoning: feels safe" or "resource:home visits"
    gives the kind and the text; anything else is the text alone. The one rule every
    command and form uses."""
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() in (k.value for k in MechanismKind):
        return rest.strip(), MechanismKind(kind.strip().lower())
    return text.strip(), None


class Origin(StrEnum):
    INITIAL = "initial"  # in the initial theoretical model (coded deductively)
    INDUCTIVE = "inductive"  # found in the evidence, new in the final model


class Verdict(StrEnum):
    SUPPORTED = "supported"
    NOT_SUPPORTED = "not_supported"
    REFINED = "refined"


@dataclass
class Topic:
    """A group of configurations (e.g. uptake of a programme, its benefits, its harms)."""

    key: str
    name: str
    position: int = 0
    negative: bool = False  # its configurations explain harms: risks to guard against
    id: int | None = None


@dataclass
class Component:
    """One context, mechanism or outcome of a configuration."""

    role: Role
    text: str
    kind: MechanismKind | None = None  # mechanisms only, where known
    position: int = 0
    id: int | None = None


@dataclass
class MiddleRangeTheory:
    """A theory from the literature that explains mechanisms (e.g. social comparison)."""

    key: str
    name: str
    description: str = ""
    # Where it comes from: the review's reference numbers ("40") or references as written.
    references: list[str] = field(default_factory=list)
    id: int | None = None


@dataclass
class CMOConfiguration:
    """A context-mechanism-outcome configuration of the programme theory."""

    identifier: str  # stable, human identifier ("1", "14", "N3")
    topic_key: str
    title: str = ""
    statement: str = ""  # If ... then ..., because ...
    components: list[Component] = field(default_factory=list)
    origin: Origin = Origin.INITIAL
    partial: bool = False  # a context and mechanism without an outcome
    verdict: Verdict | None = None
    rationale: str = ""
    source_note: str = ""
    middle_range_theory_keys: list[str] = field(default_factory=list)
    intervention_numbers: list[int] = field(default_factory=list)
    position: int = 0
    id: int | None = None

    def of_role(self, role: Role) -> list[Component]:
        """Components of one role, in their order."""
        return sorted((c for c in self.components if c.role is role), key=lambda c: c.position)

    @property
    def contexts(self) -> list[Component]:
        return self.of_role(Role.CONTEXT)

    @property
    def mechanisms(self) -> list[Component]:
        return self.of_role(Role.MECHANISM)

    @property
    def outcomes(self) -> list[Component]:
        return self.of_role(Role.OUTCOME)


class Standing(StrEnum):
    """Where a configuration stands after testing: the realist distinctions kept apart
    everywhere (model, legend, board, reports). A verdict is the reviewer's; without one,
    the evidence coded decides between untested and awaiting a verdict."""

    UNTESTED = "untested"  # no evidence coded
    AWAITING_VERDICT = "awaiting_verdict"  # evidence coded, not judged yet
    SUPPORTED = "supported"
    REFINED = "refined"  # supported, with evidence that refines it
    NOT_SUPPORTED = "not_supported"  # tested: the evidence refutes it or does not bear it out


STANDING_LABELS = {
    Standing.UNTESTED: "untested",
    Standing.AWAITING_VERDICT: "awaiting a verdict",
    Standing.SUPPORTED: "supported",
    Standing.REFINED: "refined",
    Standing.NOT_SUPPORTED: "not supported",
}

STANDING_MEANINGS = {
    Standing.UNTESTED: "no evidence has been coded to it",
    Standing.AWAITING_VERDICT: "evidence is coded but the reviewers have not judged it yet",
    Standing.SUPPORTED: "the evidence supports it",
    Standing.REFINED: "the evidence supports it and refines it",
    Standing.NOT_SUPPORTED: "tested against the evidence coded, which refutes it or does not "
    "bear it out",
}


def standing(verdict: Verdict | None, excerpts: int) -> Standing:
    """Where a configuration stands: its verdict, else untested (no evidence coded) or
    awaiting a verdict (evidence coded)."""
    if verdict is not None:
        return Standing(verdict.value)
    return Standing.AWAITING_VERDICT if excerpts else Standing.UNTESTED


_STANCE_WORDS = (("supports", "supporting"), ("refines", "refining"), ("refutes", "refuting"))


def describe_standing(state: Standing, stances: Mapping[str, int]) -> str:
    """A configuration's standing with the evidence behind it, as a reader should see it:
    "untested: no evidence coded", "not supported: 1 refuting excerpt", "supported: 3
    supporting excerpts". ``stances``: distinct excerpts by stance."""
    label = STANDING_LABELS[state]
    if state is Standing.UNTESTED:
        return f"{label}: no evidence coded"
    parts = [f"{stances[stance]} {word}" for stance, word in _STANCE_WORDS if stances.get(stance)]
    if not parts:
        return f"{label}: no evidence coded"
    last = parts[-1].split(" ", 1)[0]
    noun = "excerpt" if last == "1" else "excerpts"
    return f"{label}: {', '.join(parts)} {noun}"


class ModelStyle(StrEnum):
    """How a configuration appears in the final theoretical model (the paper's fonts)."""

    NORMAL = "normal"  # in the initial model and supported (or refined)
    STRUCK = "struck"  # in the initial model, not supported by evidence (untested or refuted)
    NEW = "new"  # not in the initial model, found in the evidence: CAPITALS
    OMITTED = "omitted"  # an inductive idea the evidence did not bear out


def final_model_style(origin: Origin, verdict: Verdict | None) -> ModelStyle:
    """The paper's rule: normal if initial and supported, struck if initial and not
    supported by evidence, capitals if new. Struck covers both an untested initial theory
    (no evidence coded) and one the evidence refutes: the final model claims only what the
    evidence bears, and its entries say which (see :func:`describe_standing`)."""
    supported = verdict in (Verdict.SUPPORTED, Verdict.REFINED)
    if origin is Origin.INITIAL:
        return ModelStyle.NORMAL if supported else ModelStyle.STRUCK
    return ModelStyle.NEW if supported else ModelStyle.OMITTED


@dataclass
class Memo:
    """A note on a configuration or on the review; earlier versions are kept."""

    subject: str  # e.g. "configuration:N3" or "review"
    text: str
    reviewer_key: str
    version: int = 1
    created_at: str | None = None
    id: int | None = None


@dataclass
class ConfigurationVersion:
    """A snapshot of a configuration before an edit: the theory's history."""

    identifier: str
    version: int
    snapshot: dict[str, object]
    reviewer_key: str
    why: str = ""
    created_at: str | None = None
