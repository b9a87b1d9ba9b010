"""Parsing a large export in worker processes while the importer stores what they make.

Why: importing 100k records spends about as long parsing (pure Python, which holds the GIL,
so threads cannot help) as SQLite spends writing. Parsing in worker processes while the
importing process writes cuts the time of a large import by about two fifths on a machine
with two cores (bench/import_ris.py).

How: the file's bytes are cut into segments at the format's ``boundary``, a place where a
fresh parser is in exactly the state the sequential one would be in (between records). Each
of ``workers`` forked processes parses every W-th segment, encodes each record with the
caller's ``encode`` (a row ready for SQLite's executemany or PostgreSQL's COPY) and sends
the segment's rows and problems as one message; the caller reads the segments in file
order, so stored records keep the file's order and every line number is the one the
sequential parser would give. Workers are forked so that they share the file's bytes and
the encoder without copying or pickling; forking a process that runs other threads (the
web server) is unsafe, so :func:`splittable` says no there and the import parses
in-process as before.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from realist.domain.records import Record
from realist.errors import RealistError
from realist.importers.base import Context, Problem
from realist.importers.cleaning import Cleaned
from realist.importers.reading import ParseStream, ending
from realist.importers.text import TextSource

__all__ = ["MIN_BYTES", "WORKERS", "Segment", "parse_in_workers", "splittable"]

WORKERS = 2  # the machines Realist runs on have two cores or more
SEGMENT_BYTES = 4 << 20  # small enough to keep each message lean, big enough to be cheap
MIN_BYTES = 16 << 20  # below this, starting workers costs more than it saves
# Encodings in which a newline byte is always a newline, so bytes can be cut at one.
_CUTTABLE_ENCODINGS = frozenset(("utf-8", "utf-8-sig", "cp1252"))

Encoder = Callable[[Record], Sequence[object]]


@dataclass
class Segment:
    """One piece of the file, parsed: its records encoded, in file order, and its problems."""

    rows: list[list[object]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def splittable(stream: ParseStream) -> bool:
    """Whether ``stream`` is worth parsing in workers (``MIN_BYTES``), and can be, here."""
    data = stream.source.data
    return (
        stream.fmt.boundary is not None
        and len(data) >= MIN_BYTES
        and stream.encoding in _CUTTABLE_ENCODINGS
        and hasattr(os, "fork")
        and threading.active_count() == 1
        # A lone CR is a line end too (old Mac files); then newline bytes miscount lines.
        and (b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"))
    )


def _cuts(stream: ParseStream, size: int) -> list[int]:
    """Offsets where segments start, and the file's length at the end."""
    boundary = stream.fmt.boundary
    assert boundary is not None
    data = stream.source.data
    cuts = [0]
    while cuts[-1] + size < len(data):
        found = boundary.search(data, cuts[-1] + size)
        if found is None:
            break
        cuts.append(found.end())
    cuts.append(len(data))
    return cuts


def parse_in_workers(
    stream: ParseStream, encode: Encoder, workers: int = WORKERS, segment_bytes: int | None = None
) -> Iterator[Segment]:
    """The segments of ``stream``'s file, parsed by ``workers`` processes, in file order.

    Ends like :class:`ParseStream`: a last segment with the problems about undecodable bytes
    and characters that are not text, if any, and InvalidInput when not one record could be
    read.
    """
    data = stream.source.data
    cuts = _cuts(stream, segment_bytes or SEGMENT_BYTES)
    lines_before = [0]
    for start, end in itertools.pairwise(cuts[:-1]):
        lines_before.append(lines_before[-1] + data.count(b"\n", start, end))
    fork = multiprocessing.get_context("fork")
    pipes: list[Connection] = []
    processes = []
    try:
        for first in range(min(workers, len(cuts) - 1)):
            receiving, sending = fork.Pipe(duplex=False)
            pipes.append(receiving)
            process = fork.Process(
                target=_work,
                args=(stream, cuts, lines_before, first, workers, encode, sending, pipes),
                daemon=True,
            )
            process.start()
            sending.close()
            processes.append(process)
        yield from _collect(stream, pipes, len(cuts) - 1)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for pipe in pipes:
            pipe.close()


def _collect(stream: ParseStream, pipes: list[Connection], count: int) -> Iterator[Segment]:
    records = fallback_bytes = fallback_line = 0
    cleaned = Cleaned()
    first_problems: list[Problem] = []
    for index in range(count):
        try:
            # Pickle, not JSON: the rows come from this program's own forked child, and
            # unpickling them is twice as fast as parsing JSON, in the busier process.
            message = pickle.loads(pipes[index % len(pipes)].recv_bytes())
        except EOFError:
            stopped = f"{stream.filename}: a parsing process stopped unexpectedly"
            raise RealistError(stopped) from None
        if "error" in message:
            failed = f"{stream.filename}: a parsing process failed: {message['error']}"
            raise RealistError(failed)
        problems = [Problem(stream.filename, line, reason) for line, reason in message["problems"]]
        first_problems.extend(problems[: 3 - len(first_problems)])
        records += message["records"]
        if message["fallback_bytes"] and not fallback_bytes:
            fallback_line = message["fallback_line"]
        fallback_bytes += message["fallback_bytes"]
        cleaned.merge(message["cleaned"], message["offset"])
        yield Segment(message["rows"], problems)
    last = ending(
        stream.filename,
        stream.fmt,
        stream.source,
        records,
        first_problems,
        (fallback_bytes, fallback_line),
        cleaned,
    )
    yield Segment([], list(last))


def _work(
    stream: ParseStream,
    cuts: list[int],
    lines_before: list[int],
    first: int,
    step: int,
    encode: Encoder,
    sending: Connection,
    inherited: list[Connection],
) -> None:
    """A worker's life: parse segments first, first + step, ... and send each one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importer's to handle
    # Only the importer may hold the reading ends: when it dies, a worker's next send must
    # fail (and the worker end) instead of waiting for a reader that will never come.
    for pipe in inherited:
        pipe.close()
    try:
        for index in range(first, len(cuts) - 1, step):
            sending.send_bytes(_parse(stream, cuts[index], cuts[index + 1],
                                      lines_before[index], encode))  # fmt: skip
    except BrokenPipeError:
        pass  # the importer has gone (killed, or failed): nothing is waiting for this
    except Exception as error:  # reported to the importer, which raises
        sending.send_bytes(pickle.dumps({"error": f"{type(error).__name__}: {error}"}))
    finally:
        sending.close()


def _parse(stream: ParseStream, start: int, end: int, offset: int, encode: Encoder) -> bytes:
    """One segment parsed by a fresh parser, its line numbers moved to the whole file's."""
    source = TextSource(stream.source.data[start:end], stream.encoding)
    model = stream.context
    context = Context(
        model.filename,
        model.max_field_chars,
        model.max_list_items,
        model.max_raw_fields,
        model.decoded,
    )
    rows = []
    problems = []
    for item in stream.fmt.parse(source, context):
        if isinstance(item, Problem):
            problems.append((item.line + offset, item.reason))
        else:
            item.source_line = (item.source_line or 0) + offset
            rows.append(encode(item))
    return pickle.dumps(
        {
            "rows": rows,
            "problems": problems,
            "records": context.records,
            "fallback_bytes": source.fallback_bytes,
            "fallback_line": source.first_fallback_line + offset,
            "cleaned": source.cleaned,
            "offset": offset,
        },
        pickle.HIGHEST_PROTOCOL,
    )
