"""What a file is and what is text in it: binary files by their content, stray control
characters cleaned and reported by line, lone surrogates cleaned at the parser boundary,
encodings without a BOM, and a format found past a long first line."""

from __future__ import annotations

import codecs
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.errors import InvalidInput
from realist.importers import decode, detect_format, parse
from realist.importers.base import Context, Draft
from realist.importers.cleaning import Cleaned, LineSet, clean_text, is_text
from realist.importers.text import sniff_encoding
from realist.services.reviews import init_review

N = 12


def ris(n: int = N) -> str:
    return "".join(
        f"TY  - JOUR\nTI  - Title {i} of a study\nAU  - Smith, A{i}\nPY  - 2020\n"
        f"AB  - Abstract of study {i}.\nER  - \n\n"
        for i in range(n)
    )


def medline(n: int = N) -> str:
    return "".join(
        f"PMID- {1000 + i}\nTI  - Title {i} of a study\nFAU - Smith, A{i}\nDP  - 2020\n"
        f"AB  - Abstract of study {i}.\n\n"
        for i in range(n)
    )


def wos(n: int = N) -> str:
    body = "".join(
        f"PT J\nAU Smith, A{i}\nTI Title {i} of a study\nPY 2020\nAB Abstract of study {i}.\nER\n\n"
        for i in range(n)
    )
    return f"FN Clarivate Analytics Web of Science\nVR 1.0\n{body}EF\n"


def bibtex(n: int = N) -> str:
    return "".join(
        f"@article{{key{i},\n  title = {{Title {i} of a study}},\n  author = {{Smith, A{i}}},\n"
        f"  year = {{2020}},\n  abstract = {{Abstract of study {i}.}}\n}}\n\n"
        for i in range(n)
    )


def csv(n: int = N) -> str:
    rows = "".join(f'Title {i} of a study,"Smith, A{i}",2020,Abstract of study {i}.\n'
                   for i in range(n))  # fmt: skip
    return "Title,Authors,Year,Abstract\n" + rows


def csl_json(n: int = N) -> str:
    items = [
        {"type": "article-journal", "title": f"Title {i} of a study",
         "author": [{"family": "Smith", "given": f"A{i}"}],
         "issued": {"date-parts": [[2020]]}, "abstract": f"Abstract of study {i}."}
        for i in range(n)
    ]  # fmt: skip
    return json.dumps(items, indent=1)


def endnote_xml(n: int = N) -> str:
    records = "".join(
        f'<record><ref-type name="Journal Article">17</ref-type><contributors><authors>'
        f"<author>Smith, A{i}</author></authors></contributors><titles><title>Title {i} of a "
        f"study</title></titles><dates><year>2020</year></dates>\n<abstract>Abstract of "
        f"study {i}.</abstract></record>\n"
        for i in range(n)
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n{records}</records></xml>\n'


SEEDS: dict[str, tuple[Callable[..., str], str]] = {
    "ris": (ris, "x.ris"),
    "medline": (medline, "x.nbib"),
    "wos": (wos, "x.txt"),
    "bibtex": (bibtex, "x.bib"),
    "csv": (csv, "x.csv"),
    "csl-json": (csl_json, "x.json"),
    "endnote-xml": (endnote_xml, "x.xml"),
}


def inserted(text: str, needle: str, what: str) -> tuple[bytes, int]:
    """``text`` with ``what`` put before ``needle``, and the line it went on."""
    at = text.index(needle)
    return (text[:at] + what + text[at:]).encode(), text.count("\n", 0, at) + 1


@pytest.mark.parametrize("fmt", list(SEEDS))
@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x01", "\x1a", "\x7f"])
@pytest.mark.parametrize("where", ["Title 0 of", "Title 2 of", "Abstract of study 3"])
def test_a_stray_control_character_is_removed_and_reported_in_every_format(
    fmt: str, char: str, where: str
) -> None:
    # One NUL in the first 64 KiB used to make the whole file "binary" (every record
    # refused); EndNote XML lost every record from the one holding a vertical tab.
    seed, name = SEEDS[fmt]
    data, line = inserted(seed(), where, char)
    result = parse(data, name)
    assert result.format == fmt
    assert sorted(r.title for r in result.records) == sorted(f"Title {i} of a study"
                                                             for i in range(N))  # fmt: skip
    assert all(char not in value for r in result.records for _, value in r.raw)
    (problem,) = result.problems
    assert problem.line == line
    assert problem.reason == f"1 control character removed (U+{ord(char):04X}) on line {line}"


def test_a_nul_after_the_first_64_kib_is_reported_too() -> None:
    # It used to be imported silently, while the same NUL earlier refused the whole file.
    text = ris(1000)
    data, line = inserted(text, "Title 900 of", "\x00")
    assert len(text[: text.index("Title 900 of")].encode()) > 1 << 16
    result = parse(data, "late.ris")
    assert len(result.records) == 1000
    assert [(p.line, p.reason) for p in result.problems] == [
        (line, f"1 control character removed (U+0000) on line {line}")
    ]


def test_control_characters_on_many_lines_are_summarised_by_line() -> None:
    lines = ris(30).split("\n")
    for number in (3, 4, 5, 10, 30):
        lines[number - 1] = lines[number - 1] + "\x00\x00"
    result = parse("\n".join(lines).encode(), "many.ris")
    assert len(result.records) == 30
    (problem,) = result.problems
    assert (problem.line, problem.reason) == (
        3, "10 control characters removed (U+0000 ×10) on lines 3–5, 10 and 30"
    )  # fmt: skip


def test_a_control_character_between_words_becomes_a_space_one_inside_a_word_goes() -> None:
    data = b"TY  - JOUR\nTI  - Peer\x0bsupport for mo\x00thers\nER  - \n"
    assert parse(data, "x.ris").records[0].title == "Peer support for mothers"


def test_c1_controls_are_read_as_windows_1252() -> None:
    # A Windows-1252 file read as Latin-1 and saved as UTF-8 carries U+0092 for ’.
    data = "TY  - JOUR\nTI  - Mothers\u0092 groups \u0096 a review\nER  - \n".encode()
    result = parse(data, "x.ris")
    assert result.records[0].title == "Mothers’ groups – a review"
    assert result.problems[0].reason == (
        "2 C1 control characters read as Windows-1252 (U+0092 as ’, U+0096 as –) on line 2"
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF"),
     (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image (PNG)"),
     (b"\xff\xd8\xff\xe0\x00\x10JFIF", "an image (JPEG)"),
     (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive"),
     (b"\x1f\x8b\x08\x00\x00\x00", "gzip-compressed"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old Office file"),
     (b"SQLite format 3\x00\x10\x00", "an SQLite database"),
     (b"\x7fELF\x02\x01\x01", "a program"),
     (b"{\\rtf1\\ansi TY  - JOUR", "an RTF document")],
)  # fmt: skip
def test_files_that_are_not_exports_are_named_by_what_they_are(data: bytes, what: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(what)):
        parse(data + bytes(range(256)) * 4, "export.ris")


def test_binary_content_is_refused_by_its_share_of_control_runs() -> None:
    noise = random.Random(12).randbytes(20_000)
    with pytest.raises(InvalidInput, match="binary"):
        parse(b"TY  - JOUR\n" + noise, "noise.ris")
    program = Path("/usr/bin/env").read_bytes() if Path("/usr/bin/env").exists() else noise
    with pytest.raises(InvalidInput, match=r"binary|a program"):
        parse(program[4:], "program.ris")  # without its magic number


def test_a_long_run_of_nuls_in_a_text_export_is_cleaned_not_binary() -> None:
    data = ris(3).encode().replace(b"ER  - \n\nTY", b"ER  - \n" + b"\x00" * 5000 + b"\nTY", 1)
    result = parse(data, "padded.ris")
    assert len(result.records) == 3
    assert result.problems[0].reason == "5,000 control characters removed (U+0000 ×5,000) on line 7"


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_without_a_bom_is_read(codec: str) -> None:
    # It was refused as binary.
    text = ris(3).replace("Smith", "Müller")
    assert sniff_encoding(text.encode(codec)) == codec
    result = parse(text.encode(codec), "utf32.ris")
    assert result.encoding == codec
    assert result.records[0].authors == ["Müller, A0"]
    assert result.problems == []


def test_utf16_without_a_bom_is_still_read() -> None:
    result = parse(ris(2).encode("utf-16-le"), "utf16.ris")
    assert (result.encoding, len(result.records)) == ("utf-16-le", 2)


def test_a_line_over_64_kib_before_the_first_ris_record_does_not_hide_the_format() -> None:
    # It made the file "not a recognised export format".
    data = b"Exported from a database " + b"x" * 70_000 + b"\n\n" + ris(3).encode()
    assert detect_format(data, "long.ris") == "ris"
    assert len(parse(data, "long.ris").records) == 3
    data = b"Provider: " + b"y" * 300_000 + b"\n" + ris(3).encode()
    assert len(parse(data, "long.txt").records) == 3


def test_a_long_first_line_of_minified_json_is_still_json() -> None:
    text = csl_json(2000).replace("\n", "")
    assert len(text) > 1 << 16
    assert detect_format(text.encode(), "x.json") == "csl-json"


def test_a_lone_surrogate_from_a_json_escape_is_replaced_and_reported() -> None:
    # It passed parsing and then stopped the import when the record was stored.
    result = parse(b'[{"title":"a\\ud800"},{"title":"b"}]', "surrogate.json")
    assert [r.title for r in result.records] == ["a\ufffd", "b"]
    assert result.records[0].raw == [("title", "a\ufffd")]
    assert [(p.line, p.reason) for p in result.problems] == [
        (1, "record holds characters that are not text: 1 lone surrogate replaced by U+FFFD "
            "(U+D800)")
    ]  # fmt: skip


def test_every_string_of_a_json_record_is_cleaned_keys_and_names_too() -> None:
    data = (b'[{"title":"a\\u0000b","ab\\udc00stract":"x","author":[{"family":"M\\u0092s"}],'
            b'"DOI":"10.1234/\\u0001x"}]')  # fmt: skip
    record = parse(data, "x.json").records[0]
    assert (record.title, record.authors, record.doi) == ("ab", ["M’s"], "10.1234/x")
    assert ("ab\ufffdstract", "x") in record.raw
    assert all(is_text(n) and is_text(v) for n, v in record.raw)


def test_a_url_escaped_nul_in_a_doi_is_cleaned_in_line_formats_too() -> None:
    result = parse(b"TY  - JOUR\nTI  - T\nDO  - https://doi.org/10.1234/ab%00cd\nER  - \n", "x.ris")
    assert result.records[0].doi == "10.1234/abcd"
    assert "record holds characters that are not text" in result.problems[0].reason


def test_records_made_by_hand_are_cleaned_at_the_boundary() -> None:
    context = Context("made.ris")
    record = context.record(Draft(title="a\x00b\ud800", authors=["X\x0b"]), [("TI", "a\x00")], 7)
    assert record is not None
    assert (record.title, record.authors, record.raw) == ("ab\ufffd", ["X"], [("TI", "a")])
    (problem,) = context.drain()
    assert problem.line == 7
    assert problem.reason.startswith("record holds characters that are not text: 3 control")


def test_realist_import_of_a_lone_surrogate_imports_both_records(
    db_target: str, tmp_path: Path
) -> None:
    init_review(db_target, "t", "ann").close()
    path = tmp_path / "surrogate.json"
    # A NUL escape too: PostgreSQL refuses NUL in text.
    path.write_bytes(b'[{"title":"a\\ud800"},{"title":"b"},{"title":"c\\u0000d"}]')
    result = CliRunner().invoke(cli, ["--db", db_target, "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    (summary,) = json.loads(result.output)
    assert summary["imported"] == 3
    assert [p["line"] for p in summary["problems"]] == [1, 3]
    assert "lone surrogate replaced by U+FFFD" in summary["problems"][0]["reason"]
    records = CliRunner().invoke(cli, ["--db", db_target, "records", "--json"])
    assert sorted(r["title"] for r in json.loads(records.output)) == ["a\ufffd", "b", "cd"]


def test_realist_import_of_a_file_with_a_nul_lists_the_problem(
    db_target: str, tmp_path: Path
) -> None:
    init_review(db_target, "t", "ann").close()
    path = tmp_path / "nul.ris"
    path.write_bytes(inserted(ris(), "Title 1 of", "\x00")[0])
    result = CliRunner().invoke(cli, ["--db", db_target, "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "12 imported, 1 problem" in result.output
    assert "nul.ris:9: 1 control character removed (U+0000) on line 9" in result.output


def test_decode_cleans_and_the_fast_test_agrees_with_the_slow_one() -> None:
    assert decode(b"TY  - JOUR\x00\r\nTI  - a\x00b\r\n") == "TY  - JOUR\nTI  - ab\n"
    for text in ("plain", "tab\tand\nnewline\r", "é", "’", "\x00", "é\x85", "’\x9f", "’\ud800",
                 "\x7f", "\ufffd", "𝄞"):  # fmt: skip
        assert is_text(text) == (clean_text(text, Cleaned()) == text), repr(text)


def test_line_sets_name_ranges_and_count_the_rest() -> None:
    lines = LineSet(limit=3)
    for line in (1, 2, 3, 5, 7, 9, 10):
        lines.add(line)
    assert str(lines) == "lines 1–3, 5, 7 and 2 more"
    one = LineSet()
    one.add(4)
    assert (str(one), one.first) == ("line 4", 4)
    merged = LineSet()
    merged.merge(lines, offset=100)
    assert (merged.count, str(merged)) == (7, "lines 101–103, 105, 107 and 2 more")


def test_utf32_with_a_bom_and_codecs_agree() -> None:
    assert sniff_encoding(codecs.BOM_UTF32_BE + "TY".encode("utf-32-be")) == "utf-32"
