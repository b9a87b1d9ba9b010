"""Deduplication benchmark: Realist against bib-dedupe on the labelled sets.

Reads the public labelled sets from ``../shared/benchmarks/dedup`` (relative to the repository;
``REALIST_BENCHMARKS`` overrides the benchmarks folder), runs
``realist.domain.dedup.find_duplicates`` on each, and scores the result the way the published
comparisons do (see the benchmarks README): a duplicate that is removed is a true positive, a
removed record whose work has no other record left standing is a false positive, a duplicate
left standing is a false negative. Pending pairs (the review queue) are *not* removed.

bib-dedupe runs in a subprocess on the same rows (``--no-bib-dedupe`` skips it; it takes
minutes). Realist's time is the ``find_duplicates`` call (median of three runs); bib-dedupe's
is one run of its prep, block, match, cluster and merge calls; neither includes reading files.

    python bench/dedup.py                  # both tools, all sets
    python bench/dedup.py --no-bib-dedupe  # Realist only
    python bench/dedup.py --sets respiratory --show-errors 20
    python bench/dedup.py --no-bib-dedupe --merge-errata   # errata merged (the setting)
    python bench/dedup.py --loso           # thresholds chosen leave-one-set-out

Besides the published score, it prints what a reviewer relies on: **queue recall** (the
duplicates merged, or joined to their work through a pair in the review queue, over all
duplicates; ``dedup_score.py`` defines it) and the queue's size, and whether each goal is
met on each set.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dedup_score import HEADER, Score
from dedup_score import row as score_row
from dedup_score import score as score_run
from realist.domain.dedup import DedupResult, find_duplicates
from realist.domain.records import Record

csv.field_size_limit(1 << 30)

# Where each set lives, its encoding and how its columns map to ours.
SETS: dict[str, tuple[str, str, str]] = {
    "diabetes": ("diabetes_asysd_labelled.csv", "diabetes_merged_record_ids.csv", "cp1252"),
    "respiratory": (
        "respiratory/records_pre_merged.csv",
        "respiratory/merged_record_ids.csv",
        "utf-8",
    ),
    "cytology_screening": (
        "cytology_screening/records_pre_merged.csv",
        "cytology_screening/merged_record_ids.csv",
        "utf-8",
    ),
    "digital_work": (
        "digital_work/records_pre_merged.csv",
        "digital_work/merged_record_ids.csv",
        "utf-8",
    ),
}

# BibTeX entry types as RIS TY codes (Record.kind speaks RIS).
ENTRYTYPE_TO_RIS = {
    "article": "JOUR",
    "inproceedings": "CPAPER",
    "conference": "CPAPER",
    "proceedings": "CONF",
    "incollection": "CHAP",
    "inbook": "CHAP",
    "book": "BOOK",
    "techreport": "RPRT",
    "phdthesis": "THES",
    "mastersthesis": "THES",
    "misc": "GEN",
}

# "Adeli K.Lewis G. F." (the ASySD export glues authors together): split after the initials.
_GLUED_AUTHORS = re.compile(r"(?<=\.)(?=[^\W\d_][^\W\d_\s.])")


def benchmarks_root() -> Path:
    """The shared benchmarks folder: ``REALIST_BENCHMARKS`` or ``../shared/benchmarks``."""
    override = os.environ.get("REALIST_BENCHMARKS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


@dataclass
class LabelledSet:
    """One labelled set: rows as read, their records, and the gold groups of labels."""

    name: str
    labels: list[str]  # the set's own record ids, index = Record.id
    rows: list[dict[str, str]]
    records: list[Record]
    gold: list[list[str]]
    extra: dict[str, Any] = field(default_factory=dict)


def _split_authors(value: str, glued: bool) -> list[str]:
    value = value.strip()
    if not value:
        return []
    if glued:
        return [a.strip() for a in _GLUED_AUTHORS.split(value) if a.strip()]
    return [a.strip() for a in re.split(r"\s+and\s+|;", value) if a.strip()]


def _year(value: str) -> int | None:
    match = re.search(r"\d{4}", value or "")
    return int(match.group()) if match else None


def _row_to_record(row: dict[str, str], index: int, glued: bool) -> Record:
    journal = row.get("journal", "") or row.get("booktitle", "")
    return Record(
        title=row.get("title", ""),
        authors=_split_authors(row.get("author", ""), glued),
        year=_year(row.get("year", "")),
        journal=journal,
        volume=row.get("volume", ""),
        issue=row.get("number", ""),
        pages=row.get("pages", ""),
        doi=row.get("doi", ""),
        issn=row.get("issn", "") or row.get("isbn", ""),
        abstract=row.get("abstract", ""),
        kind=ENTRYTYPE_TO_RIS.get(row.get("ENTRYTYPE", "").lower(), ""),
        id=index,
    )


def load_set(name: str, root: Path | None = None) -> LabelledSet:
    """Read one labelled set into Records (ids 0..n-1 in file order) and its gold groups."""
    base = (root or benchmarks_root()) / "dedup"
    records_file, gold_file, encoding = SETS[name]
    with open(base / records_file, encoding=encoding, newline="") as handle:
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]
    glued = "record_id" in rows[0]
    labels = [f"id_{int(row['record_id']):07d}" if glued else row["ID"] for row in rows]
    records = [_row_to_record(row, i, glued) for i, row in enumerate(rows)]
    with open(base / gold_file, encoding="utf-8", newline="") as handle:
        gold = [row["merged_ids"].split(";") for row in csv.DictReader(handle)]
    return LabelledSet(name, labels, rows, records, gold)


def truth(data: LabelledSet) -> list[str]:
    """Each record's work: its gold group, or the record itself when it is unique."""
    work_of = {label: f"g{n}" for n, group in enumerate(data.gold) for label in group}
    return [work_of.get(label, "u" + label) for label in data.labels]


def score(
    data: LabelledSet, removed: dict[str, str], queued: Sequence[tuple[int, int]] = ()
) -> Score:
    """Score removed labels (label -> keeper label) and queued pairs against the gold groups."""
    index = {label: i for i, label in enumerate(data.labels)}
    return score_run(truth(data), {index[r]: index[k] for r, k in removed.items()}, queued)


def removed_by_realist(result: DedupResult, labels: Sequence[str]) -> dict[str, str]:
    """Removed label -> keeper label for Realist's certain groups."""
    removed: dict[str, str] = {}
    for group in result.groups:
        for member in group.member_ids:
            if member != group.keeper_id:
                removed[labels[member]] = labels[group.keeper_id]
    return removed


def run_realist(
    data: LabelledSet, repeat: int = 3, rules: Any = None
) -> tuple[Score, float, DedupResult]:
    """Time ``find_duplicates`` on the set (median of ``repeat`` runs) and score it.

    The machine is shared, so one run can be slowed by others' work; bib-dedupe takes long
    enough that one run of it averages that out by itself.
    """
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        # without rules as a release before them is called, to compare on the same run
        result = (
            find_duplicates(data.records)
            if rules is None
            else find_duplicates(data.records, rules=rules)
        )
        times.append(time.perf_counter() - started)
    seconds = sorted(times)[len(times) // 2]
    queued = [(p.a_id, p.b_id) for p in result.pending]
    return score(data, removed_by_realist(result, data.labels), queued), seconds, result


def _bib_dedupe_python() -> str:
    """A separate benchmark venv if one exists, else this interpreter."""
    repo = Path(__file__).resolve().parents[1]
    separate = repo / ".venv-bench" / "bin" / "python"
    return str(separate) if separate.exists() else sys.executable


def run_bib_dedupe(name: str) -> tuple[Score, float] | None:
    """Run bib-dedupe on one set in a subprocess (its own interpreter and memory)."""
    data = load_set(name)
    command = [_bib_dedupe_python(), str(Path(__file__).resolve()), "--bib-dedupe-worker", name]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        print(f"bib-dedupe failed on {name}:\n{completed.stderr[-2000:]}", file=sys.stderr)
        return None
    payload = json.loads(completed.stdout.strip().splitlines()[-1])
    removed = {label: keeper for label, keeper in payload["removed"].items()}
    return score(data, removed), float(payload["seconds"])


def _bib_dedupe_worker(name: str) -> None:
    """Subprocess body: bib-dedupe's own pipeline on the set, timed without file reading."""
    # only the worker needs pandas and bib-dedupe (neither ships type information)
    import pandas as pd  # type: ignore[import-untyped]
    from bib_dedupe.bib_dedupe import (  # type: ignore[import-untyped]
        block,
        cluster,
        match,
        merge,
        prep,
    )

    data = load_set(name)
    frame_rows = []
    for label, row, record in zip(data.labels, data.rows, data.records, strict=True):
        frame_rows.append(
            {
                "ID": label,
                "ENTRYTYPE": row.get("ENTRYTYPE", "") or "article",
                "title": row.get("title", ""),
                # bib-dedupe reads BibTeX-style author lists
                "author": " and ".join(record.authors),
                "year": row.get("year", ""),
                "journal": row.get("journal", ""),
                "booktitle": row.get("booktitle", ""),
                "volume": row.get("volume", ""),
                "number": row.get("number", ""),
                "pages": row.get("pages", ""),
                "doi": row.get("doi", ""),
                "abstract": row.get("abstract", ""),
            }
        )
    frame = pd.DataFrame(frame_rows)
    started = time.perf_counter()
    prepared = prep(frame, verbosity_level=0)
    blocked = block(prepared, verbosity_level=0)
    matched = match(blocked, verbosity_level=0)
    id_sets = cluster(matched, verbosity_level=0)
    merged = merge(frame, duplicate_id_sets=id_sets, verbosity_level=0)
    seconds = time.perf_counter() - started
    surviving = set(merged["ID"].tolist())
    removed: dict[str, str] = {}
    for id_set in id_sets:
        ids = list(id_set)
        keeper = ids[0] if ids[0] in surviving else next(i for i in ids if i in surviving)
        for label in ids:
            if label not in surviving:
                removed[label] = keeper
    print(json.dumps({"seconds": seconds, "removed": removed}))


def _show_errors(data: LabelledSet, result: DedupResult, limit: int) -> None:
    """Print missed duplicates and wrong merges, for understanding (never for tuning to a set)."""
    work_of = {label: n for n, group in enumerate(data.gold) for label in group}
    removed = removed_by_realist(result, data.labels)
    index = {label: i for i, label in enumerate(data.labels)}
    pending = {(p.a_id, p.b_id): p for p in result.pending}
    missed = [
        (standing[0], other)
        for group in data.gold
        for standing in [[label for label in group if label not in removed]]
        for other in standing[1:]
    ]
    for first, other in missed[:limit]:
        a, b = sorted((index[first], index[other]))
        pair = pending.get((a, b))
        print(
            f"-- FN {data.labels[a]} {data.labels[b]} pending={pair.score if pair else None}"
            f" {pair.reason if pair else ''}"
        )
        for i in (a, b):
            r = data.records[i]
            print(
                f"   {r.title[:110]!r} | {'; '.join(r.authors)[:60]!r} | {r.year} | "
                f"{r.journal[:40]!r} v{r.volume} n{r.issue} p{r.pages} doi={r.doi} "
                f"{r.kind}"
            )
    for label, keeper in removed.items():
        if work_of.get(label) is None or work_of.get(label) != work_of.get(keeper):
            print(f"-- WRONG {label} -> {keeper}")
            for i in (index[label], index[keeper]):
                r = data.records[i]
                print(
                    f"   {r.title[:110]!r} | {'; '.join(r.authors)[:60]!r} | {r.year} | "
                    f"{r.journal[:40]!r} v{r.volume} n{r.issue} p{r.pages} doi={r.doi} "
                    f"{r.kind}"
                )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-bib-dedupe", action="store_true", help="skip bib-dedupe (it takes minutes)"
    )
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument(
        "--show-errors",
        type=int,
        default=0,
        metavar="N",
        help="print up to N missed duplicates and every wrong merge per set",
    )
    parser.add_argument(
        "--merge-errata",
        action="store_true",
        help="run with the setting dedup_merge_errata on (the gold groups stay as they are)",
    )
    parser.add_argument(
        "--loso",
        action="store_true",
        help="choose thresholds by leave-one-set-out and report each held-out set",
    )
    parser.add_argument("--bib-dedupe-worker", metavar="SET", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bib_dedupe_worker:
        _bib_dedupe_worker(args.bib_dedupe_worker)
        return 0

    names = [n for n in args.sets.split(",") if n]
    rules = None
    if args.merge_errata or args.loso:
        from realist.domain.dedup import Rules

        rules = Rules(merge_errata=args.merge_errata)
    if args.loso:
        from dedup_loso import leave_one_set_out

        leave_one_set_out([load_set(name) for name in names], rules)
        return 0
    header = f"{'set':<20}{'tool':<12}{HEADER}{'seconds':>9}"
    print(header)
    print("-" * len(header))
    realist_total = bib_total = 0.0
    all_bib = True
    goals: list[tuple[str, Score]] = []
    for name in names:
        data = load_set(name)
        got, seconds, result = run_realist(data, rules=rules)
        realist_total += seconds
        goals.append((name, got))
        print(f"{name:<20}{'realist':<12}{score_row(got)}{seconds:>9.2f}")
        if args.show_errors:
            _show_errors(data, result, args.show_errors)
        if not args.no_bib_dedupe:
            theirs = run_bib_dedupe(name)
            if theirs is None:
                all_bib = False
                continue
            bib_score, bib_seconds = theirs
            bib_total += bib_seconds
            print(
                f"{'':<20}{'bib-dedupe':<12}{score_row(bib_score)}{bib_seconds:>9.2f}"
                f"   ({bib_seconds / seconds:,.0f}x slower)"
            )
    print()
    print("Goals (Realist):")
    for name, got in goals:
        print(f"  {name:<20}{got.goals_text()}")
    print()
    print(f"Realist total {realist_total:.2f} s")
    if not args.no_bib_dedupe and all_bib and realist_total > 0:
        print(
            f"bib-dedupe total {bib_total:.2f} s: Realist is {bib_total / realist_total:,.0f}x"
            " faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
