"""Records as RIS, CSV and XLSX, with their source, duplicate status and screening decisions.

The rows are plain data (:class:`RecordRow`), gathered by the service; this module only
formats them, deterministically: rows in record-id order, fixed columns, fixed timestamps.

RIS is written by :mod:`realist.importers.ris_writer` (from a record's raw RIS tags when it
has them, so a RIS-imported record exports without loss). Decisions go into ``N1`` notes
placed after the record's own fields, the first of which (``Decision: include``) is the
shape :mod:`realist.importers.prior_decisions` reads back with ``import --with-decisions``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from realist.domain.records import Record
from realist.domain.screening import Stage
from realist.importers.ris_writer import record_to_ris
from realist.interchange.zips import rezip_deterministic
from realist.reports.escaping import spreadsheet_text

__all__ = [
    "BASE_COLUMNS",
    "DECISION_COLUMNS",
    "RecordRow",
    "StageView",
    "Vote",
    "to_csv",
    "to_ris",
    "to_xlsx",
]

BASE_COLUMNS = (
    "id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
    "issn", "abstract", "keywords", "type", "source", "file", "duplicate_status",
    "duplicate_of",
)  # fmt: skip
DECISION_COLUMNS = (
    "decision", "title_abstract", "title_abstract_votes", "full_text", "full_text_votes",
    "exclusion_reason",
)  # fmt: skip
_XLSX_CELL_LIMIT = 32_767  # Excel refuses longer cells
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Vote:
    """One reviewer's latest decision on a record at one stage."""

    reviewer: str
    decision: str
    reason: str = ""  # the criterion code an exclusion cites
    reason_text: str = ""
    note: str = ""
    resolves_conflict: bool = False


@dataclass
class StageView:
    """Where a record stands at one stage (an ``Outcome`` value) and the votes behind it."""

    outcome: str = ""
    votes: list[Vote] = field(default_factory=list)


@dataclass
class RecordRow:
    """A record with everything an export shows beside it."""

    record: Record
    source: str = ""
    file: str = ""  # the imported file the record came from
    duplicate_status: str = "unique"  # unique, keeper, duplicate, possible_duplicate
    duplicate_of: int | None = None
    stages: dict[Stage, StageView] = field(default_factory=dict)

    def stage(self, stage: Stage) -> StageView:
        return self.stages.get(stage) or StageView()

    @property
    def decision(self) -> str:
        """The record's standing: its full-text outcome once screened there, else its
        title/abstract outcome; empty when undecided."""
        for stage in (Stage.FULL_TEXT, Stage.TITLE_ABSTRACT):
            view = self.stage(stage)
            if view.votes:
                return view.outcome
        return ""

    @property
    def exclusion_reason(self) -> str:
        """The reason the latest exclusion cites (code and text), when the record is out."""
        if self.decision != "exclude":
            return ""
        for stage in (Stage.FULL_TEXT, Stage.TITLE_ABSTRACT):
            cited = [v for v in self.stage(stage).votes if v.decision == "exclude" and v.reason]
            if cited:
                return _reason(cited[-1])
        return ""


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _reason(vote: Vote) -> str:
    return _flat(f"{vote.reason} {vote.reason_text}") if vote.reason else ""


def votes_text(votes: list[Vote]) -> str:
    """Votes as one line: ``jm: exclude (E2 Not a programme); sa: include``."""
    parts = []
    for vote in votes:
        text = f"{vote.reviewer}: {vote.decision}"
        if vote.reason:
            text += f" ({_reason(vote)})"
        if vote.resolves_conflict:
            text += " [resolves conflict]"
        if vote.note:
            text += f" - {_flat(vote.note)}"
        parts.append(text)
    return "; ".join(parts)


def _decision_notes(row: RecordRow) -> list[str]:
    notes = []
    if row.decision in ("include", "exclude", "maybe", "conflict"):
        # "conflict" reads back as maybe: a disagreement still to settle.
        notes.append(f"Decision: {row.decision}")
    for stage in (Stage.TITLE_ABSTRACT, Stage.FULL_TEXT):
        view = row.stage(stage)
        if view.votes:
            notes.append(f"Realist {stage.value}: {view.outcome} ({votes_text(view.votes)})")
    if row.exclusion_reason:
        notes.append(f"Exclusion reason: {row.exclusion_reason}")
    return notes


def to_ris(rows: list[RecordRow], with_decisions: bool = False) -> str:
    """The records as a RIS file's text (write it as UTF-8)."""
    parts = []
    for row in rows:
        text = record_to_ris(row.record)
        if with_decisions:
            notes = _decision_notes(row)
            if notes:
                # record_to_ris ends every record with "ER  - \n\n"; the notes go before it.
                body = text[: text.rindex("ER  - ")]
                text = body + "".join(f"N1  - {_flat(n)}\n" for n in notes) + "ER  - \n\n"
        parts.append(text)
    return "".join(parts)


def _values(row: RecordRow, with_decisions: bool) -> list[str]:
    r = row.record
    values = [
        str(r.id or ""), r.title, "; ".join(r.authors), "" if r.year is None else str(r.year),
        r.journal, r.volume, r.issue, r.pages, r.doi, r.pmid, r.issn, r.abstract,
        "; ".join(r.keywords), r.kind, row.source, row.file, row.duplicate_status,
        "" if row.duplicate_of is None else str(row.duplicate_of),
    ]  # fmt: skip
    if with_decisions:
        first, second = row.stage(Stage.TITLE_ABSTRACT), row.stage(Stage.FULL_TEXT)
        values += [
            row.decision,
            first.outcome if first.votes else "",
            votes_text(first.votes),
            second.outcome if second.votes else "",
            votes_text(second.votes),
            row.exclusion_reason,
        ]
    return values


def columns(with_decisions: bool) -> tuple[str, ...]:
    """The header of a CSV or XLSX export."""
    return BASE_COLUMNS + (DECISION_COLUMNS if with_decisions else ())


def to_csv(rows: list[RecordRow], with_decisions: bool = False) -> str:
    """The records as CSV text: a byte-order mark (so Excel reads UTF-8), a header, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns(with_decisions))
    for row in rows:
        writer.writerow([spreadsheet_text(v) for v in _values(row, with_decisions)])
    return "\ufeff" + out.getvalue()


def _cell_text(value: str) -> str:
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return cleaned[:_XLSX_CELL_LIMIT]


def to_xlsx(rows: list[RecordRow], as_of: datetime, with_decisions: bool = False) -> bytes:
    """The records as an XLSX workbook (one sheet, ``Records``). ``as_of`` is written as the
    workbook's created and modified time, so the same data gives the same bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Records"
    header = columns(with_decisions)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = _values(row, with_decisions)
        sheet.append([_cell_text(v) for v in values])
        for cell in sheet[sheet.max_row]:
            # Strings stay strings: openpyxl would store "=..." as a formula.
            cell.data_type = "s"
    sheet.freeze_panes = "A2"
    stamp = as_of.replace(tzinfo=None, microsecond=0)
    book.properties.created = stamp
    book.properties.creator = "Realist"
    buffer = io.BytesIO()
    book.save(buffer)
    core = _fixed_modified(_read_member(buffer.getvalue(), "docProps/core.xml"), stamp)
    return rezip_deterministic(buffer.getvalue(), {"docProps/core.xml": core})


def _read_member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def _fixed_modified(core: bytes, stamp: datetime) -> bytes:
    # openpyxl stamps "modified" with the time of saving; the data's own time replaces it.
    value = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + value + rb"\g<2>", core
    )
