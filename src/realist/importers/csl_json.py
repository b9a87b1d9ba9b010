"""CSL-JSON, as exported by Zotero ("CSL JSON"), Better BibTeX and citation.js.

The file is one JSON array of items (a single item, or an object holding ``items``, is
accepted too). Items are read one at a time with the standard library's raw decoder, so
damage inside one item (a lost quote, comma or bracket, a cut-off file) loses that item
alone: reading resumes at the next ``{`` that starts a well-formed object whose first key
is not part of a name or a date (those are nested in items). Problems are numbered by item
(1-based), as JSON lines mean little, and say the line where a damaged item starts, the
line of the damage and the item's title when it can be read.

Raw fields keep each key of the item: strings as they are, numbers and nested objects as
compact JSON, and lists as one raw pair per element, so that every author stays visible.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from realist.domain.records import Record
from realist.errors import InvalidInput
from realist.importers.base import Context, Draft, Problem, first, group
from realist.importers.kinds import ris_kind
from realist.importers.text import TextSource

__all__ = ["draft", "parse", "sniff"]

_CSL_KEY = re.compile(r'"(?:type|title|author|issued|DOI|container-title)"\s*:')
# Where reading may resume after damage: an object's opening brace and its first key.
_CANDIDATE = re.compile(r'\{\s*"([^"\\\n]{0,64})"\s*:')
# First keys of the objects nested in items (names and dates), never of an item.
_PART_KEYS = frozenset(("family", "given", "literal", "suffix", "dropping-particle",
                        "non-dropping-particle", "comma-suffix", "static-ordering",
                        "parse-names", "date-parts", "season", "circa", "raw"))  # fmt: skip
# Strings (JSON allows no raw line break in one) and brackets, to find where an object ends.
_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|["{}\[\]]')
# The walk's tokens: strings (or a lone quote), runs of closing brackets, and runs of
# opening brackets, each perhaps after a key (a nest of objects, '{"a":{"a":{'): the key
# holds no bracket, so every bracket of the run is an opening.
_BRACKET_RUNS = re.compile(
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|"|[}\]]+'
    r'|[{\[]++(?:\s*+"[^"\\\n{}\[\]]*+"\s*+:\s*+[{\[]++)*+'
)
_OPENING_BRACKET = re.compile(r"[{\[]")
_TITLE = re.compile(r'"title"\s*:\s*"([^"\\\n]{0,200})')
_ITEMS = re.compile(r'\{\s*"items"\s*:\s*\[')
_SCALAR = re.compile(
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null'
)
_SEPARATOR = re.compile(r"[\s,]*")
# The file's opening bracket, after at most a few stray characters (one damaged line).
# Possessive spaces: a file of blank lines must not be tried at every split of them.
_OPENING = re.compile(r"\ufeff?\s*+(?:[^\s\[{]{1,8}\s*+)?([\[{])")
_SPACE = re.compile(r"\s*")
_END = re.compile(r"[\s\]}]*")
MAX_NESTING = 16  # CSL items nest four deep (item, author list, name); more is not an item
_decoder = json.JSONDecoder()


def sniff(head: str) -> int:
    """How sure (0-100) we are that a file starting with ``head`` is CSL-JSON."""
    opening = _OPENING.match(head)
    if opening is None or not _CSL_KEY.search(head):
        return 0
    start = opening.group(1)
    return (90 if start == "[" else 70) - (10 if opening.group(0).strip() != start else 0)


def _compact(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _name(value: str) -> str:
    """``Family, Given`` from one raw author (a JSON object), or the literal name."""
    try:
        person = json.loads(value)
    except ValueError:
        return value
    if not isinstance(person, dict):
        return str(person)
    if person.get("literal"):
        return str(person["literal"])
    family = " ".join(str(person[k]) for k in ("non-dropping-particle", "family") if person.get(k))
    given = " ".join(str(person[k]) for k in ("given", "dropping-particle") if person.get(k))
    return f"{family}, {given}" if family and given else family or given


def _year(issued: str) -> str:
    try:
        date = json.loads(issued)
    except ValueError:
        return issued  # a plain string such as "2019-05-03"
    if isinstance(date, dict):
        parts = date.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return str(parts[0][0])
        return str(date.get("raw") or date.get("literal") or "")
    return str(date)


def draft(raw: list[tuple[str, str]]) -> Draft:
    """Pick the normalisable fields out of a CSL item's raw fields."""
    fields = group(raw)
    issued = first(fields, ("issued", "original-date", "submitted"))
    keywords = [k for v in fields.get("keyword", []) for k in re.split(r"[;,]", v)]
    return Draft(
        title=first(fields, ("title",)),
        authors=[_name(v) for v in fields.get("author", fields.get("editor", []))],
        year=_year(issued) if issued else "",
        journal=first(fields, ("container-title", "collection-title", "container-title-short")),
        volume=first(fields, ("volume",)),
        issue=first(fields, ("issue", "number")),
        start_page=first(fields, ("page", "page-first")),
        doi=first(fields, ("DOI", "doi")),
        pmid=first(fields, ("PMID", "pmid")),
        issn=first(fields, ("ISSN", "issn")),
        abstract=first(fields, ("abstract",)),
        keywords=[k for k in keywords if k.strip()],
        kind=ris_kind(first(fields, ("type",))),
    )


class _Lines:
    """Line numbers of positions met in increasing order, counted once overall."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self.pos:  # rare (a problem about an earlier place): count afresh
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


class _Damage(Exception):
    """An item that cannot be read; ``pos`` is where, in the whole text."""

    def __init__(self, reason: str, pos: int) -> None:
        super().__init__(reason)
        self.reason, self.pos = reason, pos


def _extent(text: str, start: int) -> int:
    """Where the JSON value at ``start`` ends, found without decoding it; raises _Damage."""
    if text[start] not in "{[":
        scalar = _SCALAR.match(text, start)
        if scalar is None:
            raise _Damage("this is not a JSON value", start)
        return scalar.end()
    depth = 0
    for token in _TOKEN.finditer(text, start):
        mark = token.group()
        if mark[0] == '"':
            if len(mark) == 1:
                raise _Damage("a string is not closed on its line", token.start())
        elif mark in "{[":
            depth += 1
            if depth > MAX_NESTING:
                raise _Damage(f"it nests more than {MAX_NESTING} levels deep", token.start())
        else:
            depth -= 1
            if depth == 0:
                return token.end()
    raise _Damage("the file ends inside it", len(text))


def _decode(text: str, pos: int, careful: bool) -> tuple[Any, int]:
    """The JSON value at ``pos`` and where it ends; raises _Damage.

    ``careful`` (once the file showed damage) finds the value's end first and decodes that
    slice: an error then costs the value's length, where json's own error counts the
    lines of everything before it (quadratic in a file with many damaged items), and a
    nest of hostile objects is refused at MAX_NESTING, not at Python's recursion limit.
    """
    try:
        if not careful:
            return _decoder.raw_decode(text, pos)
        end = _extent(text, pos)
        value, stop = _decoder.raw_decode(text[pos:end])
        return value, pos + stop
    except json.JSONDecodeError as error:
        raise _Damage(error.msg, pos + error.pos if careful else error.pos) from None
    except RecursionError:
        raise _Damage("it nests arrays or objects too deeply", pos) from None
    except ValueError as error:  # a number of thousands of digits
        raise _Damage(str(error).split(";")[0], pos) from None


class _Walk:
    """The brackets from a place in the text, read once, each opening told where it closes.

    Measuring each candidate object from its own start would read a nest of objects once
    per level (a chain of 20,000 took seconds); the walk reads each bracket once, keeping
    the open ones on a stack: a closing bracket ends the innermost, and an opening that
    puts MAX_NESTING more levels above one marks that one too deep.

    Brackets are taken in runs, each with a few operations on whole slices: a damaged file
    may hold 800,000 "{" in a row, or 36,000 objects each the first value of the one
    before ('{"a":{"a":...'), and a step per bracket cost 5x to 20x a valid file's parse.
    """

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.tokens = _BRACKET_RUNS.finditer(text, start)
        self.open: list[int] = []  # where each open bracket is, outermost first
        # The open brackets marked too deep are always the first ``deep`` of ``open``:
        # one is marked when MAX_NESTING more are open above it, and so are all below it.
        self.deep = 0
        # Where an opening is -> where it closes, -1 when too deep, 0 while open.
        self.ends: dict[int, int] = {}
        self.read_to = start

    def _step(self) -> bool:
        for token in self.tokens:
            mark = token.group()
            self.read_to = end = token.end()
            if mark[0] == '"':
                continue  # a string, or a lone quote (damage): no bracket in it counts
            start, opened = token.start(), self.open
            if mark[0] in "{[":
                if '"' in mark:  # keys between the openings
                    found = _OPENING_BRACKET.finditer(self.text, start, end)
                    run: range | list[int] = [bracket.start() for bracket in found]
                else:
                    run = range(start, end)
                opened.extend(run)
                self.ends.update(dict.fromkeys(run, 0))
                top = len(opened) - MAX_NESTING  # those below have MAX_NESTING above them
                if top > self.deep:
                    self.ends.update(dict.fromkeys(opened[self.deep : top], -1))
                    self.deep = top
            else:
                # The innermost open bracket closes at the run's first, and so on out; a
                # closing bracket with none open is damage, ignored. Those marked too deep
                # stay so.
                size = len(opened)
                below = max(0, size - (end - start))
                closed = opened[max(below, self.deep) :]
                closings = range(start + 1, start + 1 + len(closed))
                self.ends.update(zip(reversed(closed), closings, strict=True))
                del opened[below:]
                self.deep = min(self.deep, below)
            return True
        return False

    def end_of(self, start: int) -> int | None:
        """Where the object opened at ``start`` ends; -1 if it nests more than MAX_NESTING
        deep or never closes; None if ``start`` is no opening bracket on this walk (it lies
        in what the walk read as a string)."""
        while self.read_to <= start and self._step():
            pass
        if start not in self.ends:
            return None
        while not self.ends[start] and self._step():
            pass
        return self.ends[start] or -1


def _resume(text: str, pos: int) -> tuple[int, Any, int] | None:
    """The next well-formed item from ``pos``: (start, value, end), or None.

    A candidate is a ``{`` whose first key is not part of a name or date, that closes
    within MAX_NESTING levels and decodes. An item in a list is followed by ",", "]" (or
    "{", when a comma was lost) or nothing; an object followed by "}" is the last value
    inside another, not an item.
    """
    walk = _Walk(text, pos)
    for candidate in _CANDIDATE.finditer(text, pos):
        if candidate.group(1) in _PART_KEYS:
            continue
        start = candidate.start()
        end = walk.end_of(start)
        if end is None:  # read from here, strings pair up otherwise (a quote was lost)
            walk = _Walk(text, start)
            end = walk.end_of(start)
        if end is None or end < 0:
            continue
        try:
            value, stop = _decoder.raw_decode(text[start:end])
        except (ValueError, RecursionError):
            continue
        after = _SPACE.match(text, start + stop).end()  # type: ignore[union-attr]
        if after == len(text) or text[after] in ",]{":
            return start, value, start + stop
    return None


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return list(data["items"])
    return [data]


class _Others:
    """Items that are not objects (strings, numbers...), told as one problem per run: a
    list of 200,000 empty strings is one problem, not 200,000."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.first = self.last = 0

    def add(self, number: int) -> None:
        if not self.first:
            self.first = number
        self.last = number

    def flush(self) -> None:
        if self.first:
            first, last = self.first, self.last
            told = f"item {first} is not a JSON object" if first == last else (
                f"items {first}-{last} are not JSON objects")  # fmt: skip
            self.context.problem(first, f"{told}; skipped")
            self.first = self.last = 0


def _objects(text: str, context: Context) -> Iterator[tuple[int, dict[str, Any]]]:
    """(number, item) for each object among the file's items, in file order; every other
    item, and every damaged one, is reported and skipped."""
    others = _Others(context)
    for number, value in _values(text, context, others):
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            # A list inside the list ("[[" after damage or a hand edit): its objects are
            # items all the same, told once.
            others.flush()
            context.problem(number, f"item {number} is a list inside the list of items; "
                            "read the objects in it")  # fmt: skip
            for inner in _flattened(value):
                if isinstance(inner, dict):
                    yield number, inner
            continue
        if isinstance(value, dict):
            others.flush()
            yield number, value
        else:
            others.add(number)
    others.flush()


def _flattened(values: list[Any]) -> Iterator[Any]:
    """The items of nested lists, depth first, without recursion (nesting is unbounded)."""
    stack = [iter(values)]
    while stack:
        for value in stack[-1]:
            if isinstance(value, list):
                stack.append(iter(value))
                break
            yield value
        else:
            stack.pop()


def _values(text: str, context: Context, others: _Others) -> Iterator[tuple[int, Any]]:
    """(number, item) for each readable item; damaged ones are reported (after the items
    ``others`` holds) and skipped."""
    lines = _Lines(text)
    pos = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    if pos == len(text):
        return
    if text[pos] not in "[{":
        opening = _OPENING.match(text, pos)
        if opening is None:
            raise InvalidInput("the file does not start with a JSON list or object")
        context.problem(lines.at(pos), f"{text[pos:opening.start(1)].strip()!r} before the "
                        "opening bracket was skipped")  # fmt: skip
        pos = opening.start(1)
    number = 0
    careful = False
    size = len(text)
    if text[pos] == "{":
        try:  # one item alone, or {"items": [...]}
            data, end = _decode(text, pos, careful=False)
        except _Damage as damage:
            items = _ITEMS.match(text, pos)
            if items is None:
                found = _resume(text, pos + 1)
                _report(text, context, lines, 1, pos, damage, found[0] if found else size)
                if found is None:
                    return
                number, careful = 1, True
                pos = found[0]  # more items follow: a list that lost its "[" (read on)
            else:
                pos = items.end()  # {"items": [...]} with damage: read its list item by item
        else:
            after = _SEPARATOR.match(text, end).end()  # type: ignore[union-attr]
            if after >= size or text[after] != "{":
                yield from enumerate(_items(data), 1)
                return
            others.flush()
            context.problem(2, f'items follow the first one at line {lines.at(after)} with no '
                            '"[" around them; read as a list')  # fmt: skip
            yield 1, data
            number, pos = 1, end
    else:
        pos += 1  # past "["
    while True:
        pos = _SEPARATOR.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= size:  # no "]": the file was cut off, perhaps in the middle of the list
            others.flush()
            context.problem(number + 1, "the file ends before its list of items does (was it "
                            "cut off?); what came before was read")  # fmt: skip
            return
        if text[pos] == "]":  # the list ends: normally nothing follows but "}" or spaces
            end = _END.match(text, pos).end()  # type: ignore[union-attr]
            if end >= size:
                return
            found = _resume(text, pos)
            what = "items follow" if found else "the text after it is not an item"
            others.flush()
            context.problem(number + 1, f'the list ends with "]" at line {lines.at(pos)} but '
                            f"{what}; skipped that")  # fmt: skip
            if found is None:
                return
            pos = found[0]
            continue
        number += 1
        try:
            value, pos = _decode(text, pos, careful)
        except _Damage as damage:
            careful = True
            found = _resume(text, pos + 1)
            others.flush()
            _report(text, context, lines, number, pos, damage, found[0] if found else size)
            if found is None:
                return
            number += 1
            value, pos = found[1], found[2]
        yield number, value


def _report(text: str, context: Context, lines: _Lines, number: int, start: int,
            damage: _Damage, end: int) -> None:  # fmt: skip
    """Say that item ``number`` (the text from ``start`` to ``end``) was skipped, and why."""
    title = _TITLE.search(text, start, end)
    named = f', "{title.group(1)[:80]}"' if title else ""
    at, where = lines.at(start), lines.at(max(start, damage.pos))
    context.problem(number, f"item {number} (line {at}{named}) is not valid JSON at line "
                    f"{where}: {damage.reason}; skipped")  # fmt: skip


def parse(source: TextSource, context: Context) -> Iterator[Record | Problem]:
    """Yield each item of a CSL-JSON file as a record, with the problems found."""
    max_raw = context.max_raw_fields
    for number, item in _objects(source.text(), context):
        yield from context.drain()  # items skipped before this one
        raw: list[tuple[str, str]] = []
        dropped = 0
        for key, value in item.items():
            for element in value if isinstance(value, list) else [value]:
                if element is None:
                    continue
                if len(raw) < max_raw:
                    raw.append((str(key), _compact(element)))
                else:
                    dropped += 1
        yield from context.finish(draft, raw, number, dropped)
    yield from context.drain()
