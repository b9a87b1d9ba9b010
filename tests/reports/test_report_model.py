"""The final model in HTML and DOCX: struck-through, CAPITALS, legend, and Word/LibreOffice."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from docx import Document
from report_helpers import NEW_TITLE, docx_text_runs, pdf_text_of_docx

from realist.services.reporting import render_report
from realist.store import Store
from realist.store.events import list_events

STRUCK = {"Peers sharing unhelpful ideas", "Failure of social relationships"}


def test_model_html_strikes_exactly_the_two_unsupported_negatives(demo_store: Store) -> None:
    html = render_report(demo_store, "model", "html").content
    assert isinstance(html, str)
    assert html.count("<del>") == 2
    for title in STRUCK:
        assert f"<del>{title}</del>" in html


def test_model_docx_has_strike_runs_for_unsupported_and_none_for_supported(
    demo_store: Store,
) -> None:
    data = render_report(demo_store, "model", "docx").content
    assert isinstance(data, bytes)
    runs = docx_text_runs(data)
    struck = {text for text, strike in runs if strike}
    assert struck == STRUCK | {"Struck through"}  # the two theories, and the legend's sample
    normal = " ".join(text for text, strike in runs if not strike)
    assert "Lack of validation" in normal  # N1, supported
    assert "Peers sharing unhelpful ideas" not in normal
    everything = " ".join(text for text, _ in runs)
    for expected in (
        "Take-up of peer support",
        "Negative impact on mothers",
        "Legend",
        "Middle-range theories",
        "Social comparison theory",
        "supported: 3 supporting excerpts",
        "not supported: 1 refuting excerpt",
    ):
        assert expected in everything  # fmt: skip


def test_model_new_configuration_is_capitalised_in_html_and_docx(hostile_store: Store) -> None:
    html = render_report(hostile_store, "model", "html").content
    assert isinstance(html, str)
    capitals = "FEELING SAFE ONLINE"
    assert capitals in html or "IF &lt;SCRIPT&gt;" in html
    data = render_report(hostile_store, "model", "docx").content
    assert isinstance(data, bytes)
    runs = docx_text_runs(data)
    # The theory's words are in capitals; a mechanism's kind is a label and stays as it is.
    new = [text.removeprefix("reasoning: ") for text, strike in runs if "SAFE" in text]
    assert new and all(text == text.upper() for text in new)
    assert not any(strike for text, strike in runs if "SAFE" in text)
    assert NEW_TITLE not in " ".join(t for t, _ in runs)  # only its capitalised form


def test_model_docx_converts_with_libreoffice_and_keeps_the_theories(
    demo_store: Store, tmp_path: Path
) -> None:
    data = render_report(demo_store, "model", "docx").content
    assert isinstance(data, bytes)
    text = " ".join(pdf_text_of_docx(data, tmp_path).split())
    for expected in (
        "Final theoretical model",
        "Lack of validation",
        "Distress at endings",
        "Peers sharing unhelpful ideas",
        "Empathetic listening",
    ):
        assert expected in text  # fmt: skip


def test_model_docx_is_deterministic_and_dated_by_the_last_change(demo_store: Store) -> None:
    first = render_report(demo_store, "model", "docx").content
    second = render_report(demo_store, "model", "docx").content
    assert isinstance(first, bytes)
    assert first == second
    with demo_store.reading() as connection:
        last = list_events(connection, limit=1)[0].at
    assert last is not None
    core = Document(io.BytesIO(first)).core_properties
    expected = datetime.fromisoformat(last).replace(microsecond=0, tzinfo=None)
    assert core.modified is not None and core.created is not None
    assert core.modified.replace(tzinfo=None) == expected
    assert core.created.replace(tzinfo=None) == expected
