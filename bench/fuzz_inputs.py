"""The inputs of the importer fuzzer, and how an outcome is judged (shared by
bench/fuzz_importers.py and tests/test_fuzz_importers.py).

Every input is built from a *spec* (a small tuple) and the run's seed, so any input of a run
can be made again from its id alone:

- ``("damage", seed, line, kind, variant)``: one line of a valid seed file damaged (deleted,
  duplicated, truncated, a control character, a quote or a brace inserted);
- ``("encode", seed, encoding)``: a valid seed file in another encoding or newline style;
- ``("special", name)``: a hand-written hostile input (entity tricks, bounds, the inputs
  issue 12 reported);
- ``("mutate", index)``: a seed file through 1-4 random mutations.

:func:`judge` turns a parse into failures (exceptions are caught by the caller): text that
storage cannot hold, fields beyond the bounds, control characters kept, output larger than
the input. :func:`damage_outcome` says which records a one-line damage lost beyond the
damaged one and whether each lost record was reported.
"""

from __future__ import annotations

import codecs
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from realist.domain.records import Record
from realist.importers import Problem, decode, parse
from realist.importers.base import DEFAULT_MAX_FIELD_CHARS, MAX_LIST_ITEMS, MAX_RAW_FIELDS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "fuzz_seeds"
FIXTURES = ROOT / "tests" / "fixtures" / "imports"

Spec = tuple[Any, ...]


@dataclass(frozen=True)
class FuzzFormat:
    """A format as the fuzzer sees it: seed files (12 records each, used for one-line
    damage), extra seeds (checked-in import fixtures, mutated only) and syntax tokens."""

    name: str
    seeds: tuple[str, ...]
    extras: tuple[str, ...]
    tokens: tuple[bytes, ...]
    line_format: bool  # goal: silent loss 0 for one-line damage (else: salvage)


FORMATS = {
    f.name: f
    for f in (
        FuzzFormat(
            "ris",
            ("fuzz_seeds/ris.ris",),
            (
                "imports/scopus.ris",
                "imports/ovid.ris",
                "imports/cinahl.ris",
                "imports/utf16.ris",
                "imports/latin1.ris",
                "imports/endnote.ris",
            ),
            (b"TY  - ", b"ER  - ", b"  - ", b"\n", b"AU  - "),
            True,
        ),
        FuzzFormat(
            "medline",
            ("fuzz_seeds/medline.nbib",),
            ("imports/pubmed.nbib",),
            (b"PMID- ", b"- ", b"      ", b"\n\n", b"AB  - "),
            True,
        ),
        FuzzFormat(
            "wos",
            ("fuzz_seeds/wos.txt",),
            ("imports/wos_plain.txt",),
            (b"PT ", b"\nER", b"   ", b"\n", b"FN "),
            True,
        ),
        FuzzFormat(
            "bibtex",
            ("fuzz_seeds/bibtex.bib",),
            ("imports/references.bib",),
            (b"@", b"{", b"}", b",", b"=", b'"', b"\\"),
            True,
        ),
        FuzzFormat(
            "csv",
            ("fuzz_seeds/scopus.csv",),
            ("imports/scopus.csv", "imports/rayyan.csv", "imports/generic.csv"),
            (b'"', b",", b"\n", b'""'),
            True,
        ),
        FuzzFormat(
            "tsv", ("fuzz_seeds/table.tsv",), ("imports/wos_tab.txt",), (b"\t", b'"', b"\n"), True
        ),
        FuzzFormat(
            "endnote-xml",
            ("fuzz_seeds/endnote.xml",),
            ("imports/endnote.xml",),
            (b"<", b">", b"/", b"</record>", b"<record>", b"&amp;", b'"'),
            False,
        ),
        FuzzFormat(
            "csl-json",
            ("fuzz_seeds/csl.json",),
            ("imports/zotero.json",),
            (b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\"),
            False,
        ),
    )
}

DAMAGE_KINDS = ("delete", "duplicate", "truncate", "control", "quote", "brace")
ENCODINGS = (
    "utf-8-sig",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-16-be+bom",
    "utf-32",
    "utf-32-le",
    "utf-32-be",
    "latin-1",
    "cp1252",
    "crlf",
    "cr",
)
AMPLIFICATION = 20  # raw names and values may hold at most this many times the file
CONTROLS = b"\x00\x01\x02\x07\x08\x0b\x0c\x0e\x1a\x1b\x1f\x7f"
_NAMES = re.compile(r"\b(?:lines?|rows?) (\d[\d,]*)(?:\s*(?:-|–|to)\s*(\d[\d,]*))?")
_ITEMS = re.compile(r"\b(?:items?|records?|entry|entries|objects?) (\d[\d,]*)")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# -- seeds ------------------------------------------------------------------------------


@dataclass
class Seed:
    """A seed file, its clean parse's records (as identities) and their line spans."""

    name: str
    data: bytes
    keys: list[tuple[str, str, str, str]] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # 1-based, inclusive
    header: list[bytes] = field(default_factory=list)  # lines before the first record
    blocks: list[list[bytes]] = field(default_factory=list)  # each record's lines
    footer: list[bytes] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def identity(record: Record) -> tuple[str, str, str, str]:
    """What recognises a record after damage: DOI, title, PMID, first author."""
    title = " ".join(record.title.casefold().split())
    author = " ".join(record.authors[0].casefold().split()) if record.authors else ""
    return (record.doi, title, record.pmid, author)


@cache
def load_seed(name: str) -> Seed:
    """A seed file by ``dir/file`` name, with the spans of its records."""
    data = (SEEDS.parent / name).read_bytes()
    seed = Seed(name, data)
    try:
        result = parse(data, seed.filename)
    except Exception:
        return seed  # extras that are not clean are mutated only
    seed.keys = [identity(r) for r in result.records]
    lines = data.split(b"\n")
    if result.format == "csl-json":
        starts = [i + 1 for i, line in enumerate(lines) if line.rstrip() == b"  {"]
    else:
        starts = [r.source_line or 0 for r in result.records]
    if len(starts) != len(seed.keys) or result.problems:
        seed.keys = []  # not a clean seed: no damage analysis
        return seed
    end = len(lines) - (1 if lines[-1] == b"" else 0)
    # The footer starts at the last closing line: CSL-JSON items hold "]" lines of their own.
    for index in range(end - 1, -1, -1):
        if lines[index].strip() in (b"</records>", b"EF", b"]"):
            end = index
            break
    bounds = [*starts, end + 1]
    seed.spans = [(bounds[i], bounds[i + 1] - 1) for i in range(len(starts))]
    seed.header = lines[: starts[0] - 1]
    seed.blocks = [lines[a - 1 : b] for a, b in seed.spans]
    seed.footer = lines[end:]
    return seed


def seeds_of(fmt: FuzzFormat) -> list[Seed]:
    return [load_seed(name) for name in (*fmt.seeds, *fmt.extras)]


def valid_export(fmt_name: str, size: int) -> tuple[bytes, str]:
    """A valid file of at least ``size`` bytes (and one record) made of the seed's records."""
    seed = load_seed(FORMATS[fmt_name].seeds[0])
    if fmt_name == "csl-json":
        items = json.loads(seed.data)
        per_item = len(seed.data) // len(items)
        count = max(1, -(-size // per_item))
        body = json.dumps(
            [items[i % len(items)] for i in range(count)], ensure_ascii=False, indent=2
        )
        return body.encode(), seed.filename
    lines = list(seed.header)
    total = sum(len(line) + 1 for line in lines) + sum(len(x) + 1 for x in seed.footer)
    index = 0
    while total < size or index == 0:
        block = seed.blocks[index % len(seed.blocks)]
        lines += block
        total += sum(len(line) + 1 for line in block)
        index += 1
    return b"\n".join(lines + seed.footer), seed.filename


# -- one-line damage ------------------------------------------------------------------------


def damage(data: bytes, line: int, kind: str, rng: random.Random) -> tuple[bytes, int]:
    """``data`` with its 1-based ``line`` damaged; returns the bytes and how lines after the
    damaged one moved (-1 deleted, +1 duplicated, 0 otherwise)."""
    lines = data.split(b"\n")
    target = lines[line - 1]
    shift = 0
    if kind == "delete":
        del lines[line - 1]
        shift = -1
    elif kind == "duplicate":
        lines.insert(line, target)
        shift = 1
    else:
        at = rng.randrange(len(target) + 1)
        if kind == "truncate":  # the line loses its end, not all of it (that is "delete")
            lines[line - 1] = target[: rng.randrange(1, len(target))] if len(target) > 1 else b""
        else:
            char = {
                "control": bytes([rng.choice(CONTROLS)]),
                "quote": b'"',
                "brace": rng.choice((b"{", b"}")),
            }[kind]
            lines[line - 1] = target[:at] + char + target[at:]
    return b"\n".join(lines), shift


@dataclass
class DamageOutcome:
    """What one-line damage did: records lost (seed indexes) and which of them no problem
    named; ``damaged`` is the record holding the line (None: a line outside records)."""

    damaged: int | None
    lost: list[int]
    silent: list[int]
    phantoms: int
    refused: bool

    @property
    def lost_beyond(self) -> list[int]:
        return [k for k in self.lost if k != self.damaged]


def _mentioned(problem: Problem) -> Iterable[tuple[int, int]]:
    yield problem.line, problem.line
    for found in _NAMES.finditer(problem.reason):
        low = int(found[1].replace(",", ""))
        yield low, int((found[2] or found[1]).replace(",", ""))


def damage_outcome(
    seed: Seed,
    line: int,
    shift: int,
    records: list[Record] | None,
    problems: list[Problem],
    numbered: bool,
) -> DamageOutcome:
    """Compare a damaged file's parse (``records`` None: the file was refused) with the
    seed's. ``numbered``: problems may name records by number (CSL-JSON).

    A seed record is found again when an output record shares its DOI, PMID, first author
    or title (or starts its title), or starts on the record's first line (line formats:
    a damaged record kept with a cut title). A lost record is silent unless a problem's
    line, or a line range or record number in its text, falls on it; a refused file is
    loud.
    """
    damaged = next((k for k, (a, b) in enumerate(seed.spans) if a <= line <= b), None)
    if records is None:
        lost = list(range(len(seed.keys)))
        return DamageOutcome(damaged, lost, [], 0, True)
    # Each record's lines in the damaged file (lines after a deleted one move up).
    spans = [(a + shift if a > line else a, b + shift if b >= line else b) for a, b in seed.spans]
    starts = {} if numbered else {a: k for k, (a, _) in enumerate(spans) if shift >= 0 or a != line}
    found = [False] * len(seed.keys)
    phantoms = 0
    for record in records:
        doi, title, pmid, author = identity(record)
        hit = False
        if record.source_line in starts:
            found[starts[record.source_line]] = hit = True
        for k, (k_doi, k_title, k_pmid, k_author) in enumerate(seed.keys):
            if (
                (doi and doi == k_doi)
                or (
                    title and (title == k_title or (len(title) >= 12 and k_title.startswith(title)))
                )
                or (pmid and pmid == k_pmid)
                or (author and author == k_author)
            ):
                found[k] = hit = True
        phantoms += not hit
    lost = [k for k, ok in enumerate(found) if not ok]
    named = [span for problem in problems for span in _mentioned(problem)]
    numbers = {int(m[1].replace(",", "")) for p in problems for m in _ITEMS.finditer(p.reason)}
    numbers |= {p.line for p in problems} if numbered else set()
    silent = []
    for k in lost:
        if k == damaged and seed.spans[k][0] == seed.spans[k][1] and shift < 0:
            continue  # a one-line record deleted whole: nothing of it is left to report
        a, b = spans[k]
        if not any(low <= b and high >= a for low, high in named) and (k + 1) not in numbers:
            silent.append(k)
    return DamageOutcome(damaged, lost, silent, phantoms, False)


# -- re-encodings ---------------------------------------------------------------------------


def encode(data: bytes, encoding: str) -> bytes:
    """A seed file in another encoding (or newline style); unmappable characters
    become ``?`` in the single-byte ones."""
    text = decode(data).lstrip("\ufeff")  # the seed's text, whatever its own encoding
    if encoding == "crlf":
        return text.replace("\n", "\r\n").encode()
    if encoding == "cr":
        return text.replace("\n", "\r").encode()
    if text.startswith("<?xml"):
        declared = encoding.split("+")[0].replace("-sig", "")
        text = re.sub(r'encoding="[^"]*"', f'encoding="{declared}"', text, count=1)
    if encoding == "utf-16-be+bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding, errors="replace")


# -- shapes for linearity -------------------------------------------------------------------


def _record_file(
    fmt_name: str, title: str, abstract: str, doi: str, raw: str = "", author: str = "Jörg"
) -> str:
    """A one-record file with these fields (``raw`` is put in unescaped, where it fits);
    the author is ``Müller, `` followed by ``author``."""
    author = "Müller, " + author
    if fmt_name == "ris":
        return (
            f"TY  - JOUR\nAU  - {author}\nTI  - {title}\nPY  - 2020\nDO  - {doi}\n"
            f"AB  - {abstract}\nN1  - {raw}\nER  - \n"
        )
    if fmt_name == "medline":
        body = abstract.replace("\n", "\n      ")
        return (
            f"PMID- 123\nTI  - {title}\nFAU - {author}\nDP  - 2020\nLID - {doi} [doi]\n"
            f"AB  - {body}\nGN  - {raw}\n"
        )
    if fmt_name == "wos":
        body = abstract.replace("\n", "\n   ")
        return (
            f"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU {author}\nTI {title}\n"
            f"PY 2020\nDI {doi}\nAB {body}\nNR {raw}\nER\n\nEF\n"
        )
    if fmt_name == "bibtex":
        return (
            f"@article{{k,\n  author = {{{author}}},\n  title = {{{title}}},"
            f"\n  year = 2020,\n  doi = {{{doi}}},\n  abstract = {{{abstract}}},\n"
            f"  note = {{{raw}}}\n}}\n"
        )
    if fmt_name in ("csv", "tsv"):
        if fmt_name == "tsv":
            # Tab files are not quoted: their many short lines are blank ones between rows.
            rows = [f"{title}\t{author}\t2020\t{doi}\t{abstract.replace(chr(10), '')}\t{raw}"]
            rows += [""] * abstract.count("\n")
            return "Title\tAuthors\tYear\tDOI\tAbstract\tNotes\n" + "\n".join(rows) + "\n"
        cells = [title, author, "2020", doi, abstract, raw]
        quoted = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
        return "Title,Authors,Year,DOI,Abstract,Notes\n" + quoted + "\n"
    if fmt_name == "endnote-xml":

        def esc(text: str) -> str:
            return text.replace("&", "&amp;").replace("<", "&lt;")

        return (
            '<?xml version="1.0" encoding="UTF-8" ?>\n<xml><records><record>'
            '<ref-type name="Journal Article">17</ref-type><contributors><authors><author>'
            f"{author}</author></authors></contributors><titles><title>{esc(title)}</title>"
            f"</titles><dates><year>2020</year></dates><electronic-resource-num>{esc(doi)}"
            f"</electronic-resource-num><abstract>{esc(abstract)}</abstract><notes>{raw}"
            "</notes></record></records></xml>\n"
        )
    item: dict[str, object] = {
        "type": "article-journal",
        "title": title,
        "DOI": doi,
        "author": [{"family": "Müller", "given": author.removeprefix("Müller, ")}],
        "issued": {"date-parts": [[2020]]},
        "abstract": abstract,
    }
    text = json.dumps([item], ensure_ascii=False, indent=2)
    return text.replace('"abstract"', f'"note": {raw or "null"},\n    "abstract"', 1)


def _fill(unit: str, size: int) -> str:
    return unit * (size // len(unit.encode()))


SHAPES = (
    "long line",
    "spaces in a name",
    "many short lines",
    "deep nesting",
    "many quotes/braces",
    "long DOI with ')'",
    "valid export",
)


def shape(fmt_name: str, name: str, size: int) -> tuple[bytes, str]:
    """A file of ``size`` bytes (within 1%) in ``fmt_name`` with the pathological shape
    ``name``: one record whose one field holds the shape."""
    if name == "valid export":
        return valid_export(fmt_name, size)
    filename = load_seed(FORMATS[fmt_name].seeds[0]).filename
    base = len(_shaped(fmt_name, name, 0))
    # Escaping and continuation prefixes make a unit cost more than its length: measure
    # one build, then scale.
    guess = len(_shaped(fmt_name, name, size - base)) - base
    n = max(1, int((size - base) * (size - base) / max(guess, 1)))
    return _shaped(fmt_name, name, n), filename


def _shaped(fmt_name: str, name: str, n: int) -> bytes:
    title, abstract, doi, raw = "Realist review", "Abstract.", "10.1234/abc", ""
    author = "Jörg"
    if name == "spaces in a name":  # e.g. a cell of spaces in a table's Authors column
        author = " " * n + "J"
    elif name == "long line":
        title = _fill("realist ", n)
        if fmt_name == "bibtex":  # one brace sends the value through LaTeX decoding
            title = "{R}" + title
    elif name == "many short lines":
        abstract = _fill("ab\n", n)
    elif name == "deep nesting":
        if fmt_name == "endnote-xml":
            raw = "<a>" * (n // 7) + "x" + "</a>" * (n // 7)
        elif fmt_name == "csl-json":
            raw = "[" * (n // 2) + "]" * (n // 2)
        elif fmt_name == "bibtex":
            title = "{" * (n // 2) + "x" + "}" * (n // 2)
        else:
            title = "<i>" * (n // 7) + "x" + "</i>" * (n // 7)
    elif name == "many quotes/braces":
        title = _fill('a "b" ', n) if fmt_name != "bibtex" else _fill("{\\'e}{b}", n)
    elif name == "long DOI with ')'":
        doi = "10.1234/" + ")" * n
    return _record_file(fmt_name, title, abstract, doi, raw, author).encode()


# -- judging an outcome ---------------------------------------------------------------------


def _texts(record: Record) -> Iterable[tuple[str, str]]:
    for name in (
        "title",
        "journal",
        "volume",
        "issue",
        "pages",
        "doi",
        "pmid",
        "issn",
        "abstract",
        "kind",
    ):
        yield name, getattr(record, name)
    for name in ("authors", "keywords"):
        for value in getattr(record, name):
            yield name, value
    for tag, value in record.raw:
        yield f"raw {tag[:20]!r}", value
        yield "raw tag", tag


def judge(records: list[Record], problems: list[Problem], size: int) -> list[tuple[str, str]]:
    """Failures of a parse that did not raise, as (class, detail) pairs."""
    failures: list[tuple[str, str]] = []
    stored = 0  # characters of every raw name and value, as storage would keep them
    for number, record in enumerate(records, 1):
        try:  # exactly what storage does with these values (store.records)
            orjson.dumps(
                [
                    record.title,
                    record.authors,
                    record.abstract,
                    record.keywords,
                    record.raw,
                    record.journal,
                    record.doi,
                ]
            )
        except TypeError as error:
            failures.append(("unstorable text (orjson)", f"record {number}: {error}"))
        if len(record.authors) > MAX_LIST_ITEMS or len(record.keywords) > MAX_LIST_ITEMS:
            failures.append(("list beyond bound", f"record {number}"))
        if len(record.raw) > MAX_RAW_FIELDS:
            failures.append(("raw fields beyond bound", f"record {number}: {len(record.raw)}"))
        for name, value in _texts(record):
            stored += len(value) if name.startswith("raw") else 0
            if len(value) > DEFAULT_MAX_FIELD_CHARS:
                failures.append(("field beyond bound", f"record {number} {name}: {len(value)}"))
            if len(value) > size:
                failures.append(("field larger than the file", f"record {number} {name}"))
            if "\x00" in value:
                failures.append(("NUL kept (PostgreSQL refuses it)", f"record {number} {name}"))
            elif found := _CONTROL_CHARS.search(value):
                failures.append(("control character kept", repr(found[0])))
    # Raw fields repeat column names per row, so some growth is by design; this much is not.
    if stored > AMPLIFICATION * size + 100_000:
        failures.append(("raw fields over 20x the file (names unbounded)", f"{stored:,} chars"))
    for problem in problems:
        if problem.line < 1:
            failures.append(("problem names no line", problem.reason[:80]))
    return failures
