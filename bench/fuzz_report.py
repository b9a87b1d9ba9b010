"""What bench/fuzz_importers.py found, per format: the tallies, the tables and the goals."""

from __future__ import annotations

import itertools
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import fuzz_inputs as fi

SLOW = 5.0  # an input may take at most this many times a valid export of its size
DOUBLING = 2.2  # doubling the input may at most double the time, within 10%
SIZES = (100_000, 200_000, 400_000)
BASELINE_SIZES = tuple(1024 * 4 * 2**k for k in range(9))  # 4 KB to 1 MB
VERIFIED = 40  # the slowest inputs of a format timed again; the others are not counted


@dataclass
class Report:
    """What one format's run found."""

    name: str
    inputs: int = 0
    refused: int = 0
    seconds: float = 0.0
    exceptions: Counter[str] = field(default_factory=Counter)
    tails: dict[str, str] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hangs: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    worst: dict[str, Any] = field(default_factory=dict)  # the input with the worst ratio
    slow: list[dict[str, Any]] = field(default_factory=list)
    candidates: int = 0
    damage: Counter[str] = field(default_factory=Counter)
    chars: set[str] = field(default_factory=set)  # control characters kept, as repr
    encode_cases: int = 0
    encode_lost: list[str] = field(default_factory=list)

    def example(self, key: str, ident: str) -> None:
        if len(self.examples[key]) < 3:
            self.examples[key].append(ident)

    @property
    def exception_count(self) -> int:
        return sum(self.exceptions.values())


def ratios(times: list[float | None]) -> list[float | None]:
    return [b / a if a and b else None for a, b in itertools.pairwise(times)]


def print_reports(
    reports: list[Report], lines: dict[str, Any] | None, quick: bool, seconds: float, seed: int
) -> list[tuple[str, bool]]:
    """Print the tables and the goals (met or not); return the goals."""
    print("\n## Fuzzing (inputs through realist.importers.parse)\n")
    print(
        "| format | inputs | refused | exceptions | hangs | other failures | worst vs valid "
        "export (first timing) | slow > 5x (timed again) | 1-line cases | lost beyond | "
        "silent | encodings losing records |"
    )
    print("|---" * 12 + "|")
    for r in reports:
        worst = r.worst
        worst_text = (
            (
                f"{worst['ratio']:.1f}x ({worst['s_per_mb']:.2f} s/MB, "
                f"{worst['size'] / 1000:,.0f} KB)"
            )
            if worst
            else "-"
        )
        d = r.damage
        print(
            f"| {r.name} | {r.inputs:,} | {r.refused:,} | {r.exception_count} | {len(r.hangs)} "
            f"| {sum(r.failures.values())} | {worst_text} "
            f"| {len(r.slow)} of {min(r.candidates, VERIFIED)} | {d['cases']:,} "
            f"| {d['records lost beyond']} in {d['cases losing more']} | "
            f"{d['records lost silently']} in {d['cases with silent loss']} | "
            f"{len(r.encode_lost)}/{r.encode_cases} |"
        )
    for r in reports:
        _print_details(r)
    goals: list[tuple[str, bool]] = []
    if lines:
        goals += _print_linearity(lines)
    for r in reports:
        d = r.damage
        goals.append((f"{r.name}: 0 exceptions, 0 hangs", r.exception_count == 0 and not r.hangs))
        goals.append((f"{r.name}: 0 other failures", not r.failures))
        goals.append((f"{r.name}: 0 inputs slower than {SLOW:g}x a valid export", not r.slow))
        if not quick:
            goals.append((f"{r.name}: >= 10,000 inputs", r.inputs >= 10_000))
        if fi.FORMATS[r.name].line_format:
            goals.append(
                (
                    f"{r.name}: one-line damage loses at most the damaged record",
                    d["records lost beyond"] == 0,
                )
            )
            goals.append(
                (f"{r.name}: one-line damage, silent loss 0", d["records lost silently"] == 0)
            )
        else:
            goals.append(
                (
                    f"{r.name}: one-line damage, every well-formed record salvaged",
                    d["records lost beyond"] == 0,
                )
            )
        goals.append((f"{r.name}: every re-encoding keeps every record", not r.encode_lost))
    print("\n## Goals\n")
    for text, met in goals:
        print(f"- {text}: {'met' if met else '**not met**'}")
    count = sum(ok for _, ok in goals)
    print(
        f"\n{count} of {len(goals)} goals met; {sum(r.inputs for r in reports):,} inputs in "
        f"{seconds / 60:.1f} min ({os.cpu_count()} cores, seed {seed})."
    )
    return goals


def _print_details(r: Report) -> None:
    if not (r.exceptions or r.hangs or r.failures or r.slow or r.encode_lost or r.examples):
        return
    print(f"\n### {r.name}\n")
    for signature, count in r.exceptions.most_common():
        print(f"- exception x{count}: {signature}; e.g. {', '.join(r.examples[signature])}")
        if signature in r.tails:
            print("  ```\n  " + r.tails[signature].replace("\n", "\n  ") + "\n  ```")
    if r.hangs:
        print(f"- hangs x{len(r.hangs)}: {', '.join(r.hangs[:3])}")
    for kind, count in r.failures.most_common():
        which = f" ({' '.join(sorted(r.chars))})" if kind == "control character kept" else ""
        print(f"- {kind} x{count}{which}; e.g. {', '.join(r.examples[kind])}")
    for slow in r.slow[:5]:
        ratio = f"{slow['ratio']:.1f}x" if slow.get("ratio") else slow.get("note")
        print(f"- slow: {slow['id']} {ratio}")
    for key, ids in r.examples.items():
        if key.startswith(("lost beyond", "silent loss")):
            print(f"- {key}: e.g. {', '.join(ids)}")
    for text in r.encode_lost[:4]:
        print(f"- encoding: {text}")


def _print_linearity(lines: dict[str, Any]) -> list[tuple[str, bool]]:
    print("\n## Linearity (CPU time, min of several runs; ratios 200/100 KB and 400/200 KB)\n")
    print("| format | shape | 100 KB | 200 KB | 400 KB | ratios | vs valid export at 400 KB |")
    print("|---|---|---|---|---|---|---|")
    goals = []
    for fmt_name, shapes in lines.items():
        valid = shapes.get("valid export", [None])[-1]
        bad = []
        for name, times in shapes.items():
            cells = [f"{t * 1000:,.1f} ms" if t is not None else "skipped" for t in times]
            rs = ratios(times)
            ratio_text = ", ".join(f"{x:.2f}" if x else "-" for x in rs)
            last = times[-1] if times else None
            versus = f"{last / valid:.1f}x" if last and valid else "-"
            print(f"| {fmt_name} | {name} | {' | '.join(cells)} | {ratio_text} | {versus} |")
            doubling_ok = all(x is not None and x <= DOUBLING for x in rs) and None not in times
            if not doubling_ok or (last and valid and last / valid > SLOW):
                bad.append(name)
        goals.append(
            (
                f"{fmt_name}: linear in every shape (doubling <= {DOUBLING}x, <= {SLOW:g}x "
                f"valid){' (not: ' + ', '.join(bad) + ')' if bad else ''}",
                not bad,
            )
        )
    return goals


def as_json(reports: list[Report], lines: dict[str, Any] | None, seconds: float, seed: int) -> Any:
    """The figures as JSON-ready data."""
    return {
        "seed": seed,
        "seconds": seconds,
        "formats": {
            r.name: {
                "inputs": r.inputs,
                "refused": r.refused,
                "seconds": r.seconds,
                "exceptions": [
                    {"signature": s, "count": c, "tail": r.tails.get(s), "examples": r.examples[s]}
                    for s, c in r.exceptions.items()
                ],
                "hangs": r.hangs,
                "failures": dict(r.failures),
                "failure_examples": {k: r.examples[k] for k in r.failures},
                "worst": r.worst,
                "slow": r.slow,
                "slow_candidates": r.candidates,
                "damage": dict(r.damage),
                "damage_examples": {
                    k: v
                    for k, v in r.examples.items()
                    if k.startswith(("lost beyond", "silent loss"))
                },
                "encodings": {"cases": r.encode_cases, "lost": r.encode_lost},
            }
            for r in reports
        },
        "linearity": {
            fmt: {name: {"seconds": t, "ratios": ratios(t)} for name, t in shapes.items()}
            for fmt, shapes in (lines or {}).items()
        },
    }
