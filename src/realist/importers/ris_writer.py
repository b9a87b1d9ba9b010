"""Writing records as RIS: from their raw RIS tags when they have them (lossless), otherwise
from their normalised fields.

A value with newlines is written as continuation lines, which is how :mod:`ris` reads them
back. A continuation line that would read as a tag line (``AU  - ...``) or as ``ER`` is
indented by one space; the reader strips that space again. Whitespace at the ends of a
line and blank lines inside a value are what RIS cannot carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from realist.domain.records import Record

__all__ = ["has_ris_raw", "record_to_ris", "write_ris"]

_TAG = re.compile(r"[A-Z][A-Z0-9]\Z")
_LOOKS_LIKE_TAG = re.compile(r"(?:\ufeff?[A-Z][A-Z0-9][ \t]{1,4}-|ER\s*$)")


def has_ris_raw(record: Record) -> bool:
    """Whether ``record.raw`` holds RIS tags (it was imported from RIS), starting with TY."""
    raw = record.raw
    return bool(raw) and raw[0][0] == "TY" and all(_TAG.match(tag) for tag, _ in raw)


def _line(tag: str, value: str) -> str:
    if "\n" not in value:
        return f"{tag}  - {value}\n"
    first, *rest = value.split("\n")
    lines = [f"{tag}  - {first}"]
    for text in rest:
        lines.append(" " + text if _LOOKS_LIKE_TAG.match(text) else text)
    return "\n".join(lines) + "\n"


def _normalised(record: Record) -> list[tuple[str, str]]:
    fields = [("TY", record.kind or "GEN")]
    fields += [("TI", record.title)] if record.title else []
    fields += [("AU", author) for author in record.authors]
    fields += [("PY", str(record.year))] if record.year is not None else []
    fields += [("T2", record.journal)] if record.journal else []
    fields += [("VL", record.volume)] if record.volume else []
    fields += [("IS", record.issue)] if record.issue else []
    if record.pages:
        start, _, end = record.pages.partition("-")
        fields += [("SP", start)] + ([("EP", end)] if end else [])
    fields += [("SN", record.issn)] if record.issn else []
    fields += [("DO", record.doi)] if record.doi else []
    # RIS has no PMID tag; "PMID: n" in AN is what the reader (and EndNote users) expect.
    fields += [("AN", f"PMID: {record.pmid}")] if record.pmid else []
    fields += [("AB", record.abstract)] if record.abstract else []
    fields += [("KW", keyword) for keyword in record.keywords]
    return fields


def record_to_ris(record: Record) -> str:
    """One record as RIS text, ending with its ``ER`` line and a blank line."""
    fields = record.raw if has_ris_raw(record) else _normalised(record)
    return "".join(_line(tag, value) for tag, value in fields) + "ER  - \n\n"


def write_ris(records: Iterable[Record]) -> str:
    """``records`` as the text of a RIS file (write it as UTF-8)."""
    return "".join(record_to_ris(record) for record in records)
