"""Fuzzing Realist's importers: mutated exports through ``realist.importers.parse``.

    python bench/fuzz_importers.py                  # 10,000 inputs per format, then linearity
    python bench/fuzz_importers.py --quick          # 1,000 per format, linearity with 2 repeats
    python bench/fuzz_importers.py --format ris --inputs 2000 --seed 7
    python bench/fuzz_importers.py --json > fuzz.json
    python bench/fuzz_importers.py --show 'ris|mutate|123'       # one input and its outcome
    python bench/fuzz_importers.py --minimize 'csl-json|special|lone surrogate escape'

Inputs per format (see bench/fuzz_inputs.py): every line of a 12-record seed file damaged
once or more (deleted, duplicated, truncated, a control character, quote or brace put in),
each seed in 12 encodings and newline styles, hand-written hostile inputs, and the rest
random mutations of the seeds (bit flips, truncation, lines moved, NUL and control bytes,
BOMs mid-file, CR/LF mixes, re-encodings, very long lines, deep nesting, entity tricks,
unbalanced quotes and braces, pieces of other formats). Each input is parsed in a worker
process (two by default) with a wall-clock limit: an input that takes longer is a hang and
its worker is replaced.

Reported per format: inputs, exceptions (deduplicated by where they were raised, with the
first tracebacks' last lines), hangs, other failures (text storage would refuse, fields
beyond the bounds, control characters kept, a field larger than the file), the worst CPU
time per MB against a valid export of the same format and size (an input measured above
5x is timed again, with the valid export, before it counts as slow), and for one-line
damage: the records lost beyond the damaged one and the lost records that no problem named.
Then linearity: pathological shapes at 100, 200 and 400 KB, min of several CPU timings.
Times are ratios measured in the same run; the machine may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import itertools
import json
import os
import random
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_inputs as fi
import fuzz_mutations as fm
from fuzz_report import (
    BASELINE_SIZES,
    SIZES,
    SLOW,
    VERIFIED,
    Report,
    as_json,
    print_reports,
)
from realist.errors import InvalidInput
from realist.importers import parse

MEMORY_LIMIT = 3 << 30


# -- one input, in a worker ----------------------------------------------------------------


def case_id(fmt: str, spec: fi.Spec) -> str:
    return "|".join([fmt, *map(str, spec)])


def parse_id(text: str) -> tuple[str, fi.Spec]:
    fmt, kind, *rest = text.split("|")
    if kind == "damage":
        return fmt, (kind, rest[0], int(rest[1]), rest[2], int(rest[3]))
    if kind == "mutate":
        return fmt, (kind, int(rest[0]))
    return fmt, (kind, *rest)


def build(fmt_name: str, spec: fi.Spec, seed_value: int) -> tuple[bytes, str]:
    """The input bytes and file name of a spec (see bench/fuzz_inputs.py)."""
    fmt = fi.FORMATS[fmt_name]
    kind = spec[0]
    if kind == "damage":
        _, name, line, how, variant = spec
        seed = fi.load_seed(str(name))
        rng = random.Random(f"{seed_value}:{name}:{line}:{how}:{variant}")
        return fi.damage(seed.data, int(line), str(how), rng)[0], seed.filename
    if kind == "encode":
        seed = fi.load_seed(str(spec[1]))
        return fi.encode(seed.data, str(spec[2])), seed.filename
    if kind == "special":
        return fm.specials(fmt_name)[str(spec[1])]()
    data, filename, _ = fm.mutate(fmt, int(spec[1]), seed_value)
    return data, filename


def _signature(error: BaseException) -> tuple[str, str]:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/realist/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} ({ours[-1].name})" if ours else "?"
    text = "".join(traceback.format_exception(error)).rstrip().splitlines()
    return f"{type(error).__name__} at {where}", "\n".join(text[-3:])


def run_case(fmt_name: str, spec: fi.Spec, seed_value: int) -> dict[str, Any]:
    """Parse one input and judge the outcome."""
    data, filename = build(fmt_name, spec, seed_value)
    out: dict[str, Any] = {"size": len(data), "failures": []}
    records = None
    problems: list[Any] = []
    start = time.process_time()
    try:
        result = parse(data, filename)
    except InvalidInput as error:
        out["status"] = "refused"
        out["reason"] = str(error)[:200]
    except Exception as error:  # the failure this harness looks for
        out["status"] = "exception"
        out["signature"], out["tail"] = _signature(error)
    else:
        out["status"] = "ok"
        out["format"] = result.format
        records, problems = result.records, result.problems
        out["records"] = len(records)
        out["problems"] = len(problems)
    out["cpu"] = time.process_time() - start
    if records is not None:
        out["failures"] = fi.judge(records, problems, len(data))
    if spec[0] == "damage" and out["status"] != "exception":
        seed = fi.load_seed(str(spec[1]))
        _, shift = fi.damage(seed.data, int(spec[2]), str(spec[3]), random.Random(0))
        outcome = fi.damage_outcome(
            seed,
            int(spec[2]),
            shift,
            records,
            problems,
            numbered=fmt_name == "csl-json",
        )
        out["damage"] = {
            "damaged": outcome.damaged,
            "lost": outcome.lost,
            "beyond": outcome.lost_beyond,
            "silent": outcome.silent,
            "phantoms": outcome.phantoms,
            "refused": outcome.refused,
        }
    if spec[0] == "encode" and out["status"] != "exception":
        seed = fi.load_seed(str(spec[1]))
        if seed.keys:
            found = {fi.identity(r)[0] for r in records or []}
            out["encode_lost"] = sum(1 for key in seed.keys if key[0] not in found)
    return out


def min_cpu(made: tuple[bytes, str], repeats: int, budget: float) -> float:
    """The least CPU time of ``repeats`` parses (more, up to 200, while under ``budget``)."""
    data, filename = made
    best = float("inf")
    spent = 0.0
    count = 0
    while count < repeats or (spent < budget and count < 200):
        gc.collect()
        start = time.process_time()
        # Refusals and failures are timed too; run_case reports them.
        with contextlib.suppress(Exception):
            parse(data, filename)
        took = time.process_time() - start
        best, spent, count = min(best, took), spent + took, count + 1
        if took > 20:  # a single parse this slow says enough
            break
    return best


def _count(made: tuple[bytes, str]) -> int:
    return len(parse(*made).records)


def allowed(valid_seconds: float, valid_records: int, items: int) -> float:
    """The time an input may take: that of a valid export of its size or, if it holds more
    records and problems (tiny records, a problem per line), that of a valid export with
    as many records."""
    return max(valid_seconds, valid_seconds / max(valid_records, 1) * items, 1e-6)


def _worker(conn: Connection, seed_value: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = conn.recv()
        except EOFError:  # the parent is gone
            return
        if message is None:
            return
        op, args = message
        try:
            answer(conn, op, args, seed_value)
        except Exception as error:  # a fault of this harness, never counted as the parser's
            conn.send(
                {"status": "harness error", "tail": "".join(traceback.format_exception(error))}
            )


def answer(conn: Connection, op: str, args: Any, seed_value: int) -> None:
    """Do what the parent asked and send the result."""
    if op == "case":
        fmt_name, spec = args
        conn.send(run_case(fmt_name, spec, seed_value))
    elif op == "verify":  # an input and a valid export of its format and size, timed alike
        fmt_name, spec, read_as = args
        data, filename = build(fmt_name, spec, seed_value)
        valid = fi.valid_export(read_as, len(data))
        conn.send(
            {
                "cpu": min_cpu((data, filename), 2, 0.2),
                "size": len(data),
                "valid": min_cpu(valid, 2, 0.2),
                "valid_records": _count(valid),
            }
        )
    elif op == "baseline":
        fmt_name, sizes = args
        exports = [fi.valid_export(fmt_name, size) for size in sizes]
        conn.send(([min_cpu(e, 2, 0.2) for e in exports], _count(exports[-1])))
    elif op == "shape_times":
        conn.send(shape_times(*args))


# -- the pool ----------------------------------------------------------------------------


@dataclass
class Worker:
    process: Any
    conn: Connection
    task: Any = None
    started: float = 0.0
    cpu: float = 0.0  # the worker's CPU seconds when its task was sent
    deadline: float = 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Pool:
    """Worker processes that each parse one input at a time; a worker that spends more
    than ``hang`` CPU seconds on one input (or five times that in wall-clock time, if the
    machine is that busy) is killed, its input counted as a hang, and replaced."""

    def __init__(self, size: int, seed_value: int, hang: float) -> None:
        self.context = get_context("fork")
        self.seed_value, self.hang = seed_value, hang
        self.workers = [self._start() for _ in range(size)]

    def _start(self) -> Worker:
        mine, theirs = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(theirs, self.seed_value), daemon=True)
        process.start()
        theirs.close()
        return Worker(process, mine)

    def _replace(self, worker: Worker) -> None:
        if worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join()
        worker.conn.close()
        fresh = self._start()
        worker.process, worker.conn, worker.task = fresh.process, fresh.conn, None

    def run(
        self, tasks: Iterator[tuple[Any, tuple[str, tuple[Any, ...]]]], hang: float | None = None
    ) -> Iterator[tuple[Any, str, Any]]:
        """Yield ``(key, "done" | "hang" | "crash", result)`` for each ``(key, message)``."""
        limit = hang or self.hang
        pending = iter(tasks)
        exhausted = False
        while True:
            for worker in self.workers:
                if worker.task is None and not exhausted:
                    item = next(pending, None)
                    if item is None:
                        exhausted = True
                        break
                    worker.task = item[0]
                    worker.started = time.monotonic()
                    worker.deadline = worker.started + limit
                    worker.cpu = _cpu_seconds(worker.process.pid)
                    worker.conn.send(item[1])
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                return
            now = time.monotonic()
            timeout = max(0.0, min(w.deadline - now for w in busy))
            ready = wait([w.conn for w in busy], timeout)
            for worker in busy:
                key = worker.task
                if worker.conn in ready:
                    try:
                        result = worker.conn.recv()
                    except (EOFError, OSError):
                        code = worker.process.exitcode
                        self._replace(worker)
                        yield key, "crash", f"worker died (exit code {code})"
                        continue
                    worker.task = None
                    if isinstance(result, dict) and result.get("status") == "harness error":
                        raise RuntimeError(f"the harness failed on {key}:\n{result['tail']}")
                    yield key, "done", result
                elif (now := time.monotonic()) > worker.deadline:
                    used = _cpu_seconds(worker.process.pid) - worker.cpu
                    if used < limit and now - worker.started < 5 * limit:
                        worker.deadline = now + max(0.5, limit - used)  # waited, not worked
                        continue
                    self._replace(worker)
                    yield key, "hang", None

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(5)
            if worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.join()


# -- a format's run ------------------------------------------------------------------------


def plan(fmt_name: str, total: int) -> list[fi.Spec]:
    """The specs of one format's run: one-line damage (about 30%), encodings, the
    hand-written inputs, and random mutations for the rest."""
    fmt = fi.FORMATS[fmt_name]
    specs: list[fi.Spec] = []
    for name in fmt.seeds:
        seed = fi.load_seed(name)
        lines = len(seed.data.rstrip(b"\n").split(b"\n"))
        variants = max(1, round((0.3 * total / lines - 2) / 4))
        for line in range(1, lines + 1):
            specs += [("damage", name, line, "delete", 0), ("damage", name, line, "duplicate", 0)]
            for variant in range(variants):
                specs += [("damage", name, line, kind, variant) for kind in fi.DAMAGE_KINDS[2:]]
    if len(specs) > 0.4 * total:
        specs = random.Random(fmt_name).sample(specs, int(0.4 * total))
    specs += [("encode", s.name, e) for s in fi.seeds_of(fmt) for e in fi.ENCODINGS]
    specs += [("special", name) for name in fm.specials(fmt_name)]
    specs += [("mutate", i) for i in range(max(0, total - len(specs)))]
    return specs


def _interpolate(sizes: tuple[int, ...], times: list[float], size: int) -> float:
    if size <= sizes[0]:
        return times[0]
    for (a, ta), (b, tb) in itertools.pairwise(zip(sizes, times, strict=True)):
        if size <= b:
            return ta + (tb - ta) * (size - a) / (b - a)
    return times[-1] * size / sizes[-1]


Baselines = dict[str, tuple[list[float], float]]


def baselines(pool: Pool) -> Baselines:
    """Per format: CPU seconds of valid exports of BASELINE_SIZES, and per record."""
    tasks = ((name, ("baseline", (name, BASELINE_SIZES))) for name in fi.FORMATS)
    out: Baselines = {}
    for name, _, (times, records) in pool.run(tasks, 600):
        out[name] = (times, times[-1] / max(records, 1))
    return out


def baseline_of(fmt_name: str, detected: str | None) -> str:
    """The format whose valid exports an input is compared with: the one it was read as."""
    if detected is None or (detected == "csv" and fmt_name in ("csv", "tsv")):
        return fmt_name
    return detected


def fuzz_format(pool: Pool, fmt_name: str, total: int, progress: bool, base: Baselines) -> Report:
    """Run one format's inputs through the pool and gather its report."""
    report = Report(fmt_name)
    started = time.monotonic()
    specs = plan(fmt_name, total)
    candidates: list[tuple[float, fi.Spec, int, str]] = []
    shown = 0.0
    tasks = ((spec, ("case", (fmt_name, spec))) for spec in specs)
    for spec, status, result in pool.run(tasks):
        ident = case_id(fmt_name, spec)
        report.inputs += 1
        if status == "hang":
            report.hangs.append(ident)
        elif status == "crash":
            report.exceptions[result] += 1
            report.example(result, ident)
        else:
            _tally(report, ident, spec, result, base[baseline_of(fmt_name, result.get("format"))],
                   candidates)  # fmt: skip
        now = time.monotonic()
        if progress and now - shown > 2:
            shown = now
            print(
                f"\r  {fmt_name}: {report.inputs:,}/{len(specs):,} inputs, "
                f"{report.exception_count} exceptions, {len(report.hangs)} hangs, "
                f"{now - started:.0f} s   ",
                end="",
                file=sys.stderr,
                flush=True,
            )
    # Inputs above the bound are timed again, alongside a valid export of their size.
    candidates.sort(key=lambda c: -c[0])
    report.candidates = len(candidates)
    checks = ((c, ("verify", (fmt_name, c[1], c[3]))) for c in candidates[:VERIFIED])
    for (_, spec, items, _), status, result in pool.run(checks, 120):
        ident = case_id(fmt_name, spec)
        if status != "done":
            report.slow.append({"id": ident, "ratio": None, "note": status})
            continue
        ratio = result["cpu"] / allowed(result["valid"], result["valid_records"], items)
        if ratio > SLOW:
            report.slow.append(
                {
                    "id": ident,
                    "ratio": ratio,
                    "size": result["size"],
                    "s_per_mb": result["cpu"] / (result["size"] / 1e6),
                }
            )
    report.seconds = time.monotonic() - started
    if progress:
        print(
            f"\r  {fmt_name}: {report.inputs:,} inputs in {report.seconds:.0f} s" + " " * 30,
            file=sys.stderr,
        )
    return report


def _tally(
    report: Report,
    ident: str,
    spec: fi.Spec,
    result: dict[str, Any],
    baseline: tuple[list[float], float],
    candidates: list[tuple[float, fi.Spec, int, str]],
) -> None:
    if result["status"] == "exception":
        report.exceptions[result["signature"]] += 1
        report.tails.setdefault(result["signature"], result["tail"])
        report.example(result["signature"], ident)
    elif result["status"] == "refused":
        report.refused += 1
    for kind in {kind for kind, _ in result["failures"]}:
        report.failures[kind] += 1
        report.example(kind, ident)
    report.chars.update(d for k, d in result["failures"] if k == "control character kept")
    size = result["size"]
    times, per_record = baseline
    items = result.get("records", 0) + result.get("problems", 0)
    ratio = result["cpu"] / max(_interpolate(BASELINE_SIZES, times, size), per_record * items, 1e-6)
    if not report.worst or ratio > report.worst["ratio"]:
        report.worst = {
            "id": ident,
            "ratio": ratio,
            "size": size,
            "s_per_mb": result["cpu"] / max(size / 1e6, 1e-9),
        }
    if ratio > SLOW:
        candidates.append((ratio, spec, items, baseline_of(report.name, result.get("format"))))
    if "damage" in result:
        _tally_damage(report, ident, spec, result["damage"])
    if "encode_lost" in result:
        report.encode_cases += 1
        if result["encode_lost"] or result["status"] != "ok":
            report.encode_lost.append(
                f"{ident}: {result.get('reason') or result['encode_lost']} records lost"
            )


def _tally_damage(report: Report, ident: str, spec: fi.Spec, outcome: dict[str, Any]) -> None:
    count = report.damage
    count["cases"] += 1
    header = outcome["damaged"] is None and report.name in ("csv", "tsv") and int(spec[2]) == 1
    if outcome["refused"]:
        count["refused"] += 1
        if header:  # without its header a table cannot be read: loud, not counted as loss
            count["header refused"] += 1
            return
    beyond = outcome["beyond"]
    if beyond:
        count["cases losing more"] += 1
        count["records lost beyond"] += len(beyond)
        report.example(f"lost beyond the damaged record ({spec[3]})", ident)
    if outcome["silent"]:
        count["cases with silent loss"] += 1
        count["records lost silently"] += len(outcome["silent"])
        report.example(f"silent loss ({spec[3]})", ident)
    count["phantom records"] += outcome["phantoms"]


# -- linearity ---------------------------------------------------------------------------


def linearity(pool: Pool, formats: list[str], repeats: int, progress: bool) -> dict[str, Any]:
    """CPU time of each shape at 100, 200 and 400 KB (see :func:`shape_times`); shapes are
    measured in the pool's workers side by side, each shape's sizes by one worker."""
    out: dict[str, Any] = {fmt_name: {} for fmt_name in formats}
    tasks = (
        ((fmt_name, name), ("shape_times", (fmt_name, name, repeats)))
        for fmt_name in formats
        for name in fi.SHAPES
    )
    # A shape may take 15 s at one size, then one more size: 4 minutes of CPU is a hang.
    for (fmt_name, name), status, times in pool.run(tasks, 240):
        out[fmt_name][name] = times if status == "done" else [None] * len(SIZES)
        if progress:
            print(f"\r  linearity {fmt_name}: {name}" + " " * 20, end="", file=sys.stderr,
                  flush=True)  # fmt: skip
    if progress:
        print(file=sys.stderr)
    return {f: {n: out[f][n] for n in fi.SHAPES if n in out[f]} for f in formats}


def shape_times(fmt_name: str, name: str, repeats: int) -> list[float | None]:
    """The least CPU time of parsing a shape at each size, over rounds that time every size
    once (so that the sizes meet the machine's load alike). Rounds go on for ``repeats``
    rounds, then while under 2 CPU seconds (25 at most). A size taking over 3 s ends the
    rounds and only one larger size follows it; one over 15 s is the last measured: a
    parse that slow fails the bound at one look."""
    made = {size: fi.shape(fmt_name, name, size) for size in SIZES}
    best: dict[int, float] = {}
    active = list(SIZES)
    spent, rounds, last = 0.0, 0, False
    while active and not last and rounds < 25 and (rounds < repeats or spent < 2):
        rounds += 1
        for size in list(active):
            if size not in active:
                continue
            took = min_cpu(made[size], 1, 0)
            best[size] = min(best.get(size, took), took)
            spent += took
            if took > 3:
                larger = [s for s in active if s > size][: 0 if took > 15 else 1]
                active, last = [s for s in active if s <= size] + larger, True
    return [best.get(size) for size in SIZES]


# -- one input by hand ---------------------------------------------------------------------


def show(ident: str, seed_value: int) -> None:
    """Print one input (the damaged line, for one-line damage) and its outcome."""
    fmt_name, spec = parse_id(ident)
    data, filename = build(fmt_name, spec, seed_value)
    print(f"{ident}: {len(data):,} bytes as {filename!r}")
    if spec[0] == "damage":
        line = int(spec[2])
        before = fi.load_seed(str(spec[1])).data.split(b"\n")
        after = data.split(b"\n")
        print(f"line {line} was: {before[line - 1]!r}")
        print(f"lines {line}-{line + 1} now: {after[line - 1 : line + 1]!r}")
    elif spec[0] == "mutate":
        print("mutations:", ", ".join(fm.mutate(fi.FORMATS[fmt_name], int(spec[1]), seed_value)[2]))
    if spec[0] != "damage":
        print(repr(data if len(data) <= 1200 else data[:1200] + b"..."))
    print(json.dumps(run_case(fmt_name, spec, seed_value), indent=2, default=str))


def minimize(ident: str, seed_value: int) -> None:
    """Shrink an input while it keeps its first failure (an exception or a judged class)."""
    fmt_name, spec = parse_id(ident)
    data, filename = build(fmt_name, spec, seed_value)

    def failure(candidate: bytes) -> str | None:
        signal.alarm(5)
        try:
            result = parse(candidate, filename)
        except InvalidInput:
            return None
        except Exception as error:
            return _signature(error)[0]
        finally:
            signal.alarm(0)
        found = fi.judge(result.records, result.problems, len(candidate))
        return found[0][0] if found else None

    target = failure(data)
    if target is None:
        print(f"{ident} does not fail")
        return
    # Runs of whole lines first (they keep a file's structure), then runs of bytes; each
    # run length from half the input down to one.
    splits: list[tuple[Callable[[bytes], list[Any]], Callable[[list[Any]], bytes]]] = [
        (lambda d: d.split(b"\n"), b"\n".join),
        (list, bytes),
    ]
    for split, join in splits:
        parts = split(data)
        run = max(1, len(parts) // 2)
        while True:
            at = 0
            while at < len(parts):
                smaller = parts[:at] + parts[at + run :]
                if smaller and failure(join(smaller)) == target:
                    parts = smaller
                else:
                    at += run
            if run == 1:
                break
            run //= 2
        data = join(parts)
    print(f"{target} ({len(data)} bytes, as {filename!r}):\n{data!r}")


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--format",
        action="append",
        choices=list(fi.FORMATS),
        help="run only this format (repeatable)",
    )
    parser.add_argument("--inputs", type=int, help="inputs per format (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 inputs per format")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds before a hang")
    parser.add_argument("--no-linearity", action="store_true")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--show", metavar="ID", help="print one input and its outcome")
    parser.add_argument("--minimize", metavar="ID", help="shrink a failing input")
    ARGS = parser.parse_args()
    if ARGS.show:
        return show(ARGS.show, ARGS.seed)
    if ARGS.minimize:
        return minimize(ARGS.minimize, ARGS.seed)
    total = ARGS.inputs or (1_000 if ARGS.quick else 10_000)
    formats = ARGS.format or list(fi.FORMATS)
    progress = sys.stderr.isatty() or not ARGS.json
    started = time.monotonic()
    pool = Pool(ARGS.workers, ARGS.seed, ARGS.hang)
    try:
        base = baselines(pool)
        reports = [fuzz_format(pool, name, total, progress, base) for name in formats]
        lines = None
        if not ARGS.no_linearity:
            lines = linearity(pool, formats, 2 if ARGS.quick else 3, progress)
    finally:
        pool.close()
    seconds = time.monotonic() - started
    if ARGS.json:
        print(json.dumps(as_json(reports, lines, seconds, ARGS.seed), indent=2, default=str))
    else:
        print_reports(reports, lines, ARGS.quick or total < 10_000, seconds, ARGS.seed)


ARGS = argparse.Namespace(seed=12)

if __name__ == "__main__":
    main()
