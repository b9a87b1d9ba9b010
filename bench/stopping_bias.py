"""Could the stopping rule assume more of the ranking? A biased urn in place of BUSCAR's.

    python bench/screening.py --skip-asreview --skip-latency --json run.json
    python bench/stopping_bias.py run.json --bias 1 1.25 1.5 1.75 2

An exploration for issue 13, not Realist's rule. BUSCAR (realist.domain.stopping) tests
"recall is below the target" assuming the records screened last were drawn at random from
themselves and the unscreened. A prioritised ranking draws relevant records more readily; if
it draws a relevant record at least ``bias`` times as readily as an irrelevant one (Wallenius'
non-central hypergeometric distribution, SciPy's ``nchypergeom_wallenius``), the same test
is stronger and stops earlier. ``bias`` 1 is BUSCAR exactly.

For each bias this prints the share of runs (sets × seeds) whose recall at the stop reached
the target and the mean share of records screened there; then the choice a leave-one-set-out
cross-validation makes: for each held-out set, the largest bias at which every run of the
other sets reached the target, and how the held-out set's runs fare with it. A bias can only
be Realist's default if that cross-validated figure holds (≥ 95% of runs).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path

import numpy as np
from scipy.stats import nchypergeom_wallenius

from realist.domain import stopping

TARGET = stopping.DEFAULT_STOPPING.target_recall


def biased_p_value(labels: np.ndarray, total: int, target: float, bias: float) -> float:
    """BUSCAR's p-value over the windows realist.domain.stopping tries, with the urn biased
    towards relevant records by ``bias`` (1: the rule's own p-value)."""
    if bias == 1:
        return stopping.p_value(labels, total, target)
    if not labels.sum():
        return 1.0
    w = stopping.windows(labels, total, target)
    possible = w.missing_at_least <= w.urn  # (an urn too small rules the hypothesis out)
    p = np.zeros(len(w.size))
    if possible.any():
        p[possible] = nchypergeom_wallenius.cdf(
            w.relevant[possible],
            w.urn[possible],
            w.missing_at_least[possible],
            w.size[possible],
            bias,
        )
    return float(p.min())


def first_stop(labels: np.ndarray, total: int, bias: float) -> int:
    return stopping.first_stop(
        labels, total, test=lambda seen, n, target: biased_p_value(seen, n, target, bias)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="bench/screening.py --json output")
    parser.add_argument("--bias", type=float, nargs="+", default=[1.0, 1.25, 1.5, 1.75, 2.0])
    args = parser.parse_args()
    orders = json.loads(args.run.read_text())["orders"]
    reached: dict[float, dict[str, bool]] = {}
    print("| bias | runs reaching 95% recall | mean share screened at the stop |")
    print("|---|---|---|")
    for bias in sorted(args.bias):
        shares, reached[bias] = [], {}
        for key, run in orders.items():
            labels = np.asarray(run["labels"], dtype=np.int64)
            at = first_stop(labels, run["n"], bias)
            reached[bias][key] = labels[:at].sum() >= math.ceil(TARGET * labels.sum())
            shares.append(at / run["n"])
        hits = sum(reached[bias].values())
        print(f"| {bias:g} | {hits}/{len(orders)} | {statistics.mean(shares):.1%} |", flush=True)
    sets = sorted({key.split("/")[0] for key in orders})
    held_out_hits, lines = 0, []
    for held in sets:
        others = [k for k in orders if k.split("/")[0] != held]
        chosen = max(
            (b for b in reached if all(reached[b][k] for k in others)), default=min(reached)
        )
        mine = [reached[chosen][k] for k in orders if k.split("/")[0] == held]
        held_out_hits += sum(mine)
        lines.append(f"{held}: bias {chosen:g}, {sum(mine)}/{len(mine)} runs reach the target")
    print("\nLeave-one-set-out choice (the largest bias every other set's runs bear):")
    print("\n".join(f"- {line}" for line in lines))
    print(f"Held-out runs reaching the target: {held_out_hits}/{len(orders)}")


if __name__ == "__main__":
    main()
