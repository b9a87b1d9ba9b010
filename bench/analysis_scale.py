"""Analysis at scale: a generated review of 2,000 documents, 200,000 excerpts and 300
configurations; times the matrix query, the final-model derivation and a full-text search.

    .venv/bin/python bench/analysis_scale.py [--documents 2000] [--excerpts 200000]
        [--configurations 300] [--db PATH]

Goal (analysis issue): each under 1 second on this 2-core machine. The review is built with
bulk inserts (it is the queries, not the building, that are measured); each query is run
three times and the median printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from realist.domain.theory import Topic
from realist.services.model import final_model
from realist.services.queries import matrix, search
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.schema_analysis import (
    coding,
    component,
    configuration,
    document,
    document_text,
    excerpt,
    intervention,
    intervention_attribute,
    intervention_document,
)
from realist.store.theory import insert_topic

WORDS = [
    "mother",
    "peer",
    "support",
    "volunteer",
    "telephone",
    "group",
    "anxiety",
    "depression",
    "stigma",
    "trust",
    "isolation",
    "relationship",
    "empathy",
    "listening",
    "normalisation",
    "coping",
    "service",
    "midwife",
    "health",
    "visitor",
    "referral",
    "culture",
    "language",
    "training",
    "supervision",
    "ending",
    "loneliness",
    "confidence",
    "hope",
    "recovery",
    "shame",
    "judgement",
    "anonymity",
    "flexible",
    "travel",
    "cost",
]
FORMATS = (
    "group_in_person",
    "one_to_one_telephone",
    "one_to_one_volunteer_in_person",
    "group_telephone",
    "one_to_one_paid_in_person",
)
NOW = "2026-11-27T00:00:00+00:00"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def build(store: Store, documents: int, excerpts: int, configurations: int) -> None:
    """Bulk-insert a plausible review (SQLAlchemy Core executemany, one transaction)."""
    rng = random.Random(7)
    with store.transaction() as connection:
        for n, key in enumerate(("take_up", "positive_impact", "negative_impact")):
            insert_topic(connection, Topic(key, key.replace("_", " "), n, key.startswith("neg")))
        interventions = max(documents // 10, 1)
        connection.execute(
            intervention.insert(),
            [{"id": i + 1, "number": i + 1, "name": ""} for i in range(interventions)],
        )
        connection.execute(
            intervention_attribute.insert(),
            [
                {
                    "intervention_id": i + 1,
                    "name": "format",
                    "type": "text",
                    "value": FORMATS[i % len(FORMATS)],
                }
                for i in range(interventions)
            ],
        )
        connection.execute(
            configuration.insert(),
            [
                {
                    "id": c + 1,
                    "identifier": f"C{c + 1}",
                    "topic_id": c % 3 + 1,
                    "title": _text(rng, 6),
                    "statement": "If " + _text(rng, 12),
                    "origin": "initial",
                    "partial": False,
                    "verdict": rng.choice(["supported", "supported", "not_supported", None]),
                    "rationale": "",
                    "source_note": "",
                    "position": c,
                    "version": 1,
                }
                for c in range(configurations)
            ],
        )
        connection.execute(
            component.insert(),
            [
                {
                    "configuration_id": c + 1,
                    "role": role,
                    "kind": None,
                    "text": _text(rng, 8),
                    "position": 0,
                }
                for c in range(configurations)
                for role in ("context", "mechanism", "outcome")
            ],
        )
        texts = {}
        doc_rows, text_rows, links = [], [], []
        for d in range(documents):
            body = _text(rng, 3_000)
            texts[d + 1] = body
            doc_rows.append(
                {
                    "id": d + 1,
                    "key": f"doc-{d + 1}",
                    "title": _text(rng, 8),
                    "document_type": "peer_reviewed_article",
                    "study_design": None,
                    "study_design_basis": "",
                    "citation": "",
                    "reference_number": d + 1,
                    "record_id": None,
                    "included": True,
                    "created_at": NOW,
                }
            )
            text_rows.append(
                {
                    "id": d + 1,
                    "document_id": d + 1,
                    "version": 1,
                    "text": body,
                    "length": len(body),
                    "sha256": "",
                    "pages": [[1, 0, len(body)]],
                    "format": "txt",
                    "created_at": NOW,
                }
            )
            links.append(
                {"intervention_id": d % interventions + 1, "document_id": d + 1, "position": 0}
            )
        connection.execute(document.insert(), doc_rows)
        connection.execute(document_text.insert(), text_rows)
        connection.execute(intervention_document.insert(), links)
        excerpt_rows, coding_rows = [], []
        for e in range(excerpts):
            d = rng.randint(1, documents)
            start = rng.randint(0, len(texts[d]) - 300)
            end = start + rng.randint(40, 300)
            excerpt_rows.append(
                {
                    "id": e + 1,
                    "label": "",
                    "document_text_id": d,
                    "text_length": len(texts[d]),
                    "start_offset": start,
                    "end_offset": end,
                    "text": texts[d][start:end],
                    "reviewer_id": 1,
                    "relevance": rng.choice(["high", "moderate", "low", None]),
                    "rigour": rng.choice(["high", "moderate", "low", None]),
                    "note": "",
                    "created_at": NOW,
                }
            )
            coding_rows.append(
                {
                    "excerpt_id": e + 1,
                    "configuration_id": rng.randint(1, configurations),
                    "role": "configuration",
                    "component_id": None,
                    "stance": rng.choice(["supports", "supports", "refutes", "refines"]),
                    "reviewer_id": 1,
                    "created_at": NOW,
                }
            )
        for start in range(0, excerpts, 20_000):
            connection.execute(excerpt.insert(), excerpt_rows[start : start + 20_000])
            connection.execute(coding.insert(), coding_rows[start : start + 20_000])
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "INSERT INTO search_index (body, kind, ref) "
                "SELECT text, 'document', id FROM document_text UNION ALL "
                "SELECT text, 'excerpt', id FROM excerpt"
            )


def timed(run: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--excerpts", type=int, default=200_000)
    parser.add_argument("--configurations", type=int, default=300)
    parser.add_argument("--db", help="Where to build the review (default: a temporary file).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        target = args.db or str(Path(folder) / "scale.realist")
        store = init_review(target, "scale", "bench")
        started = time.perf_counter()
        build(store, args.documents, args.excerpts, args.configurations)
        print(
            f"built {args.documents:,} documents, {args.excerpts:,} excerpts, "
            f"{args.configurations} configurations in {time.perf_counter() - started:.1f} s "
            f"({store.dialect})"
        )
        results = {
            "matrix (configurations x intervention format)": timed(
                lambda: matrix(store, "attribute:format")
            ),
            "final model derivation": timed(lambda: final_model(store)),
            "full-text search ('telephone anonymity')": timed(
                lambda: search(store, "telephone anonymity")
            ),
        }
        for name, seconds in results.items():
            verdict = "met" if seconds < 1 else "NOT met"
            print(f"{name:<50} {seconds:7.3f} s  (goal < 1 s: {verdict})")
        with store.reading() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(excerpt)).scalar()
        assert count == args.excerpts
        store.close()


if __name__ == "__main__":
    main()
