"""Appraisal: MMAT 2018 for whole documents; relevance and rigour for each excerpt."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from realist.domain.documents import StudyDesign


class Grade(StrEnum):
    """Relevance and rigour of a piece of evidence, as realist appraisal judges them."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"low": 1, "moderate": 2, "high": 3}[self.value]


class MMATAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    CANT_TELL = "cant_tell"


MMAT_SCREENING_QUESTIONS = (
    "S1. Are there clear research questions?",
    "S2. Do the collected data allow to address the research questions?",
)

# The five criteria of each MMAT 2018 category (Hong et al. 2018).
MMAT_CRITERIA: dict[StudyDesign, tuple[str, ...]] = {
    StudyDesign.QUALITATIVE: (
        "1.1. Is the qualitative approach appropriate to answer the research question?",
        "1.2. Are the qualitative data collection methods adequate to address the research question?",
        "1.3. Are the findings adequately derived from the data?",
        "1.4. Is the interpretation of results sufficiently substantiated by data?",
        "1.5. Is there coherence between qualitative data sources, collection, analysis and interpretation?",
    ),
    StudyDesign.RANDOMISED_CONTROLLED_TRIAL: (
        "2.1. Is randomization appropriately performed?",
        "2.2. Are the groups comparable at baseline?",
        "2.3. Are there complete outcome data?",
        "2.4. Are outcome assessors blinded to the intervention provided?",
        "2.5. Did the participants adhere to the assigned intervention?",
    ),
    StudyDesign.NON_RANDOMISED: (
        "3.1. Are the participants representative of the target population?",
        "3.2. Are measurements appropriate regarding both the outcome and intervention (or exposure)?",
        "3.3. Are there complete outcome data?",
        "3.4. Are the confounders accounted for in the design and analysis?",
        "3.5. During the study period, is the intervention administered (or exposure occurred) as intended?",
    ),
    StudyDesign.QUANTITATIVE_DESCRIPTIVE: (
        "4.1. Is the sampling strategy relevant to address the research question?",
        "4.2. Is the sample representative of the target population?",
        "4.3. Are the measurements appropriate?",
        "4.4. Is the risk of nonresponse bias low?",
        "4.5. Is the statistical analysis appropriate to answer the research question?",
    ),
    StudyDesign.MIXED_METHODS: (
        "5.1. Is there an adequate rationale for using a mixed methods design to address the research question?",
        "5.2. Are the different components of the study effectively integrated to answer the research question?",
        "5.3. Are the outputs of the integration of qualitative and quantitative components adequately interpreted?",
        "5.4. Are divergences and inconsistencies between quantitative and qualitative results adequately addressed?",
        "5.5. Do the different components of the study adhere to the quality criteria of each tradition of the methods involved?",
    ),
}


# A mixed methods study (MMAT 2018, section 5) is also appraised by the criteria of its
# qualitative component (section 1) and of its quantitative component (2, 3 or 4).
MMAT_QUALITATIVE_COMPONENT = StudyDesign.QUALITATIVE
MMAT_QUANTITATIVE_COMPONENTS = (
    StudyDesign.RANDOMISED_CONTROLLED_TRIAL,
    StudyDesign.NON_RANDOMISED,
    StudyDesign.QUANTITATIVE_DESCRIPTIVE,
)
MMAT_COMPONENTS = (MMAT_QUALITATIVE_COMPONENT, *MMAT_QUANTITATIVE_COMPONENTS)


@dataclass
class MMATAppraisal:
    """An MMAT 2018 appraisal of one document by one reviewer. A mixed methods study has,
    beside the five criteria of section 5, the five answers of each of its components:
    ``{qualitative: [...], non_randomised: [...]}`` (one quantitative category)."""

    document_key: str
    category: StudyDesign
    screening: list[MMATAnswer]
    criteria: list[MMATAnswer] = field(default_factory=list)
    reviewer_key: str = ""
    note: str = ""
    id: int | None = None
    components: dict[StudyDesign, list[MMATAnswer]] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """MMAT's own rules: two screening answers; five criteria only when both are yes;
        and a mixed methods study's criteria come with its qualitative component and exactly
        one quantitative component, five answers each (no other category has components)."""
        found = []
        if self.category not in MMAT_CRITERIA:
            found.append(f"MMAT has no criteria for {self.category.value}")
        if len(self.screening) != 2:
            found.append("MMAT needs exactly two screening answers (S1, S2)")
        passed = all(a is MMATAnswer.YES for a in self.screening)
        if self.criteria and len(self.criteria) != 5:
            found.append("MMAT needs exactly five criteria answers")
        if (self.criteria or self.components) and not passed:
            found.append("MMAT criteria are only answered when both screening questions are yes")
        return found + self._component_problems()

    def _component_problems(self) -> list[str]:
        mixed = self.category is StudyDesign.MIXED_METHODS
        if self.components and not mixed:
            return ["only a mixed methods study has components to appraise"]
        found = []
        for category, answers in self.components.items():
            if category not in MMAT_COMPONENTS:
                found.append(
                    f"a mixed methods study's components are qualitative and one of "
                    f"{', '.join(c.value for c in MMAT_QUANTITATIVE_COMPONENTS)}, "
                    f"not {category.value}"
                )
            elif len(answers) != 5:
                found.append(f"the {category.value} component needs exactly five answers")
        quantitative = [c for c in MMAT_QUANTITATIVE_COMPONENTS if c in self.components]
        if len(quantitative) > 1:
            found.append(
                "a mixed methods study has one quantitative component, not "
                + " and ".join(c.value for c in quantitative)
            )
        if mixed and (self.criteria or self.components):
            if not self.criteria:
                found.append("answer the five mixed methods criteria (5.1-5.5) too")
            if MMAT_QUALITATIVE_COMPONENT not in self.components:
                found.append("a mixed methods appraisal needs its qualitative component (1.1-1.5)")
            if not quantitative:
                found.append(
                    "a mixed methods appraisal needs its quantitative component "
                    "(randomised_controlled_trial, non_randomised or quantitative_descriptive)"
                )
        return found

    @property
    def met(self) -> int:
        """How many of the five criteria were met (MMAT discourages one overall score)."""
        return sum(1 for a in self.criteria if a is MMATAnswer.YES)

    @property
    def quantitative_component(self) -> StudyDesign | None:
        """The quantitative category of a mixed methods study's appraisal, if answered."""
        return next((c for c in self.components if c in MMAT_QUANTITATIVE_COMPONENTS), None)

    def component_met(self, category: StudyDesign) -> int:
        """How many of one component's five criteria were met."""
        return sum(1 for a in self.components.get(category, []) if a is MMATAnswer.YES)
