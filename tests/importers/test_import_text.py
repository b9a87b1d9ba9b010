"""Encodings, newlines, format detection and files that cannot be read at all."""

import codecs
from collections.abc import Iterator
from pathlib import Path

import pytest

from realist.domain.records import Record
from realist.errors import InvalidInput
from realist.importers import (
    FORMATS,
    Format,
    Problem,
    decode,
    detect_format,
    iter_parse,
    parse,
    register,
)
from realist.importers.base import Context, Draft
from realist.importers.text import TextSource, sniff_encoding

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
TITLE = "Peer support – a “realist” review of mothers’ groups"


def data(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("bom.ris", "utf-8-sig"), ("utf16.ris", "utf-16"), ("utf16_be.ris", "utf-16"),
     ("utf16_nobom.ris", "utf-16-le"), ("latin1.ris", "cp1252"), ("cr.ris", "utf-8"),
     ("invalid_utf8.ris", "utf-8"), ("cinahl.ris", "utf-8")],
)  # fmt: skip
def test_every_encoding_reads_the_same_accented_text(name: str, encoding: str) -> None:
    result = parse(data(name), name)
    assert result.encoding == encoding
    first = result.records[0]
    assert first.title in (TITLE, "Volunteer doula support for women experiencing mental "
                           "health difficulties in pregnancy")  # fmt: skip
    if name != "cinahl.ris":
        assert first.authors == ["Müller, Jörg", "Øster, Åsa"]
        assert first.journal == "Revista de Saúde Pública"
        assert result.records[1].authors == ["Niño, José"]


def test_crlf_and_cr_newlines_leave_no_carriage_returns() -> None:
    for name in ("cinahl.ris", "cr.ris", "utf16.ris"):
        text = decode(data(name))
        assert "\r" not in text
        records = parse(data(name), name).records
        assert all("\r" not in value for r in records for _, value in r.raw)


def test_stray_windows_1252_bytes_in_utf8_are_read_and_reported() -> None:
    result = parse(data("invalid_utf8.ris"), "invalid_utf8.ris")
    assert result.records[2].title == "Café groups – a survey"
    assert result.records[0].title == TITLE  # the valid UTF-8 around them is untouched
    (problem,) = result.problems
    assert problem.line == 17
    assert "not valid utf-8" in problem.reason


def test_a_bom_in_the_middle_of_concatenated_exports_is_ignored() -> None:
    result = parse(data("bom.ris"), "bom.ris")
    assert [r.title for r in result.records][-1] == "Second export, appended with cat"
    assert result.problems == []


def test_sniff_encoding_without_bom() -> None:
    assert sniff_encoding("TY  - JOUR\n".encode("utf-16-be")) == "utf-16-be"
    assert sniff_encoding(b"plain ascii") == "utf-8"
    assert sniff_encoding("Müller".encode("cp1252")) == "cp1252"
    assert sniff_encoding(codecs.BOM_UTF32_LE + "x".encode("utf-32-le")) == "utf-32"


def test_a_crlf_split_across_chunks_is_one_newline() -> None:
    source = TextSource(b"a\r\nb\r\nc")
    assert list(source.chunks(size=2)) and "".join(source.chunks(size=2)) == "a\nb\nc"
    assert [line for block in source.line_blocks(100) for line in block] == ["a", "b", "c"]


def test_multibyte_characters_split_across_chunks_decode() -> None:
    text = "é€𝄞" * 50
    assert "".join(TextSource(text.encode("utf-8")).chunks(size=7)) == text


def test_long_lines_are_cut_at_the_limit() -> None:
    source = TextSource(b"short\n" + b"x" * 5000 + b"\nafter\n")
    lines = [line for block in source.line_blocks(100) for line in block]
    assert lines == ["short", "x" * 100, "after"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("scopus.ris", "ris"), ("pubmed.nbib", "medline"), ("wos_plain.txt", "wos"),
     ("references.bib", "bibtex"), ("scopus.csv", "csv"), ("wos_tab.txt", "csv"),
     ("generic.csv", "csv"), ("rayyan.csv", "csv"), ("zotero.json", "csl-json"),
     ("endnote.xml", "endnote-xml"), ("odd_spacing.ris", "ris")],
)  # fmt: skip
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(data(name), name) == fmt


@pytest.mark.parametrize(
    ("name", "misleading", "fmt"),
    [("scopus.ris", "export.csv", "ris"), ("scopus.csv", "export.ris", "csv"),
     ("pubmed.nbib", "pubmed.ris", "medline"), ("zotero.json", "library.bib", "csl-json"),
     ("references.bib", "refs.txt", "bibtex"), ("endnote.xml", "endnote.ris", "endnote-xml")],
)  # fmt: skip
def test_detection_ignores_a_misleading_suffix(name: str, misleading: str, fmt: str) -> None:
    assert detect_format(data(name), misleading) == fmt
    assert parse(data(name), misleading).format == fmt


def test_a_format_can_be_forced_and_must_exist() -> None:
    assert parse(data("scopus.ris"), "x", format="ris").format == "ris"
    with pytest.raises(InvalidInput, match="unknown format 'marc'"):
        parse(data("scopus.ris"), "x", format="marc")


@pytest.mark.parametrize(
    ("name", "message"),
    [("empty.ris", "empty"), ("blank.ris", "empty"), ("binary.ris", "binary"),
     ("excel.csv", "ZIP archive"), ("not_a_format.txt", "not a recognised export format"),
     ("truncated.json", "not valid JSON at line 2"), ("entities.xml", "declares entities")],
)  # fmt: skip
def test_unreadable_files_raise_invalid_input_naming_the_file(name: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as raised:
        parse(data(name), name)
    assert name in str(raised.value)


def test_a_file_of_the_right_format_without_records_is_unreadable() -> None:
    with pytest.raises(InvalidInput, match="no records could be read as RIS"):
        parse(b"TY  - JOUR\nER  - \n", "empty-record.ris")
    with pytest.raises(InvalidInput, match="no records"):
        parse(b"Title,Authors,Year\n", "header-only.csv")


def test_iter_parse_detects_eagerly_and_streams() -> None:
    with pytest.raises(InvalidInput):
        iter_parse(b"", "empty.ris")  # raised at the call, before any iteration
    stream = iter_parse(data("scopus.ris"), "scopus.ris")
    assert (stream.format, stream.encoding) == ("ris", "utf-8")
    assert next(stream).title.startswith("Community-based")  # type: ignore[union-attr]
    assert len(list(stream)) == 1


def test_public_names() -> None:
    import realist.importers

    assert sorted(realist.importers.__all__) == [
        "FORMATS", "Format", "ParseResult", "ParseStream", "Problem", "decode",
        "detect_format", "iter_parse", "parse", "register",
    ]  # fmt: skip


def test_a_registered_format_takes_part_in_detection() -> None:
    def sniff(head: str) -> int:
        return 100 if head.startswith("%0 ") else 0

    def read(source: TextSource, context: Context) -> Iterator[Record | Problem]:
        for number, line in enumerate(source.text().splitlines(), 1):
            if line.startswith("%T "):
                yield from context.finish(lambda raw: Draft(title=raw[0][1]), [("T", line[3:])],
                                          number)  # fmt: skip

    register(Format("refer", "Refer", (".enw",), sniff, read))
    try:
        result = parse(b"%0 Journal Article\n%T A refer title\n", "x.txt")
        assert (result.format, result.records[0].title) == ("refer", "A refer title")
        assert str(Problem("x.ris", 3, "bad")) == "x.ris:3: bad"
    finally:
        del FORMATS["refer"]
