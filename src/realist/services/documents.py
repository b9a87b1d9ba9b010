"""Full texts: attaching files, extracting their text, versions, and MMAT appraisal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import MMATAnswer, MMATAppraisal
from realist.domain.coding import span_problems
from realist.domain.documents import (
    Document,
    DocumentType,
    StudyDesign,
    default_key,
    key_problem,
)
from realist.domain.records import Record
from realist.domain.screening import Outcome, Stage, settle
from realist.errors import InvalidInput
from realist.extraction import Extraction, PageSpan, extract, page_of
from realist.store import Store
from realist.store import appraisal as appraisal_repo
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.events import append_event, now
from realist.store.schema_analysis import document, document_file, document_text, excerpt


@dataclass
class Attached:
    """What attaching (or re-extracting) a file did."""

    key: str
    version: int
    format: str
    characters: int
    pages: int
    warnings: list[str] = field(default_factory=list)
    stale_excerpts: list[str] = field(default_factory=list)  # excerpts whose text moved


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from None


def _store_file(connection: Connection, document_id: int, filename: str, data: bytes) -> None:
    connection.execute(
        document_file.insert().values(
            document_id=document_id,
            filename=filename,
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            created_at=now(),
        )
    )


def _version_count(connection: Connection, document_id: int) -> int:
    return int(
        connection.execute(
            sa.select(sa.func.count()).where(document_text.c.document_id == document_id)
        ).scalar()
        or 0
    )


def _stale(connection: Connection, document_id: int, new_text: str) -> list[str]:
    """Excerpts of older versions whose quoted text is not at the same offsets any more."""
    rows = connection.execute(
        sa.select(
            excerpt.c.id,
            excerpt.c.label,
            excerpt.c.start_offset,
            excerpt.c.end_offset,
            excerpt.c.text,
        )
        .join(document_text, document_text.c.id == excerpt.c.document_text_id)
        .where(document_text.c.document_id == document_id)
        .order_by(excerpt.c.id)
    )
    return [
        r.label or str(r.id)
        for r in rows
        if span_problems(new_text, r.start_offset, r.end_offset, r.text)
    ]


def attach_document(
    store: Store,
    path: Path,
    *,
    key: str | None = None,
    title: str | None = None,
    record_id: int | None = None,
    document_type: DocumentType = DocumentType.PEER_REVIEWED_ARTICLE,
    study_design: StudyDesign | None = None,
    reviewer: str | None = None,
    override: str | None = None,
) -> Attached:
    """Attach a full text (PDF, DOCX, HTML, TXT, Markdown): the file is kept in the review
    and its text extracted.

    A new text version is added only to the document the reviewer names: its ``key``, or
    the document already attached to ``record_id``; anything else makes a new document
    with a short readable key (``thapa-2020``), so one paper's text can never become a
    version of another's. The record must be standing (not merged as a duplicate) and not
    excluded by screening, unless ``override`` says why it is attached anyway (recorded
    and shown; the document then does not count as included). Reports the excerpts whose
    text no longer matches a new version; old excerpts keep their version."""
    if key is not None:
        problem = key_problem(key)
        if problem:
            raise InvalidInput(problem)
    if override is not None and not override.strip():
        raise InvalidInput("an override needs a reason (why attach a full text screening excluded)")
    data = _read(path)
    extraction: Extraction = extract(data, path.name)
    if not extraction.text.strip():
        raise InvalidInput(f"{path}: no text could be extracted ({'; '.join(extraction.warnings)})")
    pages = [(p.number, p.start, p.end) for p in extraction.pages]
    with store.transaction() as connection:
        who_key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = records_repo.get_record(connection, record_id) if record_id is not None else None
        if found is not None:
            _check_attachable(connection, found, override)
        target = _target_document(connection, key, found)
        stale: list[str] = []
        if target is None:
            if found is not None and title is None:
                title = found.title
            key = key or default_key(
                found.authors if found else [],
                found.year if found else None,
                title or "",
                path.stem,
                lambda k: _key_taken(connection, k),
            )
            document_id = documents_repo.insert_document(
                connection,
                Document(
                    key=key,
                    title=title or path.stem,
                    document_type=document_type,
                    study_design=study_design,
                    record_id=record_id,
                    inclusion_override=(override or "").strip(),
                ),
            )
        else:
            document_id, key = target
            stale = _stale(connection, document_id, extraction.text)
            if override is not None:
                connection.execute(
                    document.update()
                    .where(document.c.id == document_id)
                    .values(inclusion_override=override.strip())
                )
        documents_repo.add_text_version(
            connection, document_id, extraction.text, pages, extraction.format
        )
        _store_file(connection, document_id, path.name, data)
        version = _version_count(connection, document_id)
        append_event(
            connection,
            "document.attached",
            who_key,
            f"document:{key}",
            {
                "file": path.name,
                "version": version,
                "format": extraction.format,
                "record": record_id,
                "stale_excerpts": stale,
                **({"override": override.strip()} if override else {}),
            },
        )
    return Attached(
        key,
        version,
        extraction.format,
        len(extraction.text),
        len(pages),
        list(extraction.warnings),
        stale,
    )


def _key_taken(connection: Connection, key: str) -> bool:
    found = connection.execute(sa.select(document.c.id).where(document.c.key == key)).first()
    return found is not None


def _check_attachable(connection: Connection, found: Record, override: str | None) -> None:
    """Refuse a full text for a record merged away, or (without an override) for one that
    screening excluded: it would count as an included document that is not included."""
    if found.duplicate_of is not None:
        raise InvalidInput(
            f"record {found.id} was merged as a duplicate of record {found.duplicate_of}: "
            f"attach the full text to record {found.duplicate_of}"
        )
    assert found.id is not None
    mode = reviews_repo.get_review(connection).screening_mode
    settled = {
        stage: settle(screening_repo.list_decisions(connection, stage, found.id), mode)
        for stage in Stage
    }
    why = None
    if settled[Stage.TITLE_ABSTRACT] is Outcome.EXCLUDED:
        why = "was excluded at title and abstract"
    elif settled[Stage.FULL_TEXT] is Outcome.EXCLUDED:
        why = "was excluded at full text"
    elif settled[Stage.FULL_TEXT] is Outcome.NOT_RETRIEVED:
        why = "is recorded as not retrieved at full text (change that decision first)"
    if why and override is None:
        raise InvalidInput(
            f"record {found.id} {why}: its full text would not count as included. "
            "To keep it anyway, say why with --override"
        )


def _target_document(
    connection: Connection, key: str | None, found: Record | None
) -> tuple[int, str] | None:
    """The existing document a new text version goes to, if the reviewer named one (by its
    key, or by the record it is the full text of); None for a new document."""
    by_record = None
    if found is not None:
        by_record = connection.execute(
            sa.select(document.c.id, document.c.key).where(document.c.record_id == found.id)
        ).first()
    if key is None:
        return (int(by_record.id), by_record.key) if by_record else None
    by_key = connection.execute(
        sa.select(document.c.id, document.c.record_id).where(document.c.key == key)
    ).first()
    if by_key is None:
        if by_record is not None:
            raise InvalidInput(
                f"record {found.id if found else ''} already has a full text, "
                f"'{by_record.key}': attach a new version with --key {by_record.key}"
            )
        return None
    if found is not None and by_key.record_id not in (None, found.id):
        raise InvalidInput(
            f"document '{key}' is the full text of record {by_key.record_id}, not of record "
            f"{found.id}: choose another --key"
        )
    return int(by_key.id), key


@dataclass
class DocumentView:
    document: Document
    versions: int
    pages: list[PageSpan]
    excerpts: int


def show_document(store: Store, key: str) -> DocumentView:
    """A document with its current text, page map and how much of it is coded."""
    with store.reading() as connection:
        item = documents_repo.get_document(connection, key)
        assert item.id is not None
        row = connection.execute(
            sa.select(document_text.c.pages)
            .where(document_text.c.document_id == item.id)
            .order_by(document_text.c.version.desc())
            .limit(1)
        ).first()
        pages = [PageSpan(*p) for p in row.pages] if row else []
        count = len(coding_repo.list_excerpts(connection, key))
        return DocumentView(item, _version_count(connection, item.id), pages, count)


def page_of_offset(view: DocumentView, offset: int) -> int | None:
    return page_of(view.pages, offset) if view.pages else None


def list_documents(store: Store) -> list[Document]:
    with store.reading() as connection:
        return documents_repo.list_documents(connection)


def appraise_mmat(
    store: Store,
    key: str,
    category: StudyDesign,
    screening: list[MMATAnswer],
    criteria: list[MMATAnswer],
    reviewer: str | None,
    note: str = "",
    components: dict[StudyDesign, list[MMATAnswer]] | None = None,
) -> MMATAppraisal:
    """An MMAT 2018 appraisal: the two screening questions, then the five criteria of the
    document's category (only when both screening answers are yes). A mixed methods study
    also gives ``components``: the five answers of its qualitative component and of its one
    quantitative component (``{StudyDesign.QUALITATIVE: [...], StudyDesign.NON_RANDOMISED:
    [...]}``), as MMAT 2018 section 5 asks. A reviewer's new appraisal replaces their last."""
    with store.transaction() as connection:
        who_key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        item = MMATAppraisal(
            key, category, screening, criteria, who_key, note, components=dict(components or {})
        )
        problems = item.problems()
        if problems:
            raise InvalidInput(f"MMAT for '{key}': {problems[0]}")
        appraisal_repo.save_mmat(connection, documents_repo.document_id(connection, key), who, item)
        append_event(
            connection,
            "document.appraised",
            who_key,
            f"document:{key}",
            {
                "category": category.value,
                "met": item.met,
                **(
                    {"components": {c.value: item.component_met(c) for c in item.components}}
                    if item.components
                    else {}
                ),
            },
        )
        return item


def mmat_table(store: Store) -> list[MMATAppraisal]:
    """Every MMAT appraisal, by document (reference number, key) and reviewer."""
    with store.reading() as connection:
        return appraisal_repo.list_mmat(connection)


@dataclass
class DocumentSummary:
    """One line of a list of documents: the current text's size and how much is coded."""

    document: Document
    versions: int
    pages: int
    characters: int
    excerpts: int


def document_summaries(store: Store) -> list[DocumentSummary]:
    """Every document (as ``list_documents`` orders them) with its number of text versions,
    the pages and characters of its current text, and its excerpts (of any version);
    without loading any text."""
    with store.reading() as connection:
        items = documents_repo.list_documents(connection)
        latest: dict[int, tuple[int, int, int, int]] = {}  # id -> versions, version, pages, len
        for r in connection.execute(
            sa.select(
                document_text.c.document_id,
                document_text.c.version,
                document_text.c.pages,
                document_text.c.length,
            )
        ):
            seen = latest.get(r.document_id)
            versions = (seen[0] if seen else 0) + 1
            if seen is None or r.version > seen[1]:
                latest[r.document_id] = (versions, r.version, len(r.pages or []), r.length)
            else:
                latest[r.document_id] = (versions, *seen[1:])
        counts: dict[int, int] = {
            r[0]: int(r[1])
            for r in connection.execute(
                sa.select(document_text.c.document_id, sa.func.count(excerpt.c.id))
                .join(excerpt, excerpt.c.document_text_id == document_text.c.id)
                .group_by(document_text.c.document_id)
            )
        }
    summaries = []
    for item in items:
        assert item.id is not None
        versions, _, pages, length = latest.get(item.id, (0, 0, 0, 0))
        summaries.append(
            DocumentSummary(item, versions, pages, length, int(counts.get(item.id, 0)))
        )
    return summaries
