"""Questions asked of a coded review: matrices, "what applies here", full-text search."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from realist.domain.applies import Candidate, Match, match_circumstances, stems
from realist.domain.testing import EvidenceItem
from realist.domain.textsearch import parse_query, search_span
from realist.domain.theory import CMOConfiguration
from realist.errors import InvalidInput
from realist.store import Store
from realist.store import search as search_repo
from realist.store import theory as theory_repo
from realist.store.evidence import evidence_items, matrix_counts
from realist.store.evidence import matrix_cell as matrix_cell_ids
from realist.store.schema_analysis import (
    document,
    document_text,
    excerpt,
    intervention_attribute,
)

DOCUMENT_FIELDS = ("document_type", "study_design", "key")


@dataclass
class Matrix:
    """Configurations (rows) by the values of one dimension (columns); each cell counts the
    excerpts coded to the configuration that come from that value (list them with
    :func:`matrix_cell`)."""

    dimension: str
    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def rows_with(self, column: str) -> list[str]:
        """Configurations with evidence from this column's value."""
        return [r for r in self.rows if self.count(r, column)]


def _dimension(dimension: str) -> tuple[str, str]:
    kind, _, name = dimension.partition(":")
    if kind not in ("attribute", "document", "intervention") or (
        kind != "intervention" and not name
    ):
        raise InvalidInput(
            f"unknown matrix dimension '{dimension}' (use attribute:NAME, "
            f"document:{'|'.join(DOCUMENT_FIELDS)} or intervention)"
        )
    if kind == "document" and name not in DOCUMENT_FIELDS:
        raise InvalidInput(f"documents have no field '{name}' ({', '.join(DOCUMENT_FIELDS)})")
    return kind, name


def matrix(store: Store, dimension: str) -> Matrix:
    """E.g. ``attribute:format`` (intervention attribute), ``document:study_design``,
    ``document:document_type``, ``document:key`` or ``intervention``."""
    kind, name = _dimension(dimension)
    with store.reading() as connection:
        if (
            kind == "attribute"
            and not connection.execute(
                sa.select(intervention_attribute.c.name)
                .where(intervention_attribute.c.name == name)
                .limit(1)
            ).first()
        ):
            raise InvalidInput(f"no intervention has an attribute '{name}'")
        rows = [c.identifier for c in theory_repo.list_configurations(connection)]
        found = matrix_counts(connection, kind, name)
    cells = {(i, f"#{v}" if kind == "intervention" else v): n for i, v, n in found}
    return Matrix(dimension, rows, sorted({c for _, c in cells}, key=_natural), cells)


def matrix_cell(store: Store, dimension: str, configuration: str, column: str) -> list[int]:
    """The excerpts behind one cell of a matrix, for drill-down."""
    kind, name = _dimension(dimension)
    with store.reading() as connection:
        return matrix_cell_ids(connection, kind, name, configuration, column.lstrip("#"))


def _natural(value: str) -> tuple[int, str]:
    digits = value.lstrip("#")
    return (int(digits), "") if digits.isdigit() else (10**9, value)


@dataclass
class FrameworkCell:
    configuration: str
    document: str
    excerpts: list[tuple[str, str]]  # (label or id, text)


def framework_matrix(store: Store) -> tuple[list[str], list[str], list[FrameworkCell]]:
    """Documents x configurations with the coded text in each cell (framework analysis)."""
    with store.reading() as connection:
        evidence = evidence_items(connection)
        order = [c.identifier for c in theory_repo.list_configurations(connection)]
    cells: dict[tuple[str, str], dict[int, tuple[str, str]]] = defaultdict(dict)
    for identifier, items in evidence.items():
        for e in items:
            cells[(e.document_key, identifier)][e.excerpt_id] = (
                e.label or str(e.excerpt_id),
                e.text,
            )
    documents = sorted({d for d, _ in cells})
    configurations = [c for c in order if any((d, c) in cells for d in documents)]
    return (
        documents,
        configurations,
        [FrameworkCell(c, d, list(found.values())) for (d, c), found in sorted(cells.items())],
    )


@dataclass
class Applicable:
    """One configuration that may apply to the circumstances described."""

    configuration: CMOConfiguration
    match: Match
    risk: bool  # from a negative topic: something to guard against
    evidence: list[EvidenceItem]


def applies(store: Store, description: str, limit: int = 10) -> list[Applicable]:
    """Which configurations' contexts match these circumstances, with their evidence;
    configurations of negative topics come back flagged as risks."""
    if not stems(description):
        raise InvalidInput(
            "describe the circumstances in a few words (who, where, how the programme is given)"
        )
    with store.reading() as connection:
        topics = {t.key: t for t in theory_repo.list_topics(connection)}
        configurations = {c.identifier: c for c in theory_repo.list_configurations(connection)}
        evidence = evidence_items(connection)
    candidates = [
        Candidate(
            identifier=c.identifier,
            contexts=tuple(p.text for p in c.contexts),
            statement=f"{c.title} {c.statement}",
            mechanisms=tuple(p.text for p in c.mechanisms),
            evidence=tuple(e.text for e in evidence.get(c.identifier, [])),
        )
        for c in configurations.values()
    ]
    wanted = stems(description)
    found = []
    for m in match_circumstances(description, candidates)[:limit]:
        c = configurations[m.identifier]
        # The evidence that speaks to the circumstances asked about comes first.
        items = sorted(evidence.get(c.identifier, []), key=lambda e: -len(wanted & stems(e.text)))
        found.append(Applicable(c, m, topics[c.topic_key].negative, items))
    return found


@dataclass
class SearchResult:
    """One hit. For a document's text (always its current version), ``[start, end)`` are
    the matched words in that text; for an excerpt, its own span in the text version it was
    cut from. ``None`` only if the words cannot be placed (the index and the folding of
    :mod:`realist.domain.textsearch` disagree), never a made-up place."""

    kind: str  # document | excerpt
    document_key: str
    start: int | None
    end: int | None
    snippet: str
    label: str = ""


def _snippet(text: str, at: int, width: int = 90) -> str:
    start = max(0, at - width // 2)
    piece = text[start : start + width].replace("\n", " ")
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(store: Store, query: str, limit: int = 20) -> list[SearchResult]:
    """Documents' current texts and excerpts matching every word and "quoted phrase" of
    ``query`` (accents, case and ligatures folded), best first, each with the span of
    the matched words to jump to."""
    parts = parse_query(query)
    if not parts:
        raise InvalidInput("search for at least one word")
    results = []
    with store.reading() as connection:
        for hit in search_repo.search(connection, parts, limit):
            if hit.kind == "document":
                row = connection.execute(
                    sa.select(document.c.key, document_text.c.text)
                    .join(document, document.c.id == document_text.c.document_id)
                    .where(document_text.c.id == hit.ref)
                ).one()
                span = search_span(row.text, parts)
                at = span[0] if span else 0
                start, end = span if span else (None, None)
                results.append(
                    SearchResult("document", row.key, start, end, _snippet(row.text, at))
                )
            else:
                row = connection.execute(
                    sa.select(excerpt, document.c.key.label("doc"))
                    .join(document_text, document_text.c.id == excerpt.c.document_text_id)
                    .join(document, document.c.id == document_text.c.document_id)
                    .where(excerpt.c.id == hit.ref)
                ).one()
                label = row.label or str(row.id)
                inside = search_span(row.text, parts)
                snippet = _snippet(row.text, inside[0] if inside else 0)
                results.append(
                    SearchResult(
                        "excerpt", row.doc, row.start_offset, row.end_offset, snippet, label
                    )
                )
    return results


EXAMPLE_WORDS = 8  # an example is a few words to try, not a whole context


def example_descriptions(store: Store, most: int = 3) -> list[str]:
    """Descriptions to try on "what applies", taken from the review's own contexts (one
    per topic first, in the configurations' order, shortened); none when no configuration
    has a context yet."""
    with store.reading() as connection:
        configurations = theory_repo.list_configurations(connection)
    chosen: list[str] = []
    topics: set[str] = set()
    for first_per_topic in (True, False):
        for c in configurations:
            if len(chosen) >= most:
                return chosen
            if first_per_topic and c.topic_key in topics:
                continue
            for part in c.contexts:
                words = part.text.split()
                text = " ".join(words[:EXAMPLE_WORDS]).rstrip(",;:.")
                if text and text not in chosen:
                    chosen.append(text)
                    topics.add(c.topic_key)
                    break
    return chosen
