"""PRISMA 2020 counts as the CSV template of the PRISMA2020 R package and Shiny app.

The layout is the package's ``inst/extdata/PRISMA.csv``: columns ``data, node, box,
description, boxtext, tooltips, url, n``, one row per box line, the count in ``n``. Breakdowns
(per database, per register, per exclusion reason) sit in one ``n`` cell as
``"Name, n; Name, n"``, which the package splits at ``;`` and then at the *first* comma.

Choices, and why:

- Unknown is an empty ``n`` cell. The package reads it as NA and leaves that line out of its
  diagram, which is the nearest it has to "unknown"; writing 0 would state a falsehood.
- A name cannot carry ``,`` or ``;`` in that format, so they are written as look-alikes
  (U+201A and U+FF1B) that the package shows unchanged, and read back as the originals.
- Realist's extra rows (``website_specific_results``, ``organisations_contacted``, and the
  ``realist_*`` rows of :data:`EXTRA_ROWS`: other sources, the other-methods arm's removals,
  what still awaits a decision) do not contain any name the package greps for, so the package
  ignores them; Realist reads them back.
- Output is deterministic: fixed row order, breakdowns in their given order, ``\\n`` endings.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from realist.domain.prisma import NO_REASON, Breakdown, PrismaCounts
from realist.errors import InvalidInput
from realist.reports.escaping import FORMULA_START, spreadsheet_text

__all__ = ["from_prisma2020_csv", "to_prisma2020_csv"]

COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")

# The package's template rows, verbatim except for ``n`` (filled in) and Realist's two extra
# rows. Title rows (data "NA") carry no count; their n stays the template's "0".
_REASONS_HINT = (
    "[separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]"
)
_TEMPLATE: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies",
     "Grey title box; Previous studies", "prevstud.html"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review",
     "Studies included in previous version of review", "previous_studies.html"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review", "NA", "previous_reports.html"),
    ("NA", "node6", "newstud",
     "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers",
     "newstud.html"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases",
     "Records identified from: Databases and Registers", "database_results.html"),
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases", "NA", "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA",
     "NA"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers", "NA", "database_results.html"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods", "othstud.html"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites",
     "Records identified from: Websites, Organisations and Citation Searching",
     "website_results.html"),
    ("website_specific_results", "NA", "box11", "Records identified from: specific websites",
     "Specific Websites", "NA", "NA"),
    ("organisation_results", "", "box11", "Records identified from: Organisations",
     "Organisations", "NA", "NA"),
    ("organisations_contacted", "NA", "box11", "Number of organisations contacted",
     "Organisations contacted", "NA", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching",
     "Citation searching", "NA", "NA"),
    ("realist_other_sources_n", "NA", "box11", "Records identified from: other sources",
     "Other sources", "NA", "NA"),
    ("realist_other_sources_named", "NA", "box11",
     "Records identified from: specific other sources", "Specific other sources", "NA", "NA"),
    ("realist_other_arm_dups", "NA", "box11", "Duplicate records removed (other methods)",
     "Duplicate records removed", "NA", "NA"),
    ("realist_other_arm_ta_excl", "NA", "box11",
     "Records excluded on title and abstract (other methods)",
     "Records excluded on title and abstract", "NA", "NA"),
    ("realist_other_arm_ta_waiting", "NA", "box11",
     "Records awaiting a title and abstract decision (other methods)",
     "Awaiting a decision", "NA", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records",
     "duplicates.html"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools", "NA", "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons",
     "Records removed for other reasons", "NA", "NA"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)",
     "Records screened", "Records screened (databases and registers)", "records_screened.html"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)",
     "Records excluded", "Records excluded (databases and registers)", "records_excluded.html"),
    ("realist_dbr_ta_waiting", "NA", "box4",
     "Records awaiting a title and abstract decision (databases and registers)",
     "Awaiting a decision", "NA", "NA"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)", "Reports sought for retrieval",
     "Reports sought for retrieval (databases and registers)", "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)", "Reports not retrieved",
     "Reports not retrieved (databases and registers)", "dbr_notretrieved_reports.html"),
    ("realist_dbr_ft_waiting", "NA", "box6",
     "Reports awaiting a full-text decision (databases and registers)",
     "Awaiting a decision", "NA", "NA"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)",
     "Reports sought for retrieval", "Reports sought for retrieval (other)",
     "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)",
     "Reports not retrieved", "Reports not retrieved (other)", "other_notretrieved_reports.html"),
    ("realist_other_arm_ft_waiting", "NA", "box12",
     "Reports awaiting a full-text decision (other methods)", "Awaiting a decision", "NA",
     "NA"),
    ("dbr_assessed", "node13", "box8",
     "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility",
     "Reports assessed for eligibility (databases and registers)", "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     f"Reports excluded (databases and registers): {_REASONS_HINT}",
     "Reports excluded", "Reports excluded (databases and registers)", "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility", "Reports assessed for eligibility (other)",
     "other_assessed.html"),
    ("other_excluded", "node21", "box15", f"Reports excluded (other): {_REASONS_HINT}",
     "Reports excluded", "Reports excluded (other)", "other_excluded.html"),
    ("new_studies", "node15", "box10", "New studies included in review",
     "New studies included in review", "New studies included in review", "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies",
     "Reports of new included studies", "NA", "NA"),
    ("total_studies", "node22", "box16", "Total studies included in review",
     "Total studies included in review", "Total studies included in review",
     "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies",
     "Reports of total included studies", "NA", "NA"),
    ("identification", "node1", "identification", "Blue identification box", "Identification",
     "Blue identification box", "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box",
     "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box",
     "included.html"),
)  # fmt: skip

EXTRA_ROWS = {
    "realist_other_sources_n": "other_sources_results",
    "realist_other_sources_named": "other_sources_specific_results",
    "realist_other_arm_dups": "other_duplicates",
    "realist_other_arm_ta_excl": "other_records_excluded",
    "realist_other_arm_ta_waiting": "other_records_awaiting",
    "realist_dbr_ta_waiting": "records_awaiting",
    "realist_dbr_ft_waiting": "dbr_awaiting_reports",
    "realist_other_arm_ft_waiting": "other_awaiting_reports",
}
"""Realist's own boxes: the CSV's ``data`` name -> the field of PrismaCounts. The names
avoid every field name of the package, which finds its rows by pattern."""

_TITLE_ROWS = {"NA", "identification", "screening", "included"}
_BREAKDOWNS = {
    "database_specific_results",
    "register_specific_results",
    "website_specific_results",
    "other_sources_specific_results",
}
_REASONS = {"dbr_excluded", "other_excluded"}
_FIELDS = {row[0] for row in _TEMPLATE} - _TITLE_ROWS

_TO_LOOKALIKE = str.maketrans({",": "\u201a", ";": "\uff1b"})
_FROM_LOOKALIKE = str.maketrans({"\u201a": ",", "\uff1b": ";"})
# A plain count, with or without thousands separators (the Shiny app shows "5,126").
_NUMBER = re.compile(r"\d+|\d{1,3}(?:,\d{3})+")
# Cells the package treats as "no number": empty, NA, or its "xxx" placeholder.
_UNKNOWN = re.compile(r"(?i)|na|n/?a|x+|\?|unknown")


def to_prisma2020_csv(counts: PrismaCounts) -> str:
    """Write counts as the PRISMA2020 R package's CSV template (unknown counts left empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in _TEMPLATE:
        name = row[0]
        field = EXTRA_ROWS.get(name, name)
        n = "0" if name in _TITLE_ROWS else _cell(field, getattr(counts, field))
        writer.writerow((*row, n))
    return out.getvalue()


def _cell(name: str, value: int | Breakdown | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if name in _REASONS:
        # The package reads a bare number as "excluded, reasons not given"; keep that shape
        # when it is all we know, so R shows it the way a user would have typed it.
        if not value:
            return "0"
        if list(value) == [NO_REASON] and value[NO_REASON]:
            return str(value[NO_REASON])
    parts: dict[str, int | None] = {}
    for raw, n in value.items():
        key = _clean_name(raw)
        # Two names may clean to the same text; their counts merge rather than one being lost.
        if key in parts:
            old = parts[key]
            parts[key] = None if old is None or n is None else old + n
        else:
            parts[key] = n
    # Names come from imported files: the cell must not run as a formula in a spreadsheet.
    return spreadsheet_text(
        "; ".join(f"{key}, {'NA' if n is None else n}" for key, n in parts.items())
    )


def _clean_name(name: str) -> str:
    # Newlines and runs of spaces would survive CSV quoting but break the package's wrapping.
    return " ".join(name.split()).translate(_TO_LOOKALIKE)


def from_prisma2020_csv(text: str) -> PrismaCounts:
    """Read counts from a PRISMA2020-package CSV (its template, its Shiny app's export or ours).

    Rows are found by their ``data`` name, so row order and extra rows do not matter; a box
    missing from the file is unknown. Raises ``InvalidInput`` naming the line of a count that
    is not a whole number, or of a box given twice.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"data", "n"} <= {f.strip() for f in reader.fieldnames}:
        raise InvalidInput("PRISMA CSV: the header must have the columns 'data' and 'n'")
    reader.fieldnames = [f.strip() for f in reader.fieldnames]
    values: dict[str, object] = {}
    for row in reader:
        row_name = (row.get("data") or "").strip()
        if row_name not in _FIELDS:
            continue
        where = f"PRISMA CSV line {reader.line_num} ({row_name})"
        name = EXTRA_ROWS.get(row_name, row_name)
        if name in values:
            raise InvalidInput(f"{where}: this box is given twice")
        cell = (row.get("n") or "").strip()
        if cell.startswith("'") and cell[1:].startswith(FORMULA_START):
            cell = cell[1:]  # the guard spreadsheet_text adds, taken off again
        if name in _BREAKDOWNS:
            values[name] = _parse_parts(cell, where) or {}
        elif name in _REASONS:
            values[name] = _parse_reasons(cell, where)
        else:
            values[name] = _parse_count(cell, where)
    try:
        return PrismaCounts(**values)  # type: ignore[arg-type]
    except ValueError as err:  # pragma: no cover - the parsers only yield valid counts
        raise InvalidInput(f"PRISMA CSV: {err}") from err


def _parse_count(cell: str, where: str) -> int | None:
    if _UNKNOWN.fullmatch(cell):
        return None
    if _NUMBER.fullmatch(cell):
        return int(cell.replace(",", ""))
    raise InvalidInput(f"{where}: {cell[:40]!r} is not a whole number")


def _parse_parts(cell: str, where: str) -> dict[str, int | None] | None:
    if _UNKNOWN.fullmatch(cell):
        return None
    parts: dict[str, int | None] = {}
    for item in cell.split(";"):
        if not item.strip():
            continue
        # The package splits at the first comma: a count may contain thousands separators.
        name, _, n = item.partition(",")
        parts[name.strip().translate(_FROM_LOOKALIKE)] = _parse_count(n.strip(), where)
    return parts


def _parse_reasons(cell: str, where: str) -> Mapping[str, int | None] | None:
    if _UNKNOWN.fullmatch(cell):
        return None
    if _NUMBER.fullmatch(cell):
        total = int(cell.replace(",", ""))
        return {NO_REASON: total} if total else {}
    return _parse_parts(cell, where)
