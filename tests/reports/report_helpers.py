"""Helpers shared by the report tests (reading DOCX runs, converting with LibreOffice)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

SCRIPT = "<script>alert('x')</script>"
NEW_TITLE = f"Feeling safe online {SCRIPT}"


def docx_text_runs(data: bytes) -> list[tuple[str, bool]]:
    """(text, struck) of every run in a DOCX, body and tables."""
    from docx import Document

    document = Document(io.BytesIO(data))
    runs = [(r.text, bool(r.font.strike)) for p in document.paragraphs for r in p.runs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    runs += [(r.text, bool(r.font.strike)) for r in p.runs]
    return runs


def zip_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def pdf_text_of_docx(data: bytes, tmp_path: Path) -> str:
    """Convert a DOCX with LibreOffice (as a reader would open it) and return the PDF's
    text; skips when LibreOffice is not installed."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer-nogui)")
    import pypdfium2 as pdfium

    source = tmp_path / "report.docx"
    source.write_bytes(data)
    profile = (tmp_path / "lo-profile").as_uri()  # a private profile: parallel runs are safe
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = pdfium.PdfDocument(str(tmp_path / "report.pdf"))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
