"""The filters templates share: counts in words, and readable labels for stored codes."""

from __future__ import annotations

from realist.web.templating import templates


def _render(source: str, **data: object) -> str:
    return templates.env.from_string(source).render(**data)


def test_counts_read_as_english() -> None:
    counted = '{{ n | counted("problem") }}, {{ n | counted("thesis") }}'
    assert _render(counted, n=1) == "1 problem, 1 thesis"
    assert _render(counted, n=2) == "2 problems, 2 theses"
    assert _render(counted, n=0) == "0 problems, 0 theses"
    # The noun alone, for a number set apart; an explicit plural for a verb.
    noun = '<b>{{ n }}</b> {{ n | plural("record") }} {{ n | plural("shares", "share") }}'
    assert _render(noun, n=1) == "<b>1</b> record shares"
    assert _render(noun, n=3) == "<b>3</b> records share"


def test_a_criterion_dimension_reads_as_words() -> None:
    """Criterion dimensions are stored as typed (``type_of_study``); ``label`` shows them
    as a reader writes them, as the screening sidebar needs."""
    shown = "{{ d | label }}"
    assert _render(shown, d="type_of_study") == "Type of study"
    assert _render(shown, d="population") == "Population"
