"""Where BUSCAR stops on a screening order: the stopping-rule reference of bench/screening.py.

Runs under bench/.venv-asreview/bin/python (buscarpy 0.0.2, installed by setup.sh).

    bench/.venv-asreview/bin/python bench/asreview/buscar.py ORDERS.jsonl [--out FILE]
        [--recall-target 0.95] [--confidence 0.95] [--bias 1] [--every 1|auto] [--jobs N]
    bench/.venv-asreview/bin/python bench/asreview/buscar.py --self-check

Input: JSON lines {"key": ..., "labels_in_order": [0/1, ...], "n": N}: the truth of every
record in the order a tool screened them, priors first, all N of them (`-` reads stdin).
Output: one JSON line per key, in input order:
{"key", "stop_position", "recall_at_stop", "fired", "p_at_stop", "n_relevant", "checks",
"check_every", "recall_target", "confidence", "bias"}.

BUSCAR (Callaghan & Mueller-Hansen 2020) is buscarpy.calculate_h0, called unchanged: after
n records screened it tests H0 "recall is below the target" on every urn of the last
1..n screened records (hypergeometric, or Wallenius' noncentral hypergeometric when
bias != 1) and returns the smallest p. We stop at the first checked n whose p is below
1 - confidence. A check costs O(n) (one cdf per urn), so checking after every record costs
O(N^2) per order: about 25 ms per check at n = 2,500 on this machine, under a minute per
order of the benchmark sets; --every auto checks after every ceil(N/200) records instead
(and at N), which can only stop later, by less than N/200 records.
stop_position is the number of records screened when it fires, or N when it never fires
(recall 1.0 there). n_relevant = 0 gives recall_at_stop null.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

os.environ.setdefault("MPLBACKEND", "Agg")  # buscarpy imports matplotlib.pyplot

import buscarpy
import numpy as np


def check_positions(n: int, every: int) -> list[int]:
    """Records screened at each check: every, 2*every, ... and always n."""
    positions = list(range(every, n + 1, every))
    if not positions or positions[-1] != n:
        positions.append(n)
    return positions


def buscar_stop(
    labels_in_order: list[int],
    n: int,
    recall_target: float = 0.95,
    confidence: float = 0.95,
    bias: float = 1.0,
    every: int | str = 1,
) -> dict[str, Any]:
    """Where BUSCAR first rejects "recall < target" at the given confidence."""
    labels = np.asarray(labels_in_order, dtype=np.int8)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"labels_in_order has {len(labels)} labels, n is {n}: give all N")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels_in_order holds values other than 0 and 1")
    step = max(1, math.ceil(n / 200)) if every == "auto" else int(every)
    if step < 1:
        raise ValueError(f"--every must be >= 1, got {every}")
    n_relevant = int(labels.sum())
    stop, p_stop, checks, fired = n, None, 0, False
    for position in check_positions(n, step):
        checks += 1
        p = buscarpy.calculate_h0(labels[:position], N=n, recall_target=recall_target, bias=bias)
        # p may be nan where an urn's hypothesis is impossible (more relevant records needed
        # than the urn and the unseen hold): buscarpy's min() then keeps nan or skips it by
        # position, and nan never counts as a rejection here.
        if p is not None and p < 1.0 - confidence:
            stop, p_stop, fired = position, float(p), True
            break
    return {
        "stop_position": stop,
        "recall_at_stop": (int(labels[:stop].sum()) / n_relevant) if n_relevant else None,
        "fired": fired,
        "p_at_stop": p_stop,
        "n_relevant": n_relevant,
        "checks": checks,
        "check_every": step,
    }


def _one(args: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
    item, settings = args
    started = time.perf_counter()
    result = buscar_stop(item["labels_in_order"], int(item["n"]), **settings)
    return {
        "key": item["key"],
        **result,
        "recall_target": settings["recall_target"],
        "confidence": settings["confidence"],
        "bias": settings["bias"],
        "seconds": round(time.perf_counter() - started, 3),
    }


def self_check() -> int:
    """Checks on synthetic orders with known answers; returns 0 when all hold."""
    results: list[tuple[str, bool, str]] = []

    def check(name: str, passed: bool, detail: str = "") -> None:
        results.append((name, bool(passed), detail))

    # A perfect ranking: 20 relevant first, then 980 irrelevant. It must fire, with all found.
    perfect = [1] * 20 + [0] * 980
    r = buscar_stop(perfect, 1000)
    stop = r["stop_position"]
    check(
        "perfect ranking fires with recall 1",
        r["fired"] and r["recall_at_stop"] == 1.0,
        f"stop {stop}, p {r['p_at_stop']}",
    )
    # The first firing position, against buscarpy called directly one record earlier.
    p_before = buscarpy.calculate_h0(np.array(perfect[: stop - 1], dtype=np.int8), N=1000)
    check(
        "it fires at the first position with p < 0.05",
        p_before >= 0.05 and r["p_at_stop"] < 0.05,
        f"p one record earlier {p_before:.4f}",
    )
    # Random order: the rule must not stop before 95% are found.
    rand = np.random.default_rng(3).permutation([1] * 50 + [0] * 950).tolist()
    r = buscar_stop(rand, 1000)
    check(
        "random order: recall at stop >= 0.95",
        r["recall_at_stop"] >= 0.95,
        f"stop {r['stop_position']}, recall {r['recall_at_stop']:.3f}",
    )
    # Every ceil(N/200) records: stops no earlier, and by less than N/200 later.
    coarse = buscar_stop(perfect, 1000, every="auto")["stop_position"]
    check(
        "--every auto stops within N/200 after every-record",
        0 <= coarse - stop < 5,
        f"{coarse} vs {stop}",
    )
    # Never fires (the last record screened is the last relevant one: buscarpy's p is nan
    # there, an impossible H0): stop_position is N.
    r = buscar_stop([0, 0, 1], 3)
    check(
        "never fires: stop_position is N",
        r["stop_position"] == 3 and not r["fired"],
        str(r["stop_position"]),
    )
    try:
        buscar_stop([1, 0], 3)
        check("too few labels fails", False, "no error")
    except ValueError as exc:
        check("too few labels fails", True, str(exc))
    for name, passed, detail in results:
        print(f"{'ok  ' if passed else 'FAIL'} {name}{': ' + detail if detail else ''}")
    passed = sum(p for _, p, _ in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("orders", nargs="?", help="JSON lines file, or - for stdin")
    parser.add_argument("--out", help="write the JSON lines here (default: stdout)")
    parser.add_argument("--recall-target", type=float, default=0.95)
    parser.add_argument("--confidence", type=float, default=0.95)
    parser.add_argument("--bias", type=float, default=1.0)
    parser.add_argument(
        "--every",
        default="1",
        help="check after every K records, or 'auto' for ceil(N/200) (default 1: every record)",
    )
    parser.add_argument("--jobs", type=int, default=1, help="orders evaluated at once (processes)")
    parser.add_argument("--self-check", action="store_true", help="run the built-in checks")
    args = parser.parse_args(argv)
    if args.self_check:
        return self_check()
    if not args.orders:
        parser.error("give a JSON lines file, or --self-check")
    every: int | str = "auto" if args.every == "auto" else int(args.every)
    settings = {
        "recall_target": args.recall_target,
        "confidence": args.confidence,
        "bias": args.bias,
        "every": every,
    }
    if args.orders == "-":
        items = [json.loads(line) for line in sys.stdin if line.strip()]
    else:
        with open(args.orders, encoding="utf-8") as handle:
            items = [json.loads(line) for line in handle if line.strip()]
    tasks = [(item, settings) for item in items]
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(args.out, "w", encoding="utf-8")) if args.out else sys.stdout
        results: Iterable[dict[str, Any]] = map(_one, tasks)
        if args.jobs > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=args.jobs))
            results = pool.map(_one, tasks)
        for k, result in enumerate(results):
            print(
                f"[buscar] {k + 1} of {len(items)}: {result['key']} stops at "
                f"{result['stop_position']} of {items[k]['n']} "
                f"({result['checks']} checks, {result['seconds']:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
            out.write(json.dumps(result) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
