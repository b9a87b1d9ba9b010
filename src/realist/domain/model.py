"""The final theoretical model, derived from configurations (never retyped).

The reference review's convention: theories in both the initial and the final model in
normal type, initial theories without evidence struck through, and theories new in the
final model in CAPITALS. :func:`realist.domain.theory.final_model_style` decides which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realist.domain.theory import (
    CMOConfiguration,
    MiddleRangeTheory,
    ModelStyle,
    Topic,
    final_model_style,
)

LEGEND = {
    ModelStyle.NORMAL: "in the initial and the final model (supported by the evidence)",
    ModelStyle.STRUCK: "in the initial model, but no evidence was found (struck through)",
    ModelStyle.NEW: "NEW: not in the initial model, found in the evidence (capitals)",
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


def model_text(item: CMOConfiguration, style: ModelStyle) -> str:
    """What a configuration reads as in the model: its statement, else its title."""
    text = item.statement or item.title or f"Configuration {item.identifier}"
    return text.upper() if style is ModelStyle.NEW else text


def derive_model(
    topics: list[Topic],
    configurations: list[CMOConfiguration],
    theories: list[MiddleRangeTheory],
    evidence: dict[str, int],
) -> FinalModel:
    """The final model by topic; inductive ideas the evidence did not bear out are left out."""
    names = {t.key: t.name for t in theories}
    sections = {t.key: ModelSection(t) for t in topics}
    for item in configurations:
        style = final_model_style(item.origin, item.verdict)
        if style is ModelStyle.OMITTED:
            continue
        sections[item.topic_key].entries.append(
            ModelEntry(
                identifier=item.identifier,
                topic_key=item.topic_key,
                style=style,
                text=model_text(item, style),
                partial=item.partial,
                middle_range_theories=tuple(names[k] for k in item.middle_range_theory_keys),
                evidence=evidence.get(item.identifier, 0),
            )
        )
    return FinalModel([s for s in sections.values() if s.entries])
