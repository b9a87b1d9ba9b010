"""A REFI-QDA project (Project exchange format 1.0) as plain data, and Realist's conventions
for carrying a realist review in it.

REFI-QDA has codes, sources, selections, codings and notes, but no place for what makes a
realist review: topics, CMO configurations and their parts, stances, appraisal. Realist
therefore writes them in ways other tools show sensibly and Realist can read back:

- a topic is a code that cannot be coded (a folder in NVivo); a configuration is a code
  named ``IDENTIFIER: title`` under its topic; its contexts, mechanisms and outcomes are
  child codes named ``Context 1: ...``, ``Mechanism 2 (reasoning): ...``, ``Outcome 1: ...``
  (the same names mark C/M/O codes in another tool's codebook);
- what has no REFI element goes on one last line of a description, ``realist: key=value;
  key=value`` (:func:`with_marker`, :func:`split_marker`), e.g. a configuration's origin
  and verdict, or an excerpt's label and rigour;
- a coding's stance other than *supports* is a note on the coding named ``Stance:
  refutes``; a configuration's rationale is a note named ``Rationale: ID``; memos are notes.

Positions (``startPosition``/``endPosition``) count Unicode code points, as REFI-QDA 1.5
(section 10.2) defines them and as Realist's offsets do; the end is written exclusive, as
QualCoder writes and reads it (docs/INTERCHANGE.md explains the choice).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from realist.domain.theory import MechanismKind, Role

__all__ = [
    "RefiCode",
    "RefiCoding",
    "RefiNote",
    "RefiProject",
    "RefiSelection",
    "RefiSource",
    "RefiUser",
    "component_name",
    "parse_component",
    "parse_configuration",
    "split_marker",
    "stable_guid",
    "with_marker",
]

_MARKER = re.compile(r"(?:^|\n)realist:[ \t]*([^\n]*)\s*\Z")
_COMPONENT = re.compile(
    r"^\s*(context|mechanism|outcome|[cmo])\s*(\d{1,4})?\s*(?:\((resource|reasoning)\))?"
    r"\s*(?:[:.\-–—]\s*(.*))?\Z",
    re.IGNORECASE | re.DOTALL,
)
_CONFIGURATION = re.compile(
    r"^\s*(?:CMOC?\s*)?([A-Za-z]{0,3}\d{1,5}[a-z]?)\s*[:.)\-–—]\s*(.*)\Z", re.DOTALL
)
_ROLE_OF = {"c": Role.CONTEXT, "m": Role.MECHANISM, "o": Role.OUTCOME}
NAME_LIMIT = 100  # code names are labels in another tool's tree; the full text is described


@dataclass
class RefiUser:
    guid: str
    name: str = ""
    id: str = ""


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool = True
    description: str = ""
    note_refs: list[str] = field(default_factory=list)
    children: list[RefiCode] = field(default_factory=list)


@dataclass
class RefiCoding:
    guid: str
    code_guid: str
    user_guid: str | None = None
    created: str | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A span ``[start, end)`` of its source's text, in code points."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    user_guid: str | None = None
    created: str | None = None
    codings: list[RefiCoding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    line: int = 0  # where it stands in project.qde, for messages


@dataclass
class RefiSource:
    guid: str
    name: str
    text: str = ""
    description: str = ""
    user_guid: str | None = None
    created: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class RefiNote:
    guid: str
    name: str
    text: str
    user_guid: str | None = None
    created: str | None = None


@dataclass
class RefiProject:
    name: str
    origin: str = ""
    user_guid: str | None = None
    created: str | None = None
    modified: str | None = None
    users: list[RefiUser] = field(default_factory=list)
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # notes on the project as a whole
    skipped: list[str] = field(default_factory=list)  # what was read but cannot be used

    def all_codes(self) -> list[RefiCode]:
        """Every code, depth first."""
        found: list[RefiCode] = []
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            found.append(code)
            stack.extend(reversed(code.children))
        return found


def stable_guid(seed: str, kind: str, key: object) -> str:
    """A GUID that is the same every time the same object of the same review is exported:
    uuid5 of the object's kind and id within a namespace derived from the review."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"realist-review:{seed}")
    return str(uuid.uuid5(namespace, f"{kind}:{key}"))


def with_marker(text: str, fields: dict[str, str]) -> str:
    """``text`` followed by a last line ``realist: key=value; ...`` (empty values left out)."""
    shown = "; ".join(f"{k}={v}" for k, v in fields.items() if v)
    if not shown:
        return text
    return f"{text.rstrip()}\n\nrealist: {shown}" if text.strip() else f"realist: {shown}"


def split_marker(text: str) -> tuple[str, dict[str, str]]:
    """The text before a ``realist:`` last line, and that line's fields."""
    found = _MARKER.search(text or "")
    if found is None:
        return text or "", {}
    fields: dict[str, str] = {}
    for part in found.group(1).split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip()
    return text[: found.start()].rstrip(), fields


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NAME_LIMIT else flat[: NAME_LIMIT - 1] + "…"


def component_name(role: Role, position: int, kind: MechanismKind | None, text: str) -> str:
    """``Mechanism 2 (reasoning): text``, cut to a label's length."""
    label = f"{role.value.capitalize()} {position + 1}"
    if kind is not None:
        label += f" ({kind.value})"
    return _short(f"{label}: {text}")


def parse_component(
    name: str,
) -> tuple[Role, int | None, MechanismKind | None, str] | None:
    """(role, position or None, kind, text from the name) if ``name`` names a C/M/O code."""
    found = _COMPONENT.match(name)
    if found is None:
        return None
    word, number, kind, text = found.groups()
    role = _ROLE_OF[word[0].lower()]
    if len(word) == 1 and number is None and text is None:
        return None  # a code called just "C" is not evidence of a context
    return (
        role,
        int(number) - 1 if number and int(number) > 0 else None,
        MechanismKind(kind.lower()) if kind and role is Role.MECHANISM else None,
        (text or "").strip(),
    )


def configuration_name(identifier: str, title: str) -> str:
    """``N3: title`` (or the identifier alone)."""
    return _short(f"{identifier}: {title}") if title else identifier


def parse_configuration(name: str) -> tuple[str, str]:
    """(identifier, title) of a configuration code's name; another tool's code without an
    identifier keeps its name (cut to 32 characters) as identifier."""
    found = _CONFIGURATION.match(name)
    if found is not None:
        return found.group(1), found.group(2).strip()
    flat = " ".join(name.split())
    return flat[:32].rstrip(), flat
