"""The final theoretical model, derived from configurations (never retyped).

The reference review's convention: theories in both the initial and the final model in
normal type, initial theories without evidence struck through, and theories new in the
final model in CAPITALS. :func:`realist.domain.theory.final_model_style` decides which.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from realist.domain.theory import (
    CMOConfiguration,
    MiddleRangeTheory,
    ModelStyle,
    Role,
    Standing,
    Topic,
    describe_standing,
    final_model_style,
    standing,
)

LEGEND = {
    ModelStyle.NORMAL: "in the initial and the final model: supported (or refined) by the "
    "evidence (normal type)",
    ModelStyle.STRUCK: "in the initial theory but not supported by evidence: untested (no "
    "evidence coded) or not supported (struck through)",
    ModelStyle.NEW: "NEW: not in the initial theory, found in the evidence (capitals)",
}


@dataclass(frozen=True)
class ModelEntry:
    identifier: str
    topic_key: str
    style: ModelStyle
    text: str  # the statement (or title), in the case the style asks for
    partial: bool
    middle_range_theories: tuple[str, ...]
    evidence: int  # distinct excerpts coded to it
    standing: Standing = Standing.UNTESTED
    status: str = ""  # the standing with its evidence ("not supported: 1 refuting excerpt")
    contexts: tuple[str, ...] = ()  # in the case the style asks for, like ``text``
    mechanisms: tuple[str, ...] = ()  # "reasoning: ..." when the kind is known
    outcomes: tuple[str, ...] = ()

    def parts(self) -> list[tuple[str, str]]:
        """(label, text) of its contexts, mechanisms and outcomes, in that order."""
        return [
            *(("C", t) for t in self.contexts),
            *(("M", t) for t in self.mechanisms),
            *(("O", t) for t in self.outcomes),
        ]


@dataclass
class ModelSection:
    topic: Topic
    entries: list[ModelEntry] = field(default_factory=list)


@dataclass
class FinalModel:
    sections: list[ModelSection]
    legend: dict[ModelStyle, str] = field(default_factory=lambda: dict(LEGEND))

    def entries(self) -> list[ModelEntry]:
        return [e for s in self.sections for e in s.entries]

    def count(self, style: ModelStyle) -> int:
        return sum(1 for e in self.entries() if e.style is style)


def _case(text: str, style: ModelStyle) -> str:
    return text.upper() if style is ModelStyle.NEW else text


def model_text(item: CMOConfiguration, style: ModelStyle) -> str:
    """What a configuration reads as in the model: its statement, else its title."""
    return _case(item.statement or item.title or f"Configuration {item.identifier}", style)


def _mechanism(text: str, kind: str | None) -> str:
    return f"{kind}: {text}" if kind else text


def derive_model(
    topics: list[Topic],
    configurations: list[CMOConfiguration],
    theories: list[MiddleRangeTheory],
    evidence: Mapping[str, Mapping[str, int]],
) -> FinalModel:
    """The final model by topic; inductive ideas the evidence did not bear out are left out.
    ``evidence``: per configuration, distinct excerpts by stance and "excerpts" overall.
    Each entry keeps its contexts, mechanisms and outcomes (so a configuration without a
    statement still reads as C, M and O) and says where it stands and on what evidence."""
    names = {t.key: t.name for t in theories}
    sections = {t.key: ModelSection(t) for t in topics}
    for item in configurations:
        style = final_model_style(item.origin, item.verdict)
        if style is ModelStyle.OMITTED:
            continue
        stances = evidence.get(item.identifier, {})
        excerpts = int(stances.get("excerpts", 0))
        state = standing(item.verdict, excerpts)
        sections[item.topic_key].entries.append(
            ModelEntry(
                identifier=item.identifier,
                topic_key=item.topic_key,
                style=style,
                text=model_text(item, style),
                partial=item.partial,
                middle_range_theories=tuple(names[k] for k in item.middle_range_theory_keys),
                evidence=excerpts,
                standing=state,
                status=describe_standing(state, stances),
                contexts=tuple(_case(c.text, style) for c in item.of_role(Role.CONTEXT)),
                mechanisms=tuple(
                    _mechanism(_case(m.text, style), m.kind.value if m.kind else None)
                    for m in item.of_role(Role.MECHANISM)
                ),
                outcomes=tuple(_case(o.text, style) for o in item.of_role(Role.OUTCOME)),
            )
        )
    return FinalModel([s for s in sections.values() if s.entries])
