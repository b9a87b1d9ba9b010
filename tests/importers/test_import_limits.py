"""Untrusted sizes are bounded: long fields, huge author lists, endless lines and fields."""

from pathlib import Path

import pytest

from realist.errors import InvalidInput
from realist.importers import parse
from realist.importers.base import MAX_LIST_ITEMS, MAX_RAW_FIELDS

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def test_a_field_longer_than_the_limit_is_clipped_with_a_problem() -> None:
    data = (FIXTURES / "long_abstract.ris").read_bytes()
    result = parse(data, "long_abstract.ris", max_field_chars=1_000)
    long_one, next_one = result.records
    assert len(long_one.abstract) <= 1_000
    assert len(dict(long_one.raw)["AB"]) == 1_000
    (problem,) = result.problems
    assert problem.line == 1
    assert problem.reason == "field AB has more than 1,000 characters; kept the first 1,000"
    assert next_one.title == "The next record is fine"


def test_a_record_with_100k_authors_is_kept_with_bounded_lists() -> None:
    authors = "".join(f"AU  - Author{i}, A.\n" for i in range(100_000))
    data = f"TY  - JOUR\nTI  - Big collaboration\n{authors}ER  - \n".encode()
    result = parse(data, "big.ris")
    (record,) = result.records
    assert len(record.authors) == MAX_LIST_ITEMS
    assert record.authors[0] == "Author0, A."
    assert len(record.raw) == MAX_RAW_FIELDS
    reasons = [p.reason for p in result.problems]
    assert reasons == [
        "record has 100,002 fields; kept the first 20,000",
        "record lists 19,998 authors; kept the first 1,000",
    ]


def test_100k_authors_in_one_csv_cell() -> None:
    names = "; ".join(f"Author{i} A." for i in range(100_000))
    data = f'Title,Authors\n"Big collaboration","{names}"\n'.encode()
    result = parse(data, "big.csv")
    (record,) = result.records
    assert len(record.authors) == MAX_LIST_ITEMS
    assert "kept the first 1,000" in result.problems[0].reason


def test_a_huge_single_line_is_cut_without_reading_it_whole() -> None:
    data = b"TY  - JOUR\nTI  - A title\nAB  - " + b"x" * 30_000_000
    result = parse(data, "one-line.ris")
    (record,) = result.records
    assert len(record.abstract) == 1_000_000
    reasons = [p.reason for p in result.problems]
    assert "field AB has more than 1,000,000 characters; kept the first 1,000,000" in reasons
    assert any("file ends inside this record" in r for r in reasons)


def test_a_huge_single_line_of_nothing_is_refused_quickly() -> None:
    with pytest.raises(InvalidInput, match="not a recognised export format"):
        parse(b"x" * 30_000_000, "junk.ris")


def test_endless_continuation_lines_are_bounded() -> None:
    data = b"TY  - JOUR\nTI  - A title\nAB  - start\n" + b"more text\n" * 300_000 + b"ER  - \n"
    result = parse(data, "long.ris", max_field_chars=10_000)
    (record,) = result.records
    assert len(dict(record.raw)["AB"]) == 10_000
    assert "field AB has" in result.problems[0].reason


def test_endless_continuation_lines_in_medline_are_bounded() -> None:
    data = b"PMID- 1\nTI  - A title\nAB  - start\n" + b"      more text\n" * 300_000
    result = parse(data, "long.nbib", max_field_chars=10_000)
    assert len(dict(result.records[0].raw)["AB"]) == 10_000


def test_a_huge_xml_element_is_bounded() -> None:
    data = (b"<xml><records><record><ref-type name='Journal Article'>17</ref-type><titles><title>"
            + b"t" * 3_000_000 + b"</title></titles></record></records></xml>")  # fmt: skip
    result = parse(data, "big.xml", max_field_chars=100_000)
    (record,) = result.records
    assert len(record.title) == 100_000
    assert "field titles/title has" in result.problems[0].reason


def test_a_csv_line_too_long_to_read_skips_only_its_row() -> None:
    # The line is cut (4 x max_field_chars) before its closing quote; the rows after it
    # must not be swallowed into the unclosed field.
    data = b'Title,Abstract\nFirst,"' + b"x" * 500_000 + b'"\nSecond,short\n'
    result = parse(data, "long.csv", max_field_chars=100_000)
    assert [r.title for r in result.records] == ["Second"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "line has more than 400,064 characters; skipped")
    ]


def test_a_csv_field_over_the_limit_is_clipped() -> None:
    data = b'Title,Abstract\nFirst,"' + b"x" * 150_000 + b'"\n'
    result = parse(data, "long.csv", max_field_chars=100_000)
    assert len(result.records[0].abstract) == 100_000
    assert result.problems[0].reason == (
        "field Abstract has 150,000 characters; kept the first 100,000"
    )


def test_deeply_nested_json_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not valid JSON"):
        parse(b'[{"title": "x", "note": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]", "deep.json")
