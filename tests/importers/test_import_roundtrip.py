"""Records survive write_ris then parse: raw RIS tags losslessly, other records by field."""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from realist.domain.bibliography import collapse_whitespace, normalise_doi, strip_markup
from realist.domain.records import Record
from realist.importers import parse, ris
from realist.importers.base import Context
from realist.importers.ris_writer import has_ris_raw, write_ris

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
CODES = ["JOUR", "BOOK", "CHAP", "CONF", "CPAPER", "THES", "RPRT", "GEN", "ELEC", "UNPB"]


def fields(record: Record) -> dict[str, object]:
    """Everything a record holds except where it was found."""
    values = dataclasses.asdict(record)
    del values["source_line"]
    return values


def roundtrip(records: list[Record]) -> list[Record]:
    return parse(write_ris(records).encode("utf-8"), "roundtrip.ris").records


# Printable text, non-ASCII included: no control characters, surrogates or line breaks.
text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=40
)
line = text.map(str.strip).filter(bool)
value = st.one_of(st.just(""), line, st.lists(line, min_size=2, max_size=4).map("\n".join))
tag = st.from_regex(r"\A[A-Z][A-Z0-9]\Z").filter(lambda t: t not in ("TY", "ER"))
raw_fields = st.lists(st.tuples(tag, value), max_size=12)


@st.composite
def ris_records(draw: st.DrawFn) -> Record:
    # A title of markup alone ("<P>") is no title: such a record is refused as empty.
    title = draw(line.filter(lambda t: strip_markup(t).strip() != ""))
    raw = [("TY", draw(st.sampled_from(CODES))), ("TI", title), *draw(raw_fields)]
    record = Context("generated.ris").record(ris.draft(raw), raw, 1)
    assert record is not None, raw
    return record


@settings(max_examples=200, deadline=None)
@given(st.lists(ris_records(), min_size=1, max_size=5))
def test_ris_records_roundtrip_with_identical_raw_and_normalised_fields(
    records: list[Record],
) -> None:
    assert [fields(r) for r in roundtrip(records)] == [fields(r) for r in records]


def canonical(normalise: Callable[[str], str]) -> st.SearchStrategy[str]:
    """Text that ``normalise`` leaves as it is: what a normalised field can hold."""
    return line.filter(lambda value: normalise(value) == value != "")


names = canonical(lambda v: collapse_whitespace(v).strip(",; "))


@st.composite
def plain_records(draw: st.DrawFn) -> Record:
    first_page = draw(st.integers(1, 5000))
    pages = draw(st.sampled_from(["", str(first_page), f"{first_page}-{first_page + 9}",
                                  f"e{first_page}"]))  # fmt: skip
    doi = "10.1000/" + draw(st.from_regex(r"\A[a-z0-9][a-z0-9./()-]{0,20}[a-z0-9]\Z"))
    assume(normalise_doi(doi) == doi)
    maybe = st.one_of(st.just(""), canonical(strip_markup))
    return Record(
        title=draw(canonical(strip_markup)),
        authors=draw(st.lists(names, max_size=4)),
        year=draw(st.one_of(st.none(), st.integers(1500, 2099))),
        journal=draw(maybe),
        volume=draw(st.one_of(st.just(""), st.integers(1, 999).map(str))),
        issue=draw(st.one_of(st.just(""), st.integers(1, 12).map(str))),
        pages=pages,
        doi=draw(st.sampled_from(["", doi])),
        pmid=draw(st.one_of(st.just(""), st.integers(1, 99_999_999).map(str))),
        issn=draw(st.sampled_from(["", "1471-2393", "0140-673X"])),
        abstract=draw(maybe),
        keywords=draw(st.lists(names, max_size=3)),
        kind=draw(st.sampled_from(CODES)),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(plain_records(), min_size=1, max_size=5))
def test_records_without_ris_raw_roundtrip_by_their_normalised_fields(
    records: list[Record],
) -> None:
    again = roundtrip(records)
    without_raw = [{k: v for k, v in fields(r).items() if k != "raw"} for r in again]
    assert without_raw == [{k: v for k, v in fields(r).items() if k != "raw"} for r in records]


@pytest.mark.parametrize(
    "name",
    ["scopus.ris", "cinahl.ris", "ovid.ris", "psycinfo.ris", "wos.ris", "embase.ris",
     "zotero.ris", "endnote.ris", "mendeley.ris", "odd_spacing.ris", "utf16.ris"],
)  # fmt: skip
def test_every_ris_fixture_writes_back_without_loss(name: str) -> None:
    records = parse((FIXTURES / name).read_bytes(), name).records
    assert all(has_ris_raw(r) for r in records)
    assert [fields(r) for r in roundtrip(records)] == [fields(r) for r in records]


@pytest.mark.parametrize(
    "name", ["pubmed.nbib", "references.bib", "scopus.csv", "zotero.json", "endnote.xml",
             "wos_plain.txt"],
)  # fmt: skip
def test_other_formats_write_ris_from_normalised_fields(name: str) -> None:
    records = parse((FIXTURES / name).read_bytes(), name).records
    assert not any(has_ris_raw(r) for r in records)
    again = roundtrip(records)
    for before, after in zip(records, again, strict=True):
        assert after.raw[0] == ("TY", before.kind)
        for attribute in ("title", "authors", "year", "journal", "volume", "issue", "pages",
                          "doi", "pmid", "issn", "abstract", "keywords", "kind"):  # fmt: skip
            assert getattr(after, attribute) == getattr(before, attribute), attribute


def test_continuation_lines_that_look_like_tags_are_indented() -> None:
    raw = [("TY", "JOUR"), ("TI", "A title"), ("AB", "first\nAU  - not an author\nER")]
    text = write_ris([Record(raw=raw)])
    assert text == "TY  - JOUR\nTI  - A title\nAB  - first\n AU  - not an author\n ER\nER  - \n\n"
    (record,) = parse(text.encode(), "x.ris").records
    assert record.raw == raw and record.authors == []
