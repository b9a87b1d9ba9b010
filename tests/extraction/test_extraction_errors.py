"""Files that cannot be read raise InvalidInput naming the file, never a library's error."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from realist.errors import InvalidInput
from realist.extraction import extract

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("corrupt.pdf", "damaged or not really a PDF"),
        ("encrypted.pdf", "encrypted with a password"),
        ("empty.txt", "empty"),
        ("junk.bin", "binary"),
        ("not_word.docx", "not a Word document"),
    ],
)
def test_unreadable_fixture_raises_invalid_input(name: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        extract((FIXTURES / name).read_bytes(), name)
    assert str(raised.value).startswith(f"{name}: ")
    assert reason in str(raised.value)
    # No library exception chained on: the CLI prints one clean line, not a traceback.
    error = raised.value
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"   \n\t \r\n", "empty"),
        (b"%PDF-1.4\n%%EOF\n", "damaged or not really a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "old Word .doc"),
        (b"{\\rtf1\\ansi Hello}", "RTF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        (b"PK\x03\x04 this is no zip", "damaged ZIP"),
        (zipped({"xl/workbook.xml": b"<x/>"}), "Excel workbook"),
        (zipped({"word/document.xml": b"<not xml"}), "DOCX could not be read"),
        ("plain words\x00 with NULs".encode("utf-16-le"), "binary"),
    ],
)
def test_unreadable_bytes_raise_invalid_input(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason) as raised:
        extract(data, "upload.docx")
    assert str(raised.value).startswith("upload.docx: ")


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(InvalidInput, match=r"big\.txt: the file is 11 bytes, more than the 10"):
        extract(b"eleven char", "big.txt", max_bytes=10)
    assert extract(b"ten chars!", "ok.txt", max_bytes=10).text == "ten chars!"


def test_a_docx_that_unpacks_too_large_is_refused() -> None:
    data = (FIXTURES / "paragraphs.docx").read_bytes()
    members = {"word/document.xml": b"<w:document>" + b" " * (8 << 20) + b"</w:document>"}
    with pytest.raises(InvalidInput, match=r"paragraphs\.docx: .*compressed [0-9,]+ times"):
        extract(zipped(members), "paragraphs.docx")  # a bomb, refused by its ratio
    assert extract(data, "paragraphs.docx").format == "docx"


def test_truncated_pdf_raises_invalid_input() -> None:
    data = (FIXTURES / "three_pages.pdf").read_bytes()
    for cut in (10, len(data) // 3, len(data) // 2):
        try:
            result = extract(data[:cut], "cut.pdf")
        except InvalidInput as error:
            assert str(error).startswith("cut.pdf: ")
        else:  # PDFium repairs what it can; then the text must still be well formed
            assert result.format == "pdf"
            assert all(0 <= p.start <= p.end <= len(result.text) for p in result.pages)
