"""How the review cites its documents: author-year citations and reference numbers.

A document's citation is derived from its record ("Thapa et al. 2020") unless set by hand;
reference numbers are the review's reference list, set one by one or all at once in the
order of the citations. Tables print both: "Thapa et al. 2020 [12]".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.citations import Cited, author_year, cite
from realist.domain.documents import Document
from realist.domain.folding import fold
from realist.errors import InvalidInput
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event
from realist.store.schema import record
from realist.store.schema_analysis import document

__all__ = [
    "CitationRow",
    "citation_rows",
    "document_citations",
    "labelled",
    "number_references",
    "set_citation",
]

MAX_CITATION = 200
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_LEAD = re.compile(r"^[^.:]{0,40}:\s+")  # "Review: Smith J, ..." has a label first


def _from_reference(text: str) -> str:
    """ "Smith 2019" from a reference as printed ("Smith JA. A study of ... 2019;")."""
    text = _LEAD.sub("", text or "")
    first = text.split(" ", 1)[0].rstrip(".,;:") if text else ""
    year = _YEAR.search(text)
    return f"{first} {year.group(1)}" if first[:1].isupper() and year else ""


def citations_of(connection: Connection, documents: list[Document]) -> dict[str, str]:
    """Each document's citation by key (see :func:`realist.domain.citations.cite`)."""
    ids = [d.record_id for d in documents if d.record_id is not None]
    records = {
        r.id: (list(r.authors), r.year)
        for r in connection.execute(
            sa.select(record.c.id, record.c.authors, record.c.year).where(record.c.id.in_(ids))
        )
    }
    cited = []
    for d in documents:
        authors, year = records.get(d.record_id, ([], None)) if d.record_id else ([], None)
        derived = author_year(authors, year) or _from_reference(d.citation)
        cited.append(Cited(d.key, d.title, d.cite_as, derived))
    return cite(cited)


def document_citations(store: Store) -> dict[str, str]:
    """Every document's author-year citation, by key."""
    with store.reading() as connection:
        return citations_of(connection, documents_repo.list_documents(connection))


def labelled(citation: str, reference: int | None) -> str:
    """A citation as tables print it: "Thapa et al. 2020 [12]"."""
    return f"{citation} [{reference}]" if reference is not None else citation


@dataclass(frozen=True)
class CitationRow:
    """A document as the review cites it."""

    key: str
    citation: str
    by_hand: bool
    reference: int | None
    included: bool
    title: str


def citation_rows(store: Store) -> list[CitationRow]:
    """Every document with its citation and reference number, in reference-list order."""
    with store.reading() as connection:
        documents = documents_repo.list_documents(connection)
        found = citations_of(connection, documents)
    return [
        CitationRow(d.key, found[d.key], bool(d.cite_as), d.reference_number, d.included, d.title)
        for d in documents
    ]


def _holder(connection: Connection, number: int, besides: str) -> str | None:
    return connection.execute(
        sa.select(document.c.key).where(
            document.c.reference_number == number, document.c.key != besides
        )
    ).scalar()


def set_citation(
    store: Store,
    key: str,
    reviewer: str | None,
    *,
    cite_as: str | None = None,
    reference: int | None = None,
    clear_reference: bool = False,
) -> CitationRow:
    """Set a document's citation by hand (``""``: derive it again from its record) and/or
    its reference number (``clear_reference`` removes it). Two documents never share a
    reference number."""
    if cite_as is not None and len(cite_as.strip()) > MAX_CITATION:
        raise InvalidInput(f"a citation has at most {MAX_CITATION} characters")
    if reference is not None and reference < 1:
        raise InvalidInput(f"a reference number is 1 or more, not {reference}")
    if cite_as is None and reference is None and not clear_reference:
        raise InvalidInput("nothing to change: give --as, --reference or --no-reference")
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        before = documents_repo.get_document(connection, key)
        changes: dict[str, object] = {}
        if cite_as is not None:
            changes["cite_as"] = cite_as.strip()
        if clear_reference:
            changes["reference_number"] = None
        elif reference is not None:
            holder = _holder(connection, reference, key)
            if holder is not None:
                raise InvalidInput(
                    f"reference {reference} is document '{holder}'s; "
                    f"clear it first (realist cite {holder} --no-reference)"
                )
            changes["reference_number"] = reference
        connection.execute(document.update().where(document.c.key == key).values(**changes))
        append_event(
            connection,
            "document.citation_set",
            who,
            f"document:{key}",
            {"cite_as": {"from": before.cite_as, "to": changes.get("cite_as", before.cite_as)},
             "reference": {"from": before.reference_number,
                           "to": changes.get("reference_number", before.reference_number)}},
        )  # fmt: skip
        documents = documents_repo.list_documents(connection)
        found = citations_of(connection, documents)
    after = next(d for d in documents if d.key == key)
    return CitationRow(
        key, found[key], bool(after.cite_as), after.reference_number, after.included, after.title
    )


def number_references(store: Store, reviewer: str | None, start: int = 1) -> list[CitationRow]:
    """Number the included documents ``start``, ``start + 1``, ... in the alphabetical
    order of their citations (then titles), replacing their numbers. Refused when a
    document that is not included holds one of those numbers."""
    if start < 1:
        raise InvalidInput(f"reference numbers start at 1 or more, not {start}")
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        documents = documents_repo.list_documents(connection)
        found = citations_of(connection, documents)
        included = sorted(
            (d for d in documents if d.included),
            key=lambda d: (fold(found[d.key]), fold(d.title), d.key),
        )
        numbers = {d.key: start + i for i, d in enumerate(included)}
        taken = {
            d.reference_number: d.key
            for d in documents
            if not d.included and d.reference_number in numbers.values()
        }
        if taken:
            number, holder = min(taken.items(), key=lambda kv: kv[0] or 0)
            raise InvalidInput(
                f"reference {number} is held by '{holder}', which is not an included document; "
                f"clear it first (realist cite {holder} --no-reference) or choose --start"
            )
        before = {d.key: d.reference_number for d in included}
        # Cleared first, so that no two documents ever hold the same number mid-way.
        connection.execute(
            document.update().where(document.c.key.in_(list(numbers))).values(reference_number=None)
        )
        for key, number in numbers.items():
            connection.execute(
                document.update().where(document.c.key == key).values(reference_number=number)
            )
        append_event(
            connection,
            "documents.numbered",
            who,
            "documents",
            {
                "start": start,
                "numbers": {k: {"from": before[k], "to": n} for k, n in numbers.items()},
            },
        )
    return [
        CitationRow(d.key, found[d.key], bool(d.cite_as), numbers[d.key], True, d.title)
        for d in included
    ]
