"""Repository for MMAT 2018 appraisals of documents."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import MMAT_COMPONENTS, MMATAnswer, MMATAppraisal
from realist.domain.documents import StudyDesign
from realist.store.events import now
from realist.store.schema import reviewer
from realist.store.schema_analysis import document, mmat_appraisal


def save_mmat(
    connection: Connection, document_id: int, reviewer_id: int, item: MMATAppraisal
) -> None:
    """One appraisal per document and reviewer: a new one replaces the reviewer's last."""
    connection.execute(
        mmat_appraisal.delete().where(
            mmat_appraisal.c.document_id == document_id,
            mmat_appraisal.c.reviewer_id == reviewer_id,
        )
    )
    connection.execute(
        mmat_appraisal.insert().values(
            document_id=document_id,
            reviewer_id=reviewer_id,
            category=item.category,
            screening=[a.value for a in item.screening],
            criteria=[a.value for a in item.criteria],
            components={c.value: [a.value for a in answers] for c, answers in _ordered(item)},
            note=item.note,
            created_at=now(),
        )
    )


def _ordered(item: MMATAppraisal) -> list[tuple[StudyDesign, list[MMATAnswer]]]:
    """Components in MMAT's order: qualitative (1), then quantitative (2, 3 or 4)."""
    return [(c, item.components[c]) for c in MMAT_COMPONENTS if c in item.components]


def _components(stored: dict[str, list[str]]) -> dict[StudyDesign, list[MMATAnswer]]:
    found = {StudyDesign(c): [MMATAnswer(a) for a in answers] for c, answers in stored.items()}
    return {c: found[c] for c in MMAT_COMPONENTS if c in found}


def list_mmat(connection: Connection) -> list[MMATAppraisal]:
    rows = connection.execute(
        sa.select(mmat_appraisal, document.c.key.label("doc"), reviewer.c.key.label("who"))
        .join(document, document.c.id == mmat_appraisal.c.document_id)
        .join(reviewer, reviewer.c.id == mmat_appraisal.c.reviewer_id)
        .order_by(document.c.reference_number.nulls_last(), document.c.key, reviewer.c.key)
    )
    return [
        MMATAppraisal(
            document_key=r.doc,
            category=StudyDesign(r.category),
            screening=[MMATAnswer(a) for a in r.screening],
            criteria=[MMATAnswer(a) for a in r.criteria],
            reviewer_key=r.who,
            note=r.note,
            id=r.id,
            components=_components(r.components or {}),
        )
        for r in rows
    ]
