"""A review as a REFI-QDA project: the codebook of topics, configurations and their parts,
the reviewers as users, each document's current text with its excerpts and codings, and
memos and rationales as notes (conventions in :mod:`realist.interchange.refi_model`).

GUIDs are uuid5 of the review's creation time and each object's database id, so exporting
the same review twice gives the same GUIDs (and, with the deterministic zip, the same
bytes). Excerpts made on an older version of a document's text are left out: REFI-QDA
carries one text per source, and their offsets only hold for the version they were cut on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import realist
from realist.domain.theory import CMOConfiguration, Role
from realist.interchange.refi_model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
    component_name,
    configuration_name,
    stable_guid,
    with_marker,
)
from realist.store import theory as theory_repo
from realist.store.schema import review, reviewer
from realist.store.schema_analysis import coding, document, document_text, event, excerpt, memo

__all__ = ["ExportSummary", "review_project"]


@dataclass
class ExportSummary:
    """What a ``.qdpx`` export holds, and what it had to leave out."""

    codes: int = 0
    users: int = 0
    sources: int = 0
    selections: int = 0
    codings: int = 0
    notes: int = 0
    left_out: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        row = connection.execute(sa.select(review.c.title, review.c.created_at)).one()
        self.title, self.created = row.title, row.created_at
        people = connection.execute(sa.select(reviewer).order_by(reviewer.c.id)).all()
        self.users = {
            r.id: (r.key, r.name, stable_guid(self.created, "reviewer", r.id)) for r in people
        }
        self.owner = next((r.id for r in people if r.role == "owner"), None)
        self.notes: list[RefiNote] = []
        self.summary = ExportSummary()

    def guid(self, kind: str, key: object) -> str:
        return stable_guid(self.created, kind, key)

    def user(self, reviewer_id: int) -> str:
        return self.users[reviewer_id][2]

    def note(
        self, kind: str, key: object, name: str, text: str, who: int | None, at: str | None
    ) -> str:
        guid = self.guid(kind, key)
        self.notes.append(RefiNote(guid, name, text, self.user(who) if who else None, at))
        return guid

    def memos(self) -> dict[str, str]:
        """Memo subject -> the GUID of a note holding its latest version."""
        latest = {}
        for r in self.connection.execute(sa.select(memo).order_by(memo.c.subject, memo.c.version)):
            latest[r.subject] = r
        found = {}
        for subject, r in latest.items():
            name = "Memo: " + subject.removeprefix("configuration:")
            found[subject] = self.note("memo", r.id, name, r.text, r.reviewer_id, r.created_at)
        return found

    def configuration_code(self, item: CMOConfiguration, memos: dict[str, str]) -> RefiCode:
        assert item.id is not None
        refs = []
        if item.rationale:
            name = f"Rationale: {item.identifier}"
            refs.append(self.note("rationale", item.id, name, item.rationale, None, None))
        if f"configuration:{item.identifier}" in memos:
            refs.append(memos[f"configuration:{item.identifier}"])
        marker = {
            "configuration": item.identifier,
            "origin": item.origin.value,
            "verdict": item.verdict.value if item.verdict else "",
            "partial": "yes" if item.partial else "",
        }
        parts = [
            RefiCode(
                guid=self.guid("component", part.id),
                name=component_name(part.role, part.position, part.kind, part.text),
                description=part.text,
            )
            for role in (Role.CONTEXT, Role.MECHANISM, Role.OUTCOME)
            for part in item.of_role(role)
        ]
        return RefiCode(
            guid=self.guid("configuration", item.id),
            name=configuration_name(item.identifier, item.title),
            description=with_marker(item.statement, marker),
            note_refs=refs,
            children=parts,
        )

    def codebook(self, memos: dict[str, str]) -> list[RefiCode]:
        by_topic: dict[str, list[CMOConfiguration]] = defaultdict(list)
        for item in theory_repo.list_configurations(self.connection):
            by_topic[item.topic_key].append(item)
        return [
            RefiCode(
                guid=self.guid("topic", topic.id),
                name=topic.name,
                codable=False,
                description=with_marker(
                    "", {"topic": topic.key, "negative": "yes" if topic.negative else ""}
                ),
                children=[self.configuration_code(c, memos) for c in by_topic[topic.key]],
            )
            for topic in theory_repo.list_topics(self.connection)
        ]

    def codings(self) -> dict[int, list[RefiCoding]]:
        """Excerpt id -> its codings, each pointing at a configuration or component code."""
        found: dict[int, list[RefiCoding]] = defaultdict(list)
        for r in self.connection.execute(sa.select(coding).order_by(coding.c.id)):
            target = (
                self.guid("component", r.component_id)
                if r.component_id is not None
                else self.guid("configuration", r.configuration_id)
            )
            refs = []
            if r.stance != "supports":
                text = f"This passage {r.stance} the configuration it is coded to."
                refs.append(self.note("stance", r.id, f"Stance: {r.stance}", text, None, None))
            found[r.excerpt_id].append(
                RefiCoding(
                    self.guid("coding", r.id), target, self.user(r.reviewer_id), r.created_at, refs
                )
            )
        return found

    def sources(self) -> list[RefiSource]:
        codings = self.codings()
        latest = (
            sa.select(document_text.c.document_id, sa.func.max(document_text.c.version).label("v"))
            .group_by(document_text.c.document_id)
            .subquery()
        )
        texts = self.connection.execute(
            sa.select(document, document_text.c.id.label("text_id"), document_text.c.text)
            .join(latest, latest.c.document_id == document.c.id)
            .join(
                document_text,
                sa.and_(
                    document_text.c.document_id == document.c.id,
                    document_text.c.version == latest.c.v,
                ),
            )
            .order_by(document.c.id)
        ).all()
        current = {r.text_id for r in texts}
        excerpts: dict[int, list[RefiSelection]] = defaultdict(list)
        older = 0
        for e in self.connection.execute(
            sa.select(excerpt).order_by(
                excerpt.c.document_text_id, excerpt.c.start_offset, excerpt.c.id
            )
        ):
            if e.document_text_id not in current:
                older += 1
                continue
            marker = {
                "label": e.label,
                "relevance": e.relevance or "",
                "rigour": e.rigour or "",
            }
            excerpts[e.document_text_id].append(
                RefiSelection(
                    guid=self.guid("excerpt", e.id),
                    start=e.start_offset,
                    end=e.end_offset,
                    name=" ".join(e.text.split())[:100],
                    description=with_marker(e.note, marker),
                    user_guid=self.user(e.reviewer_id),
                    created=e.created_at,
                    codings=codings.get(e.id, []),
                )
            )
        if older:
            self.summary.left_out.append(f"{older} excerpts cut on an older version of a text")
        return [
            RefiSource(
                guid=self.guid("document", r.id),
                name=r.title or r.key,
                text=r.text,
                description=with_marker(
                    r.citation,
                    {
                        "document": r.key,
                        "type": r.document_type,
                        "included": "" if r.included else "no",
                    },
                ),
                created=r.created_at,
                selections=excerpts.get(r.text_id, []),
            )
            for r in texts
        ]


def review_project(connection: Connection) -> tuple[RefiProject, ExportSummary]:
    """The review as a REFI-QDA project, with a summary of what it holds."""
    builder = _Builder(connection)
    memos = builder.memos()
    codes = builder.codebook(memos)
    sources = builder.sources()
    modified = connection.execute(sa.select(sa.func.max(event.c.at))).scalar() or builder.created
    project = RefiProject(
        name=builder.title,
        origin=f"Realist {realist.__version__}",
        user_guid=builder.user(builder.owner) if builder.owner else None,
        created=builder.created,
        modified=modified,
        users=[RefiUser(guid, name, key) for key, name, guid in builder.users.values()],
        codes=codes,
        sources=sources,
        notes=builder.notes,
        note_refs=[memos["review"]] if "review" in memos else [],
    )
    summary = builder.summary
    summary.codes = len(project.all_codes())
    summary.users = len(project.users)
    summary.sources = len(sources)
    summary.selections = sum(len(s.selections) for s in sources)
    summary.codings = sum(len(sel.codings) for s in sources for sel in s.selections)
    summary.notes = len(builder.notes)
    orphans = [s for s in memos if s != "review" and not s.startswith("configuration:")]
    if orphans:
        summary.left_out.append(f"memos on {', '.join(orphans)} (exported as unattached notes)")
    return project, summary
