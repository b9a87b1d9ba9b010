"""Data in a report never changes the report's structure, whatever characters it holds.

Each format has one escaping rule (``realist.reports.escaping``); these properties put
arbitrary text where data goes and read the output back with a parser of that format.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from realist.reports.blocks import BulletList, Heading, Paragraph, Report, Run, Table, inline
from realist.reports.docx_writer import render_docx
from realist.reports.escaping import spreadsheet_text, xml_text
from realist.reports.html_writer import render_html
from realist.reports.text_writers import render_csv, render_markdown
from realist.reports.xlsx_writer import render_xlsx

# Every kind of character, with the ones that mean something to a format made likely.
SPECIAL = "*_`~#|<>[]()!&$\\-+=@:;.,'\"\n\r\t \x00\x07\x1b\u00a0\u2028"
data = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8")), max_size=40
)
styles = st.frozensets(st.sampled_from(["bold", "italic", "struck"]))


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class _Text(HTMLParser):
    """The text of HTML by element: ``rows`` of cells (th/td), ``blocks`` (p, li, h1-h6,
    caption outside tables); a line break or a new paragraph in a cell is a newline."""

    BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "caption"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.blocks: list[str] = []
        self._open: list[tuple[str, list[str]]] = []  # element, its text so far
        self._paragraphs = 0  # in the open cell

    def _in_cell(self) -> bool:
        return any(tag in ("td", "th") for tag, _ in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag == "br" or (tag == "p" and self._in_cell() and self._paragraphs):
            self.handle_data("\n")
        if tag == "p" and self._in_cell():
            self._paragraphs += 1
        if tag in ("td", "th"):
            self._paragraphs = 0
        if tag in ("td", "th") or (tag in self.BLOCKS and not self._in_cell()):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1][0]:
            _, text = self._open.pop()
            if tag in ("td", "th"):
                self.rows[-1].append("".join(text))
            else:
                self.blocks.append("".join(text))

    def handle_data(self, text: str) -> None:
        for _, buffer in self._open:
            buffer.append(text)


def _parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def _as_read(text: str) -> str:
    """What a reader of the Markdown sees: control characters as U+FFFD, whitespace runs
    as one space (Markdown trims and folds them), line breaks as breaks."""
    text = "".join(
        "\ufffd" if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc" else ch
        for ch in text.replace("\r\n", "\n").replace("\r", "\n")
    )
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _folded(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(data, min_size=1, max_size=4), cells=st.lists(data, max_size=12))
def test_markdown_tables_keep_their_columns_and_text(columns: list[str], cells: list[str]) -> None:
    width = len(columns)
    rows = [cells[i : i + width] for i in range(0, len(cells), width)]
    rows = [row + [""] * (width - len(row)) for row in rows]
    table = Table.build("A table", columns, rows)
    html = _markdown().render(render_markdown(Report("Title", [table])))
    parsed = _parsed(html)
    assert len(parsed.rows) == len(rows) + 1
    for got, want in zip(parsed.rows, [columns, *rows], strict=True):
        assert len(got) == width
        assert [_folded(g) for g in got] == [_as_read(w) for w in want]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(data, styles), min_size=1, max_size=5), data)
def test_markdown_paragraphs_and_emphasis_read_back(
    runs: list[tuple[str, frozenset[str]]], heading: str
) -> None:
    line = tuple(
        Run(text, bold="bold" in s, italic="italic" in s, struck="struck" in s) for text, s in runs
    )
    report = Report("T", [Heading(heading), Paragraph(line), BulletList((line,))])
    parsed = _parsed(_markdown().render(render_markdown(report)))
    whole = _as_read("".join(text for text, _ in runs))
    # The title, the heading, the paragraph and the list item, in order, each with its
    # text and no marker left over (an empty paragraph may or may not be there).
    found = [_folded(b) for b in parsed.blocks]
    assert len(found) in (3, 4)
    assert [b for b in found if b] == [b for b in ("T", _as_read(heading), whole, whole) if b]


def test_emphasis_next_to_punctuation_closes() -> None:
    """The reported case: an attribute label in italics, then its value."""
    line = inline(Run("bp device: ", muted=True), "yes")
    markdown = render_markdown(Report("T", [Paragraph(line)]))
    assert "*bp device:* yes" in markdown
    assert "<em>bp device:</em> yes" in _markdown().render(markdown)
    tight = inline(Run("(n=3)", italic=True), "more")
    assert "<em>(n=3)</em>more" in _markdown().render(
        render_markdown(Report("T", [Paragraph(tight)]))
    )


@settings(max_examples=100, deadline=None)
@given(data, data, data)
def test_html_finds_the_text_back(title: str, heading: str, value: str) -> None:
    report = Report(title, [Heading(heading), Paragraph(inline(value)),
                            Table.build(value, [heading], [[value]])])  # fmt: skip
    parsed = _parsed(render_html(report))
    assert parsed.blocks[:3] == [title, heading, value]
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert parsed.rows == [[heading], ["\n".join(lines) if len(lines) > 1 else value]]


@settings(max_examples=60, deadline=None)
@given(st.lists(data, min_size=2, max_size=2))
def test_xlsx_cells_hold_the_text_and_never_a_formula(values: list[str]) -> None:
    report = Report("T", [Table.build("T", values, [values])])
    book = load_workbook(io.BytesIO(render_xlsx(report, None)))
    sheet = book.active
    assert sheet is not None
    for row in (1, 2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column)
            assert cell.data_type == "s" or (cell.value is None and not value)
            # Line breaks are "\n" in a cell, however the text ended its lines.
            assert (cell.value or "") == _newlines(xml_text(value))


def test_a_formula_in_a_heading_stays_text() -> None:
    report = Report("T", [Table.build("T", ['=HYPERLINK("http://x")'], [["=1+1"]])])
    sheet = load_workbook(io.BytesIO(render_xlsx(report, None))).active
    assert sheet is not None
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == '=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"


@settings(max_examples=100, deadline=None)
@given(st.lists(data, min_size=1, max_size=3))
def test_csv_cells_read_back_defused(values: list[str]) -> None:
    text = render_csv(Report("T", [Table.build("T", values, [values])]))
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert read == [[spreadsheet_text(v) for v in values]] * 2
    for cell in read[1]:
        # Only a plain number ("+4.5") may start with a formula character.
        assert not cell.startswith(("=", "+", "@")) or re.fullmatch(r"\+\d+(\.\d+)?", cell)


def test_spreadsheet_text_keeps_numbers_and_defuses_formulas() -> None:
    assert spreadsheet_text("-3") == "-3" and spreadsheet_text("+4.5") == "+4.5"
    assert spreadsheet_text("=1+1") == "'=1+1" and spreadsheet_text("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_text("-3+2") == "'-3+2" and spreadsheet_text("a=b") == "a=b"


@settings(max_examples=40, deadline=None)
@given(data)
def test_docx_holds_any_text(value: str) -> None:
    from docx import Document

    document = Document(io.BytesIO(render_docx(Report("T", [Paragraph(inline(value))]), None)))
    texts = [p.text for p in document.paragraphs]
    assert texts[-1] == _newlines(xml_text(value))


@settings(max_examples=60, deadline=None)
@given(data)
def test_svg_text_is_escaped_xml(value: str) -> None:
    from realist.reports.svg import text

    svg = f'<svg xmlns="http://www.w3.org/2000/svg">{text(1, 2, value)}</svg>'
    found = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}text")
    assert found is not None
    assert (found.text or "") == _newlines(xml_text(value))  # XML reads "\r" as "\n"


def test_a_windows_line_end_is_one_line_break_in_docx() -> None:
    from docx import Document

    made = render_docx(Report("T", [Paragraph(inline("a\r\nb\rc"))]), None)
    assert [p.text for p in Document(io.BytesIO(made)).paragraphs][-1] == "a\nb\nc"
