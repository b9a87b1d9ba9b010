"""Parsing a RIS file in worker processes gives exactly what parsing it in one piece gives:
the same records in the same order, the same problems on the same lines."""

from __future__ import annotations

import functools
import threading

import pytest

from realist.errors import InvalidInput, RealistError
from realist.importers import iter_parse
from realist.importers.base import Problem
from realist.importers.segments import Segment, parse_in_workers, splittable
from realist.store.records import record_row

encode = functools.partial(record_row, batch_id=7)


def _record(n: int) -> str:
    """Records in the shapes real exports have, one shape per residue of ``n``."""
    shapes = [
        f"TY  - JOUR\nTI  - Peer <i>support</i> &amp; mothers {n}\nAU  - Smith, J\nPY  - 2019\n"
        f"DO  - https://doi.org/10.1000/X{n}\nAB  - An abstract\n  that goes on {n}\nER  - \n",
        "TY  - JOUR\nAU  - Jones, A\nPY  - 2020\nER  - \n\n\n",  # no title: a problem
        f"TY  - BOOK\nTI  - A book {n}\nKW  - one\nKW  - two\nN1  - PMID: {n}\nER  - \n",
        f"TY  - JOUR\nTI  - No end line {n}\n",  # missing ER: ends at the next TY
        f"ER  - \nVL  - 3\nTY  - JOUR\nTI  - After a stray tag {n}\nER  - \n",
        f"TY  - JOUR\nTI  - {'Long title ' * 40}{n}\nER  - \n",  # cut at max_field_chars
    ]
    return shapes[n % len(shapes)]


def _this_test_s_threads() -> int:
    return 1 + sum(1 for t in threading.enumerate() if t.name == "test-other")


def _file(count: int, newline: str = "\n", bom: bool = False) -> bytes:
    text = "Exported from a database\n" + "".join(_record(n) for n in range(count))
    data = text.replace("\n", newline).encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def _sequential(data: bytes) -> tuple[list[list[object]], list[Problem]]:
    rows, problems = [], []
    for item in iter_parse(data, "big.ris", "ris", max_field_chars=300):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            rows.append(list(encode(item)))
    return rows, problems


def _in_workers(data: bytes, workers: int = 2) -> tuple[list[list[object]], list[Problem]]:
    stream = iter_parse(data, "big.ris", "ris", max_field_chars=300)
    segments: list[Segment] = list(parse_in_workers(stream, encode, workers, segment_bytes=500))
    assert len(segments) > 10  # really cut into many pieces
    rows = [list(row) for segment in segments for row in segment.rows]
    return rows, [p for segment in segments for p in segment.problems]


@pytest.mark.parametrize(
    ("newline", "bom", "workers"), [("\n", False, 2), ("\r\n", True, 3), ("\n", False, 1)]
)
def test_workers_read_exactly_what_one_parser_reads(newline: str, bom: bool, workers: int) -> None:
    data = _file(120, newline, bom)
    rows, problems = _in_workers(data, workers)
    assert (rows, problems) == _sequential(data)
    assert len(rows) > 90 and len(problems) > 40
    lines = [row[15] for row in rows]  # source_line: where each record starts in the file
    assert lines == sorted(lines) and lines[0] == 2


def test_undecodable_bytes_are_reported_once_with_the_first_line() -> None:
    # Valid UTF-8 first (so the file is read as UTF-8), then a stray Windows-1252 byte.
    data = "TY  - JOUR\nTI  - Café\nER  - \n".encode() + _file(60)
    data += b"TY  - JOUR\nTI  - Caf\xe9 culture\nER  - \n" + _file(60)
    rows, problems = _in_workers(data)
    assert (rows, problems) == _sequential(data)
    assert "not valid utf-8" in problems[-1].reason


def test_control_characters_are_reported_once_naming_lines_of_every_piece() -> None:
    body = _file(60)
    data = body + b"TY  - JOUR\nTI  - A\x00B\nER  - \n"
    data += body + b"TY  - JOUR\nTI  - \x0bC\nER  - \n"
    rows, problems = _in_workers(data)
    assert (rows, problems) == _sequential(data)
    first = body.count(b"\n") + 2
    second = first + 2 + body.count(b"\n") + 1
    assert problems[-1].line == first
    assert problems[-1].reason == (
        f"2 control characters removed (U+0000, U+000B) on lines {first} and {second}"
    )


def test_a_file_without_records_fails_in_workers_too() -> None:
    data = b"TY  - JOUR\nPY  - 2019\nER  - \n" * 100
    stream = iter_parse(data, "empty.ris", "ris")
    with pytest.raises(InvalidInput, match="no records could be read as RIS"):
        list(parse_in_workers(stream, encode, 2, segment_bytes=200))


def test_a_failing_worker_fails_the_whole_read() -> None:
    def broken(_record: object) -> list[object]:
        raise ValueError("cannot encode")

    stream = iter_parse(_file(60), "big.ris", "ris")
    with pytest.raises(RealistError, match="a parsing process failed: ValueError: cannot encode"):
        list(parse_in_workers(stream, broken, 2, segment_bytes=500))


def test_only_cuttable_files_are_split(monkeypatch: pytest.MonkeyPatch) -> None:
    from realist.importers import segments

    monkeypatch.setattr(segments, "MIN_BYTES", 1000)
    # Threads other tests left behind would make this process unsafe to fork; only the
    # one this test starts below counts.
    monkeypatch.setattr(segments.threading, "active_count", _this_test_s_threads)

    def stream(data: bytes, fmt: str = "ris") -> object:
        return iter_parse(data, "f", fmt)

    assert splittable(stream(_file(40)))
    assert not splittable(stream(_file(2)))  # too small to be worth it
    assert not splittable(stream(_file(40).decode().encode("utf-16")))  # newline is two bytes
    assert not splittable(stream(_file(40).replace(b"\n", b"\r")))  # old Mac line ends
    medline = b"PMID- 1\nTI  - A title\n\n" * 100
    assert not splittable(stream(medline, "medline"))  # a format without boundaries
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="test-other")
    other.start()
    try:
        assert not splittable(stream(_file(40)))  # forking a threaded process is unsafe
    finally:
        stop.set()
        other.join()
