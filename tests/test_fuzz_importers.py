"""The importer fuzzer in short (bench/fuzz_importers.py runs it at length): mutated and
damaged exports of every format through ``realist.importers.parse``.

Inputs are made by bench/fuzz_inputs.py and bench/fuzz_mutations.py from the seed files in
tests/fixtures/fuzz_seeds, so a failing example is reproduced by the bench with the id the
assertion prints (``python bench/fuzz_importers.py --show ID``). Hypothesis is
derandomised: every run tries the same inputs.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realist.domain.records import Record
from realist.errors import InvalidInput
from realist.importers import Problem, parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import fuzz_inputs as fi
import fuzz_mutations as fm

BENCH_SEED = 12  # the bench's default --seed: ids printed here are the bench's ids
LINE_FORMATS = [name for name, fmt in fi.FORMATS.items() if fmt.line_format]
SALVAGE_FORMATS = [name for name, fmt in fi.FORMATS.items() if not fmt.line_format]

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# One-line damage is cheap to parse and has few shapes per line: more examples.
DAMAGE = settings(FUZZ, max_examples=400)


def _outcome(data: bytes, filename: str) -> tuple[list[Record] | None, list[Problem]]:
    """(records, problems) of a parse; records None when the file is refused as a whole.
    Any other exception propagates: it is what these tests look for."""
    try:
        result = parse(data, filename)
    except InvalidInput:
        return None, []
    return list(result.records), list(result.problems)


def test_seeds_are_clean_twelve_record_exports() -> None:
    for fmt in fi.FORMATS.values():
        for name in fmt.seeds:
            seed = fi.load_seed(name)
            assert len(seed.keys) == 12, name
            assert len(set(seed.keys)) == 12, name
            assert len(seed.spans) == 12, name


def test_the_loss_check_can_fail() -> None:
    # A parse that drops records 5 and 6 of the RIS seed without a word is two silent
    # losses beyond the damaged record 4; with a problem naming record 5's line, one.
    seed = fi.load_seed("fuzz_seeds/ris.ris")
    records = parse(seed.data, seed.filename).records
    kept = records[:4] + records[6:]
    line = seed.spans[3][0] + 1
    outcome = fi.damage_outcome(seed, line, 0, kept, [], numbered=False)
    assert (outcome.damaged, outcome.lost_beyond, outcome.silent) == (3, [4, 5], [4, 5])
    problem = Problem(seed.filename, seed.spans[4][0] + 2, "something")
    outcome = fi.damage_outcome(seed, line, 0, kept, [problem], numbered=False)
    assert outcome.silent == [5]


# -- no exception, bounded fields ----------------------------------------------------------

_BOUNDS = {
    "field beyond bound",
    "list beyond bound",
    "raw fields beyond bound",
    "field larger than the file",
    "problem names no line",
    "raw fields over 20x the file (names unbounded)",
}


@pytest.mark.parametrize("fmt_name", list(fi.FORMATS))
@FUZZ
@given(index=st.integers(0, 10**9))
def test_mutated_exports_raise_nothing_and_stay_bounded(fmt_name: str, index: int) -> None:
    data, filename, mutations = fm.mutate(fi.FORMATS[fmt_name], index, BENCH_SEED, limit=32_000)
    ident = f"{fmt_name}|mutate|{index} ({', '.join(mutations)})"
    records, problems = _outcome(data, filename)  # raises: an exception is the failure
    failures = fi.judge(records or [], problems, len(data))
    assert not [f for f in failures if f[0] in _BOUNDS], ident


# Text storage cannot hold: lone surrogates (orjson refuses them) and NUL (PostgreSQL
# refuses it); other control characters are to be removed and reported by line.
@pytest.mark.parametrize(
    "fmt_name",
    list(fi.FORMATS),
)
@FUZZ
@given(index=st.integers(0, 10**9))
def test_mutated_exports_keep_only_storable_text(fmt_name: str, index: int) -> None:
    data, filename, mutations = fm.mutate(fi.FORMATS[fmt_name], index, BENCH_SEED, limit=32_000)
    ident = f"{fmt_name}|mutate|{index} ({', '.join(mutations)})"
    records, problems = _outcome(data, filename)
    failures = fi.judge(records or [], problems, len(data))
    assert not [f for f in failures if f[0] not in _BOUNDS], (ident, failures[:3])


@pytest.mark.parametrize("name", ["lone surrogate escape", "nul escape"])
def test_json_escapes_storage_cannot_hold_are_cleaned(name: str) -> None:
    data, filename = fm.specials("csl-json")[name]()
    records, problems = _outcome(data, filename)
    assert records, name
    assert fi.judge(records, problems, len(data)) == []


# -- one-line damage -----------------------------------------------------------------------


def _damaged(fmt_name: str, line: int, kind: str, variant: int) -> tuple[str, fi.DamageOutcome]:
    name = fi.FORMATS[fmt_name].seeds[0]
    seed = fi.load_seed(name)
    rng = random.Random(f"{BENCH_SEED}:{name}:{line}:{kind}:{variant}")
    data, shift = fi.damage(seed.data, line, kind, rng)
    records, problems = _outcome(data, seed.filename)
    outcome = fi.damage_outcome(
        seed,
        line,
        shift,
        records,
        problems,
        numbered=fmt_name == "csl-json",
    )
    return f"{fmt_name}|damage|{name}|{line}|{kind}|{variant}", outcome


def _lines(fmt_name: str) -> int:
    return len(fi.load_seed(fi.FORMATS[fmt_name].seeds[0]).data.rstrip(b"\n").split(b"\n"))


@st.composite
def damages(draw: st.DrawFn, fmt_name: str) -> tuple[int, str, int]:
    line = draw(st.integers(1, _lines(fmt_name)))
    return line, draw(st.sampled_from(fi.DAMAGE_KINDS)), draw(st.integers(0, 1000))


def _header_refused(fmt_name: str, line: int, outcome: fi.DamageOutcome) -> bool:
    # Without its header a table cannot be read at all: refusing it is loud, not a loss.
    return fmt_name in ("csv", "tsv") and line == 1 and outcome.refused


@pytest.mark.parametrize(
    "fmt_name",
    LINE_FORMATS,
)
@DAMAGE
@given(data=st.data())
def test_one_line_damage_loses_at_most_that_record_and_never_silently(
    fmt_name: str, data: st.DataObject
) -> None:
    line, kind, variant = data.draw(damages(fmt_name))
    ident, outcome = _damaged(fmt_name, line, kind, variant)
    if _header_refused(fmt_name, line, outcome):
        return
    assert outcome.lost_beyond == [], ident
    assert outcome.silent == [], ident


@pytest.mark.parametrize("fmt_name", SALVAGE_FORMATS)
@DAMAGE
@given(data=st.data())
def test_one_line_damage_salvages_every_well_formed_record(
    fmt_name: str, data: st.DataObject
) -> None:
    line, kind, variant = data.draw(damages(fmt_name))
    ident, outcome = _damaged(fmt_name, line, kind, variant)
    assert outcome.lost_beyond == [], ident


# -- encodings -----------------------------------------------------------------------------


def _encoding_cases() -> list[object]:
    cases: list[object] = []
    for fmt_name, fmt in fi.FORMATS.items():
        for encoding in fi.ENCODINGS:
            cases.append(pytest.param(fmt.seeds[0], encoding, id=f"{fmt_name}-{encoding}"))
    return cases


@pytest.mark.parametrize(("name", "encoding"), _encoding_cases())
def test_every_encoding_keeps_every_record(name: str, encoding: str) -> None:
    seed = fi.load_seed(name)
    result = parse(fi.encode(seed.data, encoding), seed.filename)
    assert sorted(fi.identity(r)[0] for r in result.records) == sorted(k[0] for k in seed.keys)


# -- entity tricks -------------------------------------------------------------------------


def _min_cpu(data: bytes, filename: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        with contextlib.suppress(InvalidInput):
            parse(data, filename)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize(
    "name", [n for n in fm.specials("endnote-xml") if "entities" in n or "billion" in n]
)
def test_xml_entity_tricks_are_refused_cheaply(name: str) -> None:
    data, filename = fm.specials("endnote-xml")[name]()
    records, problems = _outcome(data, filename)
    # Nothing expanded: no value larger than the file, no text of the entities.
    assert fi.judge(records or [], problems, len(data)) == []
    assert not any(
        "lollol" in r.title or "aaaa" in r.title or "root:" in r.title for r in records or []
    )
    # Refused as cheaply as a valid file of its size is read (a generous margin: the
    # billion laughs, expanded, would take minutes and gigabytes).
    valid = fi.valid_export("endnote-xml", len(data))
    assert _min_cpu(data, filename) < 20 * _min_cpu(*valid) + 0.05


# -- found by the fuzzer beyond the list (no branch fixes them yet) ----------------


def _cpu(data: bytes, filename: str) -> float:
    start = time.process_time()
    with contextlib.suppress(InvalidInput):
        parse(data, filename)
    return time.process_time() - start


def test_spaces_in_a_table_authors_cell_take_linear_time() -> None:
    # split_authors searched r"\s+and\s+" from every space of a run: 100 KB took 40 s.
    def table(spaces: int) -> bytes:
        return b"Title,Authors\nT," + b" " * spaces + b"x\n"

    small, large = (min(_cpu(table(n), "x.csv") for _ in range(2)) for n in (6_000, 12_000))
    assert large < 3 * small + 0.02


@pytest.mark.parametrize(
    ("fmt_name", "name"),
    [
        ("csv", "100 KB column name"),
        ("endnote-xml", "nested elements with attributes"),
        ("bibtex", "1.2 MB field name"),
    ],
)
def test_raw_field_names_are_bounded(fmt_name: str, name: str) -> None:
    # Names are not clipped like values: a CSV column name repeats in every row's raw
    # fields, and each EndNote XML attribute is named by its whole element path.
    data, filename = fm.specials(fmt_name)[name]()
    records, problems = _outcome(data, filename)
    assert records
    assert not [f for f in fi.judge(records, problems, len(data)) if f[0] in _BOUNDS]
