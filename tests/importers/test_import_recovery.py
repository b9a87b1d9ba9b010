"""Damage inside one record of an EndNote XML, CSL-JSON or BibTeX file loses that record at
most, and says so by name; BibTeX's own syntax (``#``, ``@string``, months, ``and others``)
is read as BibTeX means it (issue 12)."""

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realist.errors import InvalidInput
from realist.importers import ParseResult, endnote_xml, parse
from realist.importers.latex import to_text

# --- EndNote XML ------------------------------------------------------------------------------

_STYLE = '<style face="normal" font="default" size="100%">{}</style>'


def _endnote_record(number: int, abstract: str = "", title: str = "") -> str:
    title = title or f"Record {number} on peer support"
    return (
        f"<record><rec-number>{number}</rec-number>"
        '<ref-type name="Journal Article">17</ref-type>'
        f"<contributors><authors><author>{_STYLE.format(f'Author{number}, A.')}</author>"
        "</authors></contributors>"
        f"<titles><title>{_STYLE.format(title)}</title></titles>"
        f"<dates><year>2020</year></dates>"
        f"<abstract>{_STYLE.format(abstract or f'Abstract {number}.')}</abstract></record>"
    )


def _endnote(records: list[str]) -> bytes:
    # One record per line (line 2 onwards), as EndNote writes them when records hold line
    # breaks, so that the problems' lines can be checked.
    head = '<?xml version="1.0" encoding="UTF-8" ?><xml><records>\n'
    return (head + "\n".join(records) + "\n</records></xml>\n").encode()


def _titles(result: ParseResult) -> list[str]:
    return [r.title for r in result.records]


def test_a_control_character_in_record_3_of_12_keeps_all_12() -> None:
    # Reported: one \x0b in record 3's abstract dropped records 3-12, reported once.
    records = [_endnote_record(n) for n in range(1, 13)]
    records[2] = _endnote_record(3, abstract="Before\x0bafter.")
    result = parse(_endnote(records), "vt.xml")
    assert _titles(result) == [f"Record {n} on peer support" for n in range(1, 13)]
    # The text layer reads a vertical tab between two words as the space it stood for.
    assert result.records[2].abstract == "Before after."
    # Said once, on record 3's line (by whichever layer removed the character).
    assert [p.line for p in result.problems] == [4]
    assert "control character" in result.problems[0].reason


def test_a_control_character_in_record_1_no_longer_refuses_the_file() -> None:
    records = [_endnote_record(n) for n in range(1, 13)]
    records[0] = _endnote_record(1, abstract="\x0bstarts badly")
    result = parse(_endnote(records), "vt1.xml")
    assert len(result.records) == 12
    assert [p.line for p in result.problems] == [2]


@pytest.mark.parametrize("where", [0, 2, 11])
def test_a_malformed_record_is_lost_alone_and_named(where: int) -> None:
    records = [_endnote_record(n) for n in range(1, 13)]
    # A tag misspelt: the record is not well-formed XML, the others are.
    records[where] = records[where].replace("</title>", "</titel>")
    result = parse(_endnote(records), "bad.xml")
    number = where + 1
    assert _titles(result) == [f"Record {n} on peer support" for n in range(1, 13) if n != number]
    (problem,) = result.problems
    assert problem.line == number + 1
    assert f"record {number} " in problem.reason
    assert f"Record {number} on peer support" in problem.reason  # its title, read anyway
    assert "skipped" in problem.reason


def test_a_record_without_its_end_tag_loses_only_itself() -> None:
    records = [_endnote_record(n) for n in range(1, 6)]
    records[1] = records[1].removesuffix("</record>")
    result = parse(_endnote(records), "open.xml")
    assert _titles(result) == [f"Record {n} on peer support" for n in (1, 3, 4, 5)]
    (problem,) = result.problems
    assert problem.line == 3 and "record 2 " in problem.reason


def test_every_damaged_record_is_named_once() -> None:
    records = [_endnote_record(n) for n in range(1, 9)]
    for index in (1, 4, 5):
        records[index] = records[index].replace("<dates>", "<dates><")
    result = parse(_endnote(records), "many.xml")
    assert len(result.records) == 5
    assert [p.line for p in result.problems] == [3, 6, 7]
    assert all("skipped" in p.reason for p in result.problems)


def test_a_truncated_endnote_file_names_the_cut_record() -> None:
    data = _endnote([_endnote_record(n) for n in range(1, 4)])
    cut = data[: data.index(b"<abstract>", data.index(b"<rec-number>3"))]
    result = parse(cut, "cut.xml")
    assert _titles(result) == ["Record 1 on peer support", "Record 2 on peer support"]
    (problem,) = result.problems
    assert problem.line == 4 and "record 3 " in problem.reason
    assert "Record 3 on peer support" in problem.reason


def test_endnote_records_in_one_line_keep_their_numbers() -> None:
    records = [_endnote_record(n) for n in range(1, 5)]
    records[2] = records[2].replace("<year>", "<year x=>")
    data = ('<?xml version="1.0"?><xml><records>' + "".join(records) + "</records></xml>").encode()
    result = parse(data, "one-line.xml")
    assert len(result.records) == 3
    (problem,) = result.problems
    assert problem.line == 1 and "record 3 " in problem.reason


def test_entity_declarations_still_refuse_the_file() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]>'
        + _endnote([_endnote_record(1)]).split(b"?>", 1)[1]
    )
    with pytest.raises(InvalidInput, match="declares entities"):
        parse(data, "entities.xml")


# --- CSL-JSON ---------------------------------------------------------------------------------


def _item(number: int) -> dict[str, object]:
    return {
        "id": f"item{number}",
        "type": "article-journal",
        "title": f"Item {number} on peer support",
        "author": [{"family": f"Author{number}", "given": "A"}, {"family": "Berg", "given": "B"}],
        "issued": {"date-parts": [[2020, 1, 2]]},
    }


def _pretty(count: int = 12) -> str:
    return json.dumps([_item(n) for n in range(1, count + 1)], indent=2)


def _csl_titles(result: ParseResult) -> list[str]:
    return [r.title for r in result.records]


def _all_but(number: int, count: int = 12) -> list[str]:
    return [f"Item {n} on peer support" for n in range(1, count + 1) if n != number]


def test_a_missing_comma_in_item_3_loses_only_item_3() -> None:
    text = _pretty()
    start = text.index('"Item 3 on')
    text = text[:start] + text[start:].replace('",', '"', 1)  # "title": "..." "author"
    result = parse(text.encode(), "comma.json")
    assert _csl_titles(result) == _all_but(3)
    (problem,) = result.problems
    assert problem.line == 3  # item number, as CSL-JSON problems count items
    line = text[: text.index('"id": "item3"')].count("\n")  # the item's "{" is on this line
    assert f"item 3 (line {line}" in problem.reason and "not valid JSON" in problem.reason
    assert "Item 3 on peer support" in problem.reason


def test_minified_json_with_a_lost_quote_keeps_every_other_item() -> None:
    text = json.dumps([_item(n) for n in range(1, 13)], separators=(",", ":"))
    text = text.replace('"title":"Item 5', '"title":Item 5', 1)
    result = parse(text.encode(), "min.json")
    assert _csl_titles(result) == _all_but(5)
    (problem,) = result.problems
    assert problem.line == 5 and "item 5 (line 1" in problem.reason


def test_a_lost_bracket_in_an_author_list_does_not_swallow_the_next_items() -> None:
    text = json.dumps([_item(n) for n in range(1, 7)], separators=(",", ":"))
    start = text.index('"id":"item2"')
    text = text[:start] + text[start:].replace('"given":"B"}]', '"given":"B"}', 1)
    result = parse(text.encode(), "bracket.json")
    assert _csl_titles(result) == _all_but(2, 6)
    assert [p.line for p in result.problems] == [2]


def test_a_stray_closing_bracket_does_not_end_the_file_early() -> None:
    text = _pretty(6)
    end_of_3 = text.index('"id": "item4"')
    end_of_3 = text.rindex("}", 0, end_of_3)
    text = text[: end_of_3 + 1] + "]" + text[end_of_3 + 1 :]
    result = parse(text.encode(), "early.json")
    assert _csl_titles(result) == [f"Item {n} on peer support" for n in range(1, 7)]
    (problem,) = result.problems
    assert "line" in problem.reason and "skipped" in problem.reason


def test_a_truncated_json_file_keeps_the_items_before_the_cut() -> None:
    text = _pretty(5)
    text = text[: text.index('"Item 4 on')]
    result = parse(text.encode(), "cut.json")
    assert _csl_titles(result) == _all_but(4, 3)
    (problem,) = result.problems
    assert problem.line == 4 and "not valid JSON" in problem.reason


def test_an_items_object_is_salvaged_too() -> None:
    items = [_item(n) for n in range(1, 5)]
    text = json.dumps({"items": items}, indent=1).replace('"Item 2 on peer support"', "Item 2")
    result = parse(text.encode(), "items.json")
    assert _csl_titles(result) == [f"Item {n} on peer support" for n in (1, 3, 4)]
    assert [p.line for p in result.problems] == [2]


def test_an_item_nested_too_deeply_is_lost_alone() -> None:
    deep = '{"title": "deep", "note": ' + "[" * 50_000 + "]" * 50_000 + "}"
    text = "[" + _pretty(2)[1:-1] + ", " + deep + ", " + json.dumps(_item(3)) + "]"
    result = parse(text.encode(), "deep.json")
    assert _csl_titles(result) == [f"Item {n} on peer support" for n in (1, 2, 3)]
    (problem,) = result.problems
    assert problem.line == 3 and "not valid JSON" in problem.reason


# --- BibTeX -----------------------------------------------------------------------------------


def _bib(text: str) -> ParseResult:
    return parse(text.encode(), "x.bib")


def test_bibtex_concatenation_is_joined() -> None:
    (record,) = _bib('@article{k,\n  title = "Part " # "two",\n  year = 2020\n}\n').records
    assert record.title == "Part two"
    assert ("title", "Part two") in record.raw


def test_bibtex_string_macros_inside_concatenations_are_resolved() -> None:
    result = _bib(
        '@string{jn = "Journal of"}\n@STRING{ topic = jn # { Realist} }\n'
        '@article{k,\n  title = {On } # Topic # { Reviews},\n  journal = topic # " Studies",\n'
        "  author = {Smith, John},\n  year = 19 # 99,\n  month = jan\n}\n"
    )
    (record,) = result.records
    assert record.title == "On Journal of Realist Reviews"
    assert record.journal == "Journal of Realist Studies"
    assert record.year == 1999
    assert ("month", "January") in record.raw
    assert result.problems == []


@pytest.mark.parametrize(
    ("month", "name"), [("jan", "January"), ("feb", "February"), ("sep", "September"),
                        ("DEC", "December"), ("may # {~1}", "May~1")],
)  # fmt: skip
def test_bibtex_month_macros(month: str, name: str) -> None:
    (record,) = _bib(f"@article{{k, title = {{T}}, month = {month}}}\n").records
    assert ("month", name) in record.raw


def test_an_undefined_bibtex_macro_is_kept_by_name_and_reported() -> None:
    result = _bib("@article{k,\n  title = {T},\n  journal = jbr\n}\n")
    (record,) = result.records
    assert record.journal == "jbr"
    (problem,) = result.problems
    assert problem.line == 1 and "jbr" in problem.reason


def test_and_others_is_not_an_author() -> None:
    text = "@article{k, title = {T}, author = {Smith, John and Jones, K. and others}}\n"
    (record,) = _bib(text).records
    assert record.authors == ["Smith, John", "Jones, K."]
    assert ("author", "Smith, John and Jones, K. and others") in record.raw


def test_latex_percent_signs_and_unknown_macros_keep_their_text() -> None:
    (record,) = _bib(
        "@article{k,\n  title = {{A} study where 50% of mothers used \\texttt{R} and "
        "\\mbox{peer} support},\n  abstract = {Caf{\\'e} M{\\\"u}ller \\& {\\ss}ohn -- 1\\%},\n}\n"
    ).records
    assert record.title == "A study where 50% of mothers used R and peer support"
    assert record.abstract == "Café Müller & ßohn – 1%"


def test_an_entry_that_repeats_a_field_is_kept() -> None:
    result = _bib("@article{k,\n  title = {First},\n  title = {Second},\n  year = 2020\n}\n")
    (record,) = result.records
    assert record.title == "First"
    assert [v for k, v in record.raw if k == "title"] == ["First", "Second"]
    (problem,) = result.problems
    assert problem.line == 1 and "repeats field(s) title" in problem.reason


def test_bibtex_macros_built_from_macros_are_bounded() -> None:
    # Each macro doubles the one before: forty of them would make a terabyte.
    chain = "".join(f"@string{{m{i + 1} = m{i} # m{i}}}\n" for i in range(1, 40))
    text = '@string{m1 = "' + "x" * 1000 + '"}\n' + chain + "@article{k, title = m40}\n"
    result = parse(text.encode(), "bomb.bib", max_field_chars=100_000)
    (record,) = result.records
    assert len(record.title) <= 100_000
    assert any("@string macros would make more than" in p.reason for p in result.problems)


def test_a_long_macro_in_every_entry_is_bounded_in_all() -> None:
    entries = "".join(f"@article{{k{i}, title = a # {{ {i}}}}}\n" for i in range(2_000))
    text = '@string{a = "' + "x" * 10_000 + '"}\n' + entries
    result = parse(text.encode(), "wide.bib", max_field_chars=20_000)
    assert len(result.records) == 2_000  # every entry kept...
    made = sum(len(r.title) for r in result.records)
    assert made <= 9 * len(text) + 20_000  # ...and what macros made bounded
    assert result.records[0].title.startswith("xxx")
    assert result.records[-1].title == "a 1999"  # the macro kept by name once over budget
    (problem,) = result.problems
    assert "kept by name" in problem.reason


def test_csl_json_runs_of_items_that_are_not_objects_are_one_problem() -> None:
    text = '[{"title": "a"}, "", "", 3, {"title": "b"}, "x"]'
    result = parse(text.encode(), "others.json")
    assert [r.title for r in result.records] == ["a", "b"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "items 2-4 are not JSON objects; skipped"),
        (6, "item 6 is not a JSON object; skipped"),
    ]


def test_a_json_list_cut_between_items_is_reported() -> None:
    text = _pretty(4)
    text = text[: text.index('{\n    "id": "item3"')]
    result = parse(text.encode(), "cut.json")
    assert len(result.records) == 2
    (problem,) = result.problems
    assert problem.line == 3 and "cut off" in problem.reason


def test_an_endnote_file_cut_between_records_is_reported() -> None:
    data = _endnote([_endnote_record(n) for n in range(1, 4)])
    data = data[: data.index(b"\n</records>")]
    result = parse(data, "cut.xml")
    assert len(result.records) == 3
    (problem,) = result.problems
    assert problem.line == 4 and "after record 3" in problem.reason and "cut off" in problem.reason


def test_a_bibtex_entry_without_its_header_line_is_reported() -> None:
    text = (
        "% Encoding: UTF-8\n\n@article{a, title = {A}}\n\n"
        "  title = {Lost entry},\n  author = {X},\n}\n\n@article{b, title = {B}}\n"
    )
    result = _bib(text)
    assert [r.title for r in result.records] == ["A", "B"]
    (problem,) = result.problems  # the "% Encoding" comment is not one
    assert problem.line == 5 and '"Lost entry"' in problem.reason


_DAMAGES = {  # each changes the item it is given, pretty-printed or not
    "quote": lambda item: item.replace('"title": "', '"title": ', 1),
    "comma": lambda item: re.sub(r'(support")\s*,', r"\1 ", item, count=1),
    "bracket": lambda item: re.sub(r"\}\s*\]\s*,", "},", item, count=1),
    "brace": lambda item: item[:-1],
    "junk": lambda item: item.replace('"type": ', '"type": @@', 1),
}


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(2, 8),
    damaged=st.integers(0, 7),
    damage=st.sampled_from(sorted(_DAMAGES)),
    words=st.lists(st.text(alphabet="abcé Z-'", max_size=12), min_size=8, max_size=8),
    pretty=st.booleans(),
)
def test_csl_json_damage_to_one_item_loses_that_item_at_most(
    count: int, damaged: int, damage: str, words: list[str], pretty: bool
) -> None:
    damaged %= count
    items = []
    for number in range(count):
        item = _item(number + 1)
        item["title"] = f"{number} {words[number]} support"
        items.append(json.dumps(item, indent=2 if pretty else None))
    before = items[damaged]
    items[damaged] = _DAMAGES[damage](before)
    assert items[damaged] != before
    result = parse(("[" + ", ".join(items) + "]").encode(), "damaged.json")
    titles = {r.title for r in result.records}
    for number in range(count):
        if number != damaged:
            assert " ".join(f"{number} {words[number]} support".split()) in titles
    if len(result.records) < count:  # the damaged item lost: then said, by its number
        assert any(p.line == damaged + 1 and "skipped" in p.reason for p in result.problems)


@given(st.lists(st.sampled_from(['"a b"', "{c {d}}", '{"}', "x", "jan", "1999", '" # "']),
                min_size=1, max_size=6))  # fmt: skip
def test_bibtex_parts_joined_with_hash_read_as_their_concatenation(parts: list[str]) -> None:
    text = "@string{x = {X}}\n@article{k, title = {T}, note = " + " # ".join(parts) + "}\n"
    expected = "".join(
        {'"a b"': "a b", "{c {d}}": "c {d}", '{"}': '"', "x": "X", "jan": "January",
         "1999": "1999", '" # "': " # "}[part] for part in parts
    )  # fmt: skip
    (record,) = _bib(text).records
    assert ("note", expected) in record.raw


@given(st.text(max_size=60))
def test_latex_decoding_never_fails_and_leaves_plain_text_alone(text: str) -> None:
    decoded = to_text(text)
    assert isinstance(decoded, str)
    if not any(mark in text for mark in "\\{}$~"):
        assert decoded == text


@given(
    st.lists(st.sampled_from(["<record>", "</record>", "<records>", "<record a='1'>", "x\n",
                              "<title>T</title>", "</records>", "<recor", "d>"]), max_size=30),
    st.integers(1, 12),
)  # fmt: skip
def test_endnote_records_are_cut_alike_whatever_the_chunks(parts: list[str], size: int) -> None:
    text = "".join(parts)
    chunks = [text[i : i + size] for i in range(0, len(text), size)]
    pieces = list(endnote_xml._pieces(chunks))
    assert "".join(piece for _, piece in pieces) == text  # every character, once, in order
    assert pieces == list(endnote_xml._pieces([text]))
    for is_record, piece in pieces:
        assert bool(re.match(r"<record[\s>/]", piece)) == is_record


# -- found by bench/fuzz_importers.py on the merged code (3 Dec 2026) ----------------------


def test_blank_lines_before_a_table_header_are_skipped() -> None:
    """A CSV starting with blank lines was "not a recognised export format"; with more than
    64 KiB of them any file was "empty"."""
    result = parse(b"\n\n\nTitle,Year\nA,2020\nB,2021\n", "a.csv")
    assert [(r.title, r.source_line) for r in result.records] == [("A", 5), ("B", 6)]
    many = parse(b"\n" * 100_000 + b"TY  - JOUR\nTI  - A\nER  - \n", "a.ris")
    assert [(r.title, r.source_line) for r in many.records] == [("A", 100_001)]


def test_csl_json_stray_characters_before_the_list_and_a_list_inside_it() -> None:
    items = b'{"title":"A","type":"book"},{"title":"B","type":"book"}'
    stray = parse(b'"[' + items + b"]", "c.json")
    assert [r.title for r in stray.records] == ["A", "B"]
    assert ["before the opening bracket was skipped" in p.reason for p in stray.problems] == [True]
    nested = parse(b"[\n[" + items + b"]", "c.json")  # one line duplicated: "[" twice
    assert [r.title for r in nested.records] == ["A", "B"]
    assert any("a list inside the list" in p.reason for p in nested.problems)


def test_endnote_xml_with_a_stray_character_before_its_prolog_is_read() -> None:
    data = (
        b'{<?xml version="1.0"?><xml><records><record><titles><title>A</title></titles>'
        b"</record><record><titles><title>B</title></titles></record></records></xml>"
    )
    result = parse(data, "e.xml")
    assert result.format == "endnote-xml" and [r.title for r in result.records] == ["A", "B"]


def test_a_bibtex_entry_that_lost_its_type_line_is_named_by_its_lines() -> None:
    data = (
        b"% a comment\n\n  author = {Nakirya, Grace},\n  title = {Lost header},\n}\n\n"
        b"@article{b, title={Kept}}\n"
    )
    result = parse(data, "x.bib")
    assert [r.title for r in result.records] == ["Kept"]
    [problem] = result.problems
    assert problem.line == 3 and "lines 3–5" in problem.reason and "Lost header" in problem.reason


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"Title,DOI," + b"n" * 100_000 + b"\n" + b"A,10.1/x,v\n" * 100, "x.csv"),
        (b"@article{a, title={A}, " + b"k" * 300_000 + b" = {v}}\n", "x.bib"),
    ],
    ids=["csv column", "bibtex field"],
)
def test_field_names_are_bounded(data: bytes, filename: str) -> None:
    """A 100 KB CSV heading repeated in every row's raw fields (111 KB made 100 MB)."""
    from realist.importers.base import MAX_NAME_CHARS

    result = parse(data, filename)
    assert result.records
    assert all(len(name) <= MAX_NAME_CHARS for r in result.records for name, _ in r.raw)
    assert any("kept the first" in p.reason and "name" in p.reason for p in result.problems)


def test_a_long_plain_value_in_a_row_of_the_right_shape_is_kept_as_read() -> None:
    """Found by the fuzz bench's "many short lines" shape: a quoted abstract of more than
    1,000 lines was taken for runaway quoting and read again without quotes, and the row's
    values came out shifted (the year read from an author's name)."""
    abstract = "ab\n" * 5_000
    data = f'Title,Abstract,Year\n"Long one","{abstract}",2020\n"Next",x,2021\n'
    result = parse(data.encode(), "x.csv")
    assert [(r.title, r.year) for r in result.records] == [("Long one", 2020), ("Next", 2021)]
    assert result.records[0].abstract.startswith("ab ab") and result.problems == []
    # A quote gone wrong still swallows rows, and is still found and said.
    rows = "".join(f"T{n},B,2021\n" for n in range(1_500))
    swallowed = parse(f'Title,Authors,Year\n"unbalanced,A,2020\n{rows}'.encode(), "x.csv")
    assert len(swallowed.records) == 1_501 and swallowed.problems
