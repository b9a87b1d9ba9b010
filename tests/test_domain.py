"""Pure domain rules: no store, no CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from realist.domain.appraisal import MMATAnswer, MMATAppraisal
from realist.domain.coding import span_problems
from realist.domain.documents import Document, StudyDesign, text_hash
from realist.domain.review import ConceptBlock, SearchStrategy
from realist.domain.screening import Decision, ScreeningDecision, Stage
from realist.domain.theory import ModelStyle, Origin, Verdict, final_model_style

SRC = Path(__file__).resolve().parents[1] / "src" / "realist"


def test_final_model_style_follows_the_papers_fonts() -> None:
    assert final_model_style(Origin.INITIAL, Verdict.SUPPORTED) is ModelStyle.NORMAL
    assert final_model_style(Origin.INITIAL, Verdict.REFINED) is ModelStyle.NORMAL
    assert final_model_style(Origin.INITIAL, Verdict.NOT_SUPPORTED) is ModelStyle.STRUCK
    assert final_model_style(Origin.INITIAL, None) is ModelStyle.STRUCK
    assert final_model_style(Origin.INDUCTIVE, Verdict.SUPPORTED) is ModelStyle.NEW
    assert final_model_style(Origin.INDUCTIVE, Verdict.NOT_SUPPORTED) is ModelStyle.OMITTED


def test_full_text_exclusion_needs_a_criterion() -> None:
    bare = ScreeningDecision(1, Stage.FULL_TEXT, Decision.EXCLUDE, "jm")
    assert bare.problems() == ["a full-text exclusion must cite an eligibility criterion"]
    cited = ScreeningDecision(1, Stage.FULL_TEXT, Decision.EXCLUDE, "jm", criterion_code="E1")
    assert cited.problems() == []
    title_stage = ScreeningDecision(1, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "jm")
    assert title_stage.problems() == []
    include_with_reason = ScreeningDecision(1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "jm", "E1")
    assert include_with_reason.problems() == ["only an exclusion cites a criterion as its reason"]


def test_mmat_rules() -> None:
    yes, no = MMATAnswer.YES, MMATAnswer.NO
    good = MMATAppraisal("d", StudyDesign.QUALITATIVE, [yes, yes], [yes, yes, no, yes, yes])
    assert good.problems() == [] and good.met == 4
    failed_screen = MMATAppraisal("d", StudyDesign.QUALITATIVE, [yes, no], [yes] * 5)
    assert "both screening questions" in failed_screen.problems()[0]
    process = MMATAppraisal("d", StudyDesign.PROCESS_DESCRIPTION, [yes, yes])
    assert process.problems() == ["MMAT has no criteria for process_description"]


def test_span_rules_count_code_points() -> None:
    text = "naïve 😀 mothers"
    assert span_problems(text, 6, 7, "😀") == []  # one code point, not two UTF-16 units
    assert span_problems(text, 3, 3) == ["span 3:3 must satisfy 0 <= start < end"]
    assert "runs past the end" in span_problems(text, 0, 99)[0]
    assert "does not match" in span_problems(text, 0, 5, "naive")[0]


def test_document_hashes_its_text() -> None:
    doc = Document(key="k", title="t", text="abc")
    assert doc.text_sha256 == text_hash("abc") != text_hash("abd")


def test_search_strategy_query() -> None:
    strategy = SearchStrategy(
        concept_blocks=[
            ConceptBlock("population", ["Perinatal", "Pregnan*"]),
            ConceptBlock("intervention", ["Peer support*", "self-help"]),
        ]
    )
    assert strategy.query() == '(Perinatal OR Pregnan*) AND ("Peer support*" OR self-help)'


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_dependencies_point_one_way() -> None:
    """domain imports no other layer; services never import cli or web."""
    forbidden = {
        "domain": (
            "realist.store",
            "realist.services",
            "realist.cli",
            "realist.web",
            "realist.reports",
            "realist.importers",
            "sqlalchemy",
            "click",
        ),
        "store": ("realist.services", "realist.cli", "realist.web"),
        "services": ("realist.cli", "realist.web"),
    }
    for layer, banned in forbidden.items():
        for path in (SRC / layer).rglob("*.py"):
            bad = [m for m in _imports(path) if m.startswith(banned)]
            assert not bad, f"{path.relative_to(SRC)} imports {bad}"
