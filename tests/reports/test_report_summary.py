"""The generated intervention summary: its counts are the data's, and it reads like the paper."""

from __future__ import annotations

import re
from pathlib import Path

from realist.demo import load_demo_files, load_demo_phrasings
from realist.domain.documents import Intervention
from realist.reports.summary import Phrasing, summarise
from realist.reports.wording import count_word, counted, join_clauses, number_ranges, spelled
from realist.services.interventions import list_interventions, set_intervention
from realist.services.reporting import phrasings, render_report, set_phrasing
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.events import list_events

WORDS = {spelled(n): n for n in range(100)}


def test_number_ranges_compress_runs_of_three_or_more() -> None:
    assert number_ranges([22, 1, 4, 7, 8, 9, 10, 14, 15, 16, 17]) == "1, 4, 7–10, 14–17, 22"
    assert number_ranges([5, 6, 11, 12, 18, 19]) == "5, 6, 11, 12, 18, 19"
    assert number_ranges([3, 3, 2]) == "2, 3"
    assert number_ranges([]) == ""


def test_counts_are_words_below_ten_and_at_the_start_of_a_sentence() -> None:
    assert count_word(3) == "three"
    assert count_word(11) == "11"
    assert count_word(11, sentence_start=True) == "Eleven"
    assert count_word(22, sentence_start=True) == "Twenty-two"
    assert join_clauses(["a", "b", "c"]) == "a, b, and c"
    assert join_clauses(["a", "b"]) == "a and b"


def test_counted_nouns_take_their_plural() -> None:
    assert counted(1, "coding") == "1 coding"
    assert counted(0, "screening decision") == "0 screening decisions"
    assert counted(3, "thesis") == "3 theses"
    assert counted(2, "middle range theory") == "2 middle range theories"
    assert counted(2, "import batch") == "2 import batches"
    assert counted(2, "day") == "2 days"


def _expand(refs: str) -> list[int]:
    numbers: list[int] = []
    for part in refs.lstrip("#").split(", "):
        first, _, last = part.partition("–")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


# A phrase may quote a value with brackets of its own: “... when offered (UK)”.
CLAUSE = re.compile(r"(?:^|, and |, | and )(\w+(?:-\w+)?) (?:“[^”]*”|[^()])*?\((#[\d,– ]+)\)")
MISSING = re.compile(r"for (\w+(?:-\w+)?) interventions? \((#[\d,– ]+)\)")


def _clauses(text: str, missing: bool) -> list[tuple[int, list[int]]]:
    """(the count as written, the numbers listed) for every "N ... (#...)" clause."""
    found = []
    for match in (MISSING if missing else CLAUSE).finditer(text):
        word = match.group(1).lower()
        count = int(word) if word.isdigit() else WORDS[word]
        found.append((count, _expand(match.group(2))))
    return found


def test_every_count_in_the_demo_summary_equals_the_data(demo_store: Store) -> None:
    items, _ = list_interventions(demo_store)
    summary = summarise(items, phrasings(demo_store))
    assert summary.sentences
    for sentence in summary.sentences:
        written = _clauses(sentence.text, sentence.missing)
        assert len(written) == len(sentence.clauses), sentence.text
        for (count, listed), clause in zip(written, sentence.clauses, strict=True):
            assert count == len(listed) == clause.count, sentence.text
            assert listed == list(clause.members)
            if sentence.missing:
                expected = [i.number for i in items if sentence.attribute not in i.attributes]
            else:
                expected = [
                    i.number
                    for i in items
                    if clause.value
                    in [v.strip() for v in str(i.attributes.get(sentence.attribute)).split(";")]
                    or (clause.value == "true" and i.attributes.get(sentence.attribute) is True)
                ]
            assert listed == expected, sentence.text


def _normalise(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence.replace("(interventions #", "(#").replace(", ", ","))


def test_the_format_sentence_matches_the_papers_own(demo_store: Store) -> None:
    paper = load_demo_files()["paper"]
    start = paper.index("Three interventions offered one-to-one support in person")
    theirs = paper[start : paper.index(".", paper.index("(#1,4,7", start)) + 1]
    text = render_report(demo_store, "intervention-summary", "text").content
    assert isinstance(text, str)
    ours = text.split(". ")[0] + "."
    assert ours == (
        "Three interventions offered one-to-one support in person from trained volunteers "
        "(#2, 3, 20), one offered in-person support from a paid peer supporter (#21), and 11 "
        "offered in-person group support (#1, 4, 7–10, 14–17, 22)."
    )
    assert _normalise(ours) == _normalise(theirs)


def test_plain_wording_when_no_phrasing_is_given() -> None:
    items = [
        Intervention(1, attributes={"country": "UK", "online": True}),
        Intervention(2, attributes={"country": "UK; Canada"}),
        Intervention(3, attributes={"country": "Canada", "note": "unique"}),
        Intervention(4, attributes={}),
    ]
    texts = [s.text for s in summarise(items).sentences]
    assert texts == [  # values by count, then name; every attribute is said
        "Two interventions had country “Canada” (#2, 3) and two “UK” (#1, 2).",
        "Country was not recorded for one intervention (#4).",
        "One intervention had note “unique” (#3).",
        "Note was not recorded for three interventions (#1, 2, 4).",
        "One intervention had online (#1).",
    ]
    worded = summarise(items, [Phrasing("country", (("UK", "in the UK"),), verb="took place")])
    assert worded.sentences[0].text == (
        "Two interventions took place in the UK (#1, 2) and two “Canada” (#2, 3)."
    )


def test_a_reviewer_words_a_value_and_the_counts_stay_computed(demo_store: Store) -> None:
    set_phrasing(demo_store, "format", "jm", values={"group_in_person": "ran groups in person"})
    text = render_report(demo_store, "intervention-summary", "text").content
    assert isinstance(text, str)
    assert "and 11 ran groups in person (#1, 4, 7–10, 14–17, 22)" in text
    assert "Eight interventions took place in the USA" in text  # the demo's other wording kept
    with demo_store.reading() as connection:
        assert list_events(connection, limit=1)[0].action == "report.phrasing_set"


def test_only_the_demo_comes_with_wording(demo_store: Store, tmp_path: Path) -> None:
    """The demo's wording is its data file's; any other review starts with plain wording."""
    demo = [Phrasing.from_json(p) for p in load_demo_phrasings()]
    assert phrasings(demo_store) == demo and demo[0].attribute == "format"
    plain = init_review(str(tmp_path / "plain.realist"), "Plain", "ann")
    try:
        assert phrasings(plain) == []
        for number in (1, 2):
            set_intervention(plain, number, "ann", attributes={"format": "group_in_person"})
        text = render_report(plain, "intervention-summary", "text").content
        assert isinstance(text, str)
        assert text.startswith("Two interventions had format “group in person” (#1, 2).")
    finally:
        plain.close()


def test_every_attribute_of_every_intervention_is_said_once(tmp_path: Path) -> None:
    """A review that is not the demo, with flags, numbers, categories and free text: every
    (intervention, attribute) is counted in that attribute's one sentence."""
    store = init_review(str(tmp_path / "own.realist"), "Own", "ann")
    values = {
        1: {"bp_device": True, "sessions": 6, "format": "group", "setting": "UK; Canada",
            "take_up": "40% of those asked"},
        2: {"bp_device": False, "sessions": 8, "format": "one_to_one", "setting": "UK"},
        3: {"bp_device": True, "sessions": 6, "format": "telephone", "setting": "USA",
            "take_up": "12 of 20"},
        4: {"bp_device": False, "sessions": 10.5, "format": "online", "setting": "Kenya",
            "take_up": ""},
        5: {"format": "group", "setting": "Chile"},
    }  # fmt: skip
    try:
        for number, attributes in values.items():
            set_intervention(store, number, "ann", attributes=attributes)
        items, _ = list_interventions(store)
        summary = summarise(items)
        said = {s.attribute for s in summary.sentences}
        assert said == {"bp_device", "sessions", "format", "setting", "take_up"}
        for attribute in said:
            counted_here = [s for s in summary.sentences if s.attribute == attribute]
            assert len([s for s in counted_here if not s.missing]) == 1  # one sentence
            members = {n for s in counted_here for c in s.clauses for n in c.members}
            assert members >= {n for n, a in values.items() if attribute in a}
        flag = next(s for s in summary.sentences if s.attribute == "bp_device")
        assert flag.text == "Two interventions had bp device (#1, 3) and two did not (#2, 4)."
        setting = next(s for s in summary.sentences if s.attribute == "setting" and not s.missing)
        assert setting.text.count(".") == 1 and len(setting.clauses) == 5  # not split at three
        assert "“10.5” (#4)" in summary.as_json()["text"]
        gap = next(s for s in summary.sentences if s.attribute == "take_up" and s.missing)
        assert gap.text == "Take up was not recorded for three interventions (#2, 4, 5)."
        text = render_report(store, "intervention-summary", "md").content
        assert isinstance(text, str) and "40% of those asked" in text
    finally:
        store.close()


def test_a_flag_true_nowhere_says_what_it_denies() -> None:
    items = [Intervention(1, attributes={"online": False}), Intervention(2, attributes={})]
    assert [s.text for s in summarise(items).sentences] == [
        "One intervention did not have online (#1)."
    ]
