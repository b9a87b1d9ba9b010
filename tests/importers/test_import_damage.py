"""One damaged line loses at most its own record, and every lost record is reported with
its line: RIS, MEDLINE, Web of Science and CSV/TSV, for every line of small exports and
every kind of one-line damage; and the damaged tables that were reported."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable, Iterator

import pytest
from import_timing import fastest_times

from realist.errors import InvalidInput
from realist.importers import ParseResult, parse
from realist.importers.base import Context
from realist.importers.delimited import _Rows
from realist.importers.text import TextSource

N = 8
Seed = tuple[list[str], list[tuple[int, int]], str]  # lines, each record's first/last line, name


def ris_seed() -> Seed:
    lines: list[str] = []
    spans = []
    for k in range(N):
        first = len(lines) + 1
        lines += ["TY  - JOUR", f"TI  - Title {k} of a study", f"AU  - Smith, A{k}",
                  "AU  - Jones, B", "PY  - 2020", "AB  - An abstract that runs",
                  "  over two lines.", "ER  - ", ""]  # fmt: skip
        spans.append((first, len(lines) - 1))
    return lines, spans, "x.ris"


def medline_seed() -> Seed:
    lines: list[str] = []
    spans = []
    for k in range(N):
        first = len(lines) + 1
        lines += [f"PMID- {1000 + k}", f"TI  - Title {k} of a study", "      continued title.",
                  f"FAU - Smith, A{k}", "DP  - 2020", "AB  - An abstract.", ""]  # fmt: skip
        spans.append((first, len(lines) - 1))
    return lines, spans, "x.nbib"


def wos_seed() -> Seed:
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    spans = []
    for k in range(N):
        first = len(lines) + 1
        lines += ["PT J", f"AU Smith, A{k}", "   Jones, B", f"TI Title {k} of a study",
                  "   continued", "PY 2020", "ER", ""]  # fmt: skip
        spans.append((first, len(lines) - 1))
    return [*lines, "EF"], spans, "x.txt"


def table_seed(header: str, single: str, multi: list[str], name: str) -> Callable[[], Seed]:
    """A table whose every third record has a value over three lines."""

    def seed() -> Seed:
        lines, spans = [header], []
        for k in range(N):
            first = len(lines) + 1
            lines += [line.format(k=k) for line in (multi if k % 3 == 1 else [single])]
            spans.append((first, len(lines)))
        return lines, spans, name

    return seed


csv_seed = table_seed(
    "Title,Authors,Year,Abstract",
    'Title {k} of a study,"Smith, A{k}; Jones, B",2020,Plain abstract',
    ['Title {k} of a study,"Smith, A{k}; Jones, B",2020,"Para one', "para two, with comma",
     'end"'],
    "x.csv",
)  # fmt: skip
quoted_csv_seed = table_seed(
    '"Title","Authors","Year","Abstract"',
    '"Title {k} of a study","Smith, A{k}","2020","Plain abstract"',
    ['"Title {k} of a study","Smith, A{k}; Jones, B","2020","Para ""one""', "para two", 'end"'],
    "x.csv",
)
# Excel's "Unicode text": tab-delimited, the header unquoted, only cells with a line break,
# tab or quote quoted.
excel_tsv_seed = table_seed(
    "Title\tAuthors\tYear\tAbstract",
    "Title {k} of a study\tSmith, A{k}\t2020\tPlain abstract",
    ['Title {k} of a study\tSmith, A{k}\t2020\t"Para one', 'para ""two""', 'end"'],
    "x.txt",
)  # fmt: skip

SEEDS = {"ris": ris_seed, "medline": medline_seed, "wos": wos_seed, "csv": csv_seed,
         "quoted-csv": quoted_csv_seed, "excel-tsv": excel_tsv_seed}  # fmt: skip


def damaged(lines: list[str], index: int) -> Iterator[tuple[str, list[str]]]:
    """Every kind of damage to line ``index`` (0-based)."""
    line = lines[index]
    mid = len(line) // 2
    before, after = lines[:index], lines[index + 1 :]

    def put(what: str, at: int = mid) -> list[str]:
        return [*before, line[:at] + what + line[at:], *after]

    yield "deleted", before + after
    yield "duplicated", [*before, line, line, *after]
    yield "replaced", [*before, "zz garbage ! line", *after]
    yield "cut in half", [*before, line[:mid], *after]
    yield "split in two", [*before, line[:mid], line[mid:], *after]
    if after:
        yield "joined to the next", [*before, line + after[0], *after[1:]]
    for what in ('"', '""', "\x00", "\x0b", "\ufeff", "\r", "\t", ",", "{", "}"):
        yield f"{what!r} inserted", put(what)
    yield "quote at the start", put('"', 0)
    yield "quote at the end", put('"', len(line))
    rnd = random.Random(index)
    for _ in range(4):
        if line:
            at = rnd.randrange(len(line))
            flipped = chr(rnd.randrange(32, 127))
            yield f"{line[at]!r} flipped to {flipped!r}", [*before, line[:at] + flipped
                                                          + line[at + 1 :], *after]  # fmt: skip


def check(seed: Seed, kind: str, index: int, result: ParseResult) -> list[str]:
    """What is wrong with ``result``: records lost beyond the damaged one, lost records
    not reported near their lines, and records made up without a problem near the damage."""
    _, spans, _ = seed
    hit = {
        k
        for k, (first, last) in enumerate(spans)
        if first <= index + 1 <= last or (kind == "joined to the next" and first == index + 2)
    }
    found: set[int] = set()
    unmatched = 0
    for record in result.records:
        title = re.search(r"Title (\d) of", re.sub('["\t]', "", record.title))
        if title and int(title.group(1)) not in found:
            found.add(int(title.group(1)))
        else:
            unmatched += 1
    lost = set(range(N)) - found
    wrong = [f"record {k} lost with line {index + 1}" for k in sorted(lost - hit)]
    # A damaged record that is still there under a mangled title is not lost.
    really_lost = (lost - hit) | set(sorted(lost & hit)[unmatched:])
    made_up = unmatched - len(lost & hit) - (kind == "duplicated")
    near = [p.line for p in result.problems]
    for k in sorted(really_lost):
        first, last = spans[k]
        whole_line_deleted = kind == "deleted" and first == last == index + 1
        if not whole_line_deleted and not any(first - 2 <= n <= last + 2 for n in near):
            wrong.append(f"record {k} lost without a problem near lines {first}-{last}")
    if made_up > 0 and not any(abs(n - (index + 1)) <= 3 for n in near):
        wrong.append(f"{made_up} record(s) made up without a problem near line {index + 1}")
    return wrong


@pytest.mark.parametrize("fmt", list(SEEDS))
def test_one_damaged_line_loses_at_most_its_record_and_says_so(fmt: str) -> None:
    seed = SEEDS[fmt]()
    lines, _, name = seed
    assert len(parse("\n".join(lines).encode(), name).records) == N
    # A table's header names its columns: damage there is another matter (below).
    skip = 1 if fmt in ("csv", "quoted-csv", "excel-tsv") else 0
    failures = []
    for index in range(skip, len(lines)):
        for kind, text in damaged(lines, index):
            try:
                result = parse("\n".join(text).encode(), name)
            except InvalidInput as error:
                failures.append(f"line {index + 1} {kind}: {error}")
                continue
            failures += [f"line {index + 1} {kind}: {w}" for w in check(seed, kind, index, result)]
    assert failures == []


@pytest.mark.parametrize("fmt", ["csv", "quoted-csv", "excel-tsv"])
@pytest.mark.parametrize(
    "kind", ["'\"' inserted", "quote at the start", "quote at the end", "'\\t' inserted",
             "',' inserted", "cut in half", "joined to the next", "duplicated"],
)  # fmt: skip
def test_damage_to_a_header_that_still_names_its_columns_loses_nothing_silently(
    fmt: str, kind: str
) -> None:
    seed = SEEDS[fmt]()
    lines, _, name = seed
    (text,) = [text for k, text in damaged(lines, 0) if k == kind]
    assert check(seed, kind, 0, parse("\n".join(text).encode(), name)) == []


def test_an_unbalanced_quote_no_longer_swallows_the_rest_of_a_csv() -> None:
    # It gave one record titled "unbalanced,A,2020 T0,B,2021 T1,B,2021", with no problem.
    result = parse(b'Title,Authors,Year\n"unbalanced,A,2020\nT0,B,2021\nT1,B,2021\n', "x.csv")
    assert [(r.title, r.authors, r.year) for r in result.records] == [
        ("unbalanced", ["A"], 2020), ("T0", ["B"], 2021), ("T1", ["B"], 2021)
    ]  # fmt: skip
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "a quoted value is never closed; line 2 was read again as one row without quotes")
    ]
    rows = "".join(f"T{i},B,2021\n" for i in range(50))
    result = parse(f'Title,Authors,Year\n"unbalanced,A,2020\n{rows}'.encode(), "x.csv")
    assert len(result.records) == 51
    assert [p.line for p in result.problems] == [2]


def test_a_stray_quote_makes_no_phantom_record() -> None:
    # It gave three records: "A,x", 'y"' and "B".
    result = parse(b'Title,Abstract,Year\n"A,"x\ny",2020\nB,z,2021\n', "x.csv")
    assert [(r.title, r.abstract, r.year) for r in result.records] == [
        ("A", "x y", 2020), ("B", "z", 2021)
    ]  # fmt: skip
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "a closing quote is followed by text, not by a delimiter; lines 2–3 were read "
            "again as one row without quotes")
    ]  # fmt: skip


def test_excel_unicode_text_with_quoted_multi_line_cells() -> None:
    # Quoting was switched off for every tab file whose header has no quotes: the cell's
    # second line became a record of its own.
    data = b'Title\tAbstract\tYear\nA\t"multi\nline ""quoted"""\t2020\nB\tz\t2021\n'
    result = parse(data, "excel.txt")
    assert [(r.title, r.year) for r in result.records] == [("A", 2020), ("B", 2021)]
    assert dict(result.records[0].raw)["Abstract"] == 'multi\nline "quoted"'
    assert result.problems == []


def test_a_runaway_quote_in_a_large_table_costs_one_second_reading() -> None:
    rows = "".join(f"Title {i},Author {i},2020\n" for i in range(20_000))
    result = parse(f'Title,Authors,Year\n"Stray,A,2020\n{rows}'.encode(), "big.csv")
    assert len(result.records) == 20_001
    assert [p.line for p in result.problems] == [2]


def test_a_row_that_repeats_the_header_is_skipped_and_said() -> None:
    data = b"Title,Year\nA,2020\nTitle,Year\nB,2021\n"
    result = parse(data, "joined.csv")
    assert [r.title for r in result.records] == ["A", "B"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (3, "row repeats the header (were files joined?); skipped")
    ]


def test_ragged_tables_are_read_with_one_word_per_new_shape() -> None:
    # Hand-made tables leave trailing cells out; that is said, not refused, and a shape met
    # twice is a shape of the table.
    data = b"Title,Authors,Year,Abstract\nA,X,2020\nB,Y,2021\nC,Z,2022\nD,W,2023,Text\n"
    result = parse(data, "ragged.csv")
    assert [r.title for r in result.records] == ["A", "B", "C", "D"]
    assert [p.line for p in result.problems] == [1]  # most rows have 3 values


def test_wos_tags_after_a_damaged_pt_line_are_reported() -> None:
    # The record was lost without a word.
    data = (b"FN Clarivate Analytics Web of Science\nVR 1.0\n"
            b"PT J\nAU Smith, A\nTI Title 0\nER\n\n"
            b"PX J\nAU Smith, B\nTI Title 1\nER\n\n"
            b"PT J\nAU Smith, C\nTI Title 2\nER\nEF\n")  # fmt: skip
    result = parse(data, "wos.txt")
    assert [r.title for r in result.records] == ["Title 0", "Title 2"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (8, "tag PX outside any record (no PT line before it); ignored up to the next PT")
    ]


SHAPES: dict[str, Callable[[int], bytes]] = {
    "valid": lambda n: b"Title,Authors,Year\n" + b'A title,"Smith, A",2020\n' * (n // 24),
    "one long line": lambda n: b"Title,Authors,Year\n" + b"x" * n + b"\n",
    "an unclosed quote on every line": lambda n: b"Title,Authors,Year\n"
    + b'"a,b,2020\n' * (n // 10),
    "a quote chain": lambda n: b'Title,Authors,Year\nT,"a\n' + b'x","y\n' * (n // 6),
    "a chain between good rows": lambda n: b'Title,Authors,Year\nT,"a\n' + b'x","y\nT,A,2020\n'
    * (n // 15),
    "only quotes": lambda n: b"Title,Authors,Year\n" + b'"' * n,
}  # fmt: skip


def _parse_table(data: bytes) -> None:
    with contextlib.suppress(InvalidInput):
        parse(data, "x.csv")


@pytest.mark.parametrize("shape", list(SHAPES))
def test_rereading_a_damaged_table_is_bounded_by_its_size(shape: str) -> None:
    # Resynchronising hands lines to the csv module again; a budget keeps that within a few
    # times the file (counted, so that a loaded machine cannot make the test fail).
    for size in (100_000, 400_000):
        rows = _Rows(TextSource(SHAPES[shape](size)), Context("x.csv"), 4_000_064)
        for _ in rows:
            pass
        assert rows.feed.fed <= 5 * rows.feed.read + 1_000, (size, rows.feed.fed, rows.feed.read)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_reading_a_damaged_table_stays_linear(shape: str) -> None:
    # Four times the input may take four times as long; a quadratic reading would take
    # sixteen. The margin absorbs a machine loaded by other work.
    make = SHAPES[shape]
    small_data, large_data = make(50_000), make(200_000)
    small, large = fastest_times(lambda: _parse_table(small_data), lambda: _parse_table(large_data))
    assert large < 10 * small + 0.05, (small, large)


def test_a_ris_tag_line_with_a_damaged_tag_is_kept_and_said() -> None:
    # Found importing a reviewer's own Scopus file: "T#  - text" has the shape of a tag line
    # but no tag, so it reads as a continuation of the field before it (the journal gained
    # the text) and nothing was said.
    data = (b"TY  - JOUR\nTI  - A study\nJO  - Journal of Adolescence\nT#  - broken tag line\n"
            b"ER  - \n\nTY  - JOUR\nTI  - Another\nER  - \n")  # fmt: skip
    result = parse(data, "scopus.ris")
    assert [r.title for r in result.records] == ["A study", "Another"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (4, "'T#' is not a RIS tag; the line was kept as a continuation of the field before it")
    ]
