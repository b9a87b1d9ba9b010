"""A REFI-QDA project mapped into a review, in the caller's transaction.

The codebook becomes topics, configurations and components where they do not exist yet
(matched by topic key or name, configuration identifier, component role and text); users
become reviewers; text sources become documents; selections become excerpts and their
codings become codings. What matches what is decided by the names and markers described
in :mod:`realist.interchange.refi_model`; for another tool's codebook:

- a top-level code is a topic, unless its children are C/M/O codes, in which case it is a
  configuration (in a topic called "Imported codes");
- a code under a topic is a configuration; under a configuration, a code named
  ``Context …``/``Mechanism …``/``Outcome …`` (or ``C1:``, ``M2:``, ``O1:``) is a component,
  any other code stands for the configuration as a whole;
- deeper codes count as their parent.

Everything the mapping decided, and everything it could not use, is reported. Importing
the same file twice adds nothing the second time (documents, excerpts and codings that
already exist are reused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.appraisal import Grade
from realist.domain.coding import Coding, Excerpt, Stance
from realist.domain.documents import Document, DocumentType, key_problem
from realist.domain.identifiers import usable_segment
from realist.domain.review import Reviewer, ReviewerRole
from realist.domain.theory import CMOConfiguration, Component, Origin, Role, Topic, Verdict
from realist.interchange.refi_model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    parse_component,
    parse_configuration,
    split_marker,
)
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import memos as memos_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.schema_analysis import coding, component, document, excerpt

__all__ = ["QdpxImport", "apply_project"]

Target = tuple[str, Role, int | None]  # configuration identifier, role, component position


@dataclass
class QdpxImport:
    """What importing a ``.qdpx`` did: counts, the codebook mapping, and what was skipped."""

    filename: str
    reviewers_created: int = 0
    topics_created: int = 0
    configurations_created: int = 0
    components_created: int = 0
    documents_created: int = 0
    text_versions_added: int = 0
    excerpts_created: int = 0
    excerpts_reused: int = 0
    codings_created: int = 0
    codings_reused: int = 0
    memos_written: int = 0
    mapping: list[tuple[str, str]] = field(default_factory=list)  # code name -> what it became
    skipped: list[str] = field(default_factory=list)


def _slug(text: str, sep: str, limit: int) -> str:
    return sep.join(re.findall(r"[a-z0-9]+", text.lower()))[:limit].strip(sep)


def _unique(wanted: str, taken: set[str], limit: int) -> str:
    candidate, n = wanted[:limit], 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted[: limit - len(str(n)) - 1]}-{n}"
    taken.add(candidate)
    return candidate


def _descendants(code: RefiCode) -> list[RefiCode]:
    found: list[RefiCode] = []
    for child in code.children:
        found += [child, *_descendants(child)]
    return found


class _Importer:
    def __init__(
        self, connection: Connection, project: RefiProject, report: QdpxImport, who: tuple[str, int]
    ) -> None:
        self.c = connection
        self.project = project
        self.report = report
        self.who = who
        self.notes = {n.guid: n for n in project.notes}
        self.used_notes: set[str] = set()
        self.users: dict[str, tuple[str, int]] = {}
        self.targets: dict[str, Target | None] = {}
        self.topics = {t.key: t for t in theory_repo.list_topics(connection)}
        self.configurations = {c.identifier: c for c in theory_repo.list_configurations(connection)}

    def note_texts(self, guids: list[str]) -> list[RefiNote]:
        found = [self.notes[g] for g in guids if g in self.notes]
        self.used_notes.update(n.guid for n in found)
        return found

    # -- people -------------------------------------------------------------------------
    def map_users(self) -> None:
        people = reviews_repo.list_reviewers(self.c)
        by_key = {p.key: p for p in people}
        by_name = {p.name.lower(): p for p in people}
        for user in self.project.users:
            key = user.id if user.id and len(user.id) <= 64 else _slug(user.name, "-", 64)
            key = "-".join(usable_segment(key, "user").split())  # keys go in web addresses
            found = by_key.get(key) or by_name.get(user.name.lower())
            if found is None:
                key = _unique(key or "user", set(by_key), 64)
                found = Reviewer(key, user.name or key, ReviewerRole.REVIEWER)
                found.id = reviews_repo.insert_reviewer(self.c, found)
                by_key[key] = found
                self.report.reviewers_created += 1
            assert found.id is not None
            self.users[user.guid] = (found.key, found.id)

    def person(self, *guids: str | None) -> tuple[str, int]:
        for guid in guids:
            if guid and guid in self.users:
                return self.users[guid]
        return self.who

    # -- codebook -----------------------------------------------------------------------
    def topic(self, code: RefiCode, marker: dict[str, str]) -> str:
        key = usable_segment(marker.get("topic") or _slug(code.name, "_", 64), "topic")
        named = {t.name.lower(): t.key for t in self.topics.values()}
        if key in self.topics or code.name.lower() in named:
            return key if key in self.topics else named[code.name.lower()]
        key = _unique(key, set(self.topics), 64)
        item = Topic(key, code.name or key, len(self.topics), marker.get("negative") == "yes")
        item.id = theory_repo.insert_topic(self.c, item)
        self.topics[key] = item
        self.report.topics_created += 1
        return key

    def map_codes(self) -> None:
        imported = Topic("imported", "Imported codes")
        for code in self.project.codes:
            _, marker = split_marker(code.description)
            looks_like = "configuration" in marker or any(
                parse_component(child.name) for child in code.children
            )
            if looks_like and "topic" not in marker:
                key = self.topic(RefiCode("", imported.name), {"topic": imported.key})
                self.map_configuration(code, key)
                continue
            key = self.topic(code, marker)
            self.report.mapping.append((code.name, f"topic {key}"))
            self.targets[code.guid] = None  # a topic is a folder: nothing codes to it
            for child in code.children:
                self.map_configuration(child, key)

    def _parts(self, code: RefiCode) -> list[tuple[RefiCode, Component | None]]:
        parts: list[tuple[RefiCode, Component | None]] = []
        taken: dict[Role, set[int]] = {
            r: set() for r in (Role.CONTEXT, Role.MECHANISM, Role.OUTCOME)
        }
        for child in code.children:
            parsed = parse_component(child.name)
            if parsed is None:
                parts.append((child, None))
                continue
            role, position, kind, name_text = parsed
            if position is None or position in taken[role]:
                position = max(taken[role], default=-1) + 1
            taken[role].add(position)
            text = split_marker(child.description)[0].strip() or name_text or child.name
            parts.append((child, Component(role, text, kind, position)))
        return parts

    def map_configuration(self, code: RefiCode, topic_key: str) -> None:
        text, marker = split_marker(code.description)
        identifier, title = parse_configuration(code.name)
        # Another tool's code name may hold a '/' ("Context/Mechanism"): not in an address.
        identifier = usable_segment(marker.get("configuration") or identifier, "code")
        parts = self._parts(code)
        notes = self.note_texts(code.note_refs)
        rationale = "\n\n".join(n.text for n in notes if n.name.lower().startswith("rationale"))
        existing = self.configurations.get(identifier)
        if existing is None:
            components = [p for _, p in parts if p is not None]
            roles = {p.role for p in components}
            item = CMOConfiguration(
                identifier=identifier,
                topic_key=topic_key,
                title=title,
                statement=text,
                components=components,
                origin=Origin(marker.get("origin", "initial")),
                partial=marker.get("partial") == "yes"
                or (bool(roles) and Role.OUTCOME not in roles and "configuration" not in marker),
                verdict=Verdict(marker["verdict"]) if marker.get("verdict") else None,
                rationale=rationale,
                position=sum(1 for c in self.configurations.values() if c.topic_key == topic_key),
            )
            item.id = theory_repo.insert_configuration(self.c, item)
            self.configurations[identifier] = item
            self.report.configurations_created += 1
            self.report.components_created += len(components)
            self.report.mapping.append((code.name, f"configuration {identifier} (new)"))
        else:
            self.report.mapping.append((code.name, f"configuration {identifier} (existing)"))
            if rationale and rationale != existing.rationale:
                self.report.skipped.append(f"rationale of {identifier}: the review's is kept")
        for note in notes:
            if not note.name.lower().startswith("rationale"):
                self.memo(f"configuration:{identifier}", note.text, note.user_guid)
        self.targets[code.guid] = (identifier, Role.CONFIGURATION, None)
        for child, part in parts:
            self.map_part(child, identifier, part)

    def map_part(self, code: RefiCode, identifier: str, part: Component | None) -> None:
        current = self.configurations[identifier]
        match = None
        if part is not None:
            same_role = [c for c in current.components if c.role is part.role]
            match = next(
                (c for c in same_role if c.position == part.position and c.text == part.text),
                None,
            ) or next((c for c in same_role if c.text == part.text), None)
        if match is None:
            self.targets[code.guid] = (identifier, Role.CONFIGURATION, None)
            why = "not a context, mechanism or outcome" if part is None else "no such part there"
            self.report.mapping.append(
                (code.name, f"configuration {identifier} as a whole ({why})")
            )
        else:
            self.targets[code.guid] = (identifier, match.role, match.position)
            self.report.mapping.append(
                (code.name, f"{match.role.value} {match.position + 1} of {identifier}")
            )
        for deeper in _descendants(code):
            self.targets[deeper.guid] = self.targets[code.guid]
            self.report.mapping.append((deeper.name, f"as its parent '{code.name}'"))

    # -- memos --------------------------------------------------------------------------
    def memo(self, subject: str, text: str, user_guid: str | None) -> None:
        history = memos_repo.memo_history(self.c, subject)
        if not text.strip() or (history and history[-1].text == text):
            return
        memos_repo.add_memo_version(self.c, subject, text, self.person(user_guid)[1])
        self.report.memos_written += 1

    # -- sources ------------------------------------------------------------------------
    def document(self, source: RefiSource) -> tuple[str, int]:
        """(key, text version id) of the document holding this source's text."""
        citation, marker = split_marker(source.description)
        key = marker.get("document") or ""
        if not key or key_problem(key):  # a marker is only trusted when it is a usable key
            key = _slug(re.sub(r"\.\w{1,5}$", "", key or source.name), "-", 80)
        key = key or "document"
        found = self.c.execute(sa.select(document.c.id).where(document.c.key == key)).scalar()
        if found is None:
            kinds = {t.value for t in DocumentType}
            item = Document(
                key=key,
                title=source.name,
                document_type=DocumentType(marker["type"])
                if marker.get("type") in kinds
                else DocumentType.OTHER,
                citation=citation,
                included=marker.get("included") != "no",
                text=source.text,
            )
            found = documents_repo.insert_document(self.c, item)
            self.report.documents_created += 1
        latest = documents_repo.latest_text(self.c, int(found))
        if latest is None or latest[1] != source.text:
            documents_repo.add_text_version(self.c, int(found), source.text)
            self.report.text_versions_added += 1
            latest = documents_repo.latest_text(self.c, int(found))
        assert latest is not None
        return key, latest[0]

    def source(self, source: RefiSource) -> None:
        if not source.text:
            self.report.skipped.append(f"source '{source.name}': its text is empty")
            return
        key, text_id = self.document(source)
        labels = {r[0] for r in self.c.execute(sa.select(excerpt.c.label)) if r[0]}
        for s in source.selections:
            where = f"source '{source.name}', selection at project.qde line {s.line}"
            if not 0 <= s.start < s.end <= len(source.text):
                self.report.skipped.append(
                    f"{where}: span {s.start}:{s.end} is outside its text "
                    f"({len(source.text)} characters)"
                )
                continue
            excerpt_id = self.excerpt(s, key, text_id, source.text, labels)
            for c in s.codings:
                self.coding(c, excerpt_id, s.user_guid, where)

    def excerpt(self, s: RefiSelection, key: str, text_id: int, text: str, labels: set[str]) -> int:
        found = self.c.execute(
            sa.select(excerpt.c.id).where(
                excerpt.c.document_text_id == text_id,
                excerpt.c.start_offset == s.start,
                excerpt.c.end_offset == s.end,
            )
        ).scalar()
        if found is not None:
            self.report.excerpts_reused += 1
            return int(found)
        note, marker = split_marker(s.description)
        notes = [note] + [n.text for n in self.note_texts(s.note_refs)]
        label = marker.get("label", "")[:64]
        if label in labels:
            label = ""
        labels.add(label)
        grades = {g.value for g in Grade}
        who_key, who_id = self.person(s.user_guid)
        item = Excerpt(
            document_key=key,
            start=s.start,
            end=s.end,
            text=text[s.start : s.end],
            reviewer_key=who_key,
            relevance=Grade(marker["relevance"]) if marker.get("relevance") in grades else None,
            rigour=Grade(marker["rigour"]) if marker.get("rigour") in grades else None,
            note="\n\n".join(n for n in notes if n.strip()),
            label=label,
        )
        self.report.excerpts_created += 1
        return coding_repo.insert_excerpt(self.c, item, text_id, len(text), who_id)

    def coding(self, c: RefiCoding, excerpt_id: int, fallback: str | None, where: str) -> None:
        target = self.targets.get(c.code_guid)
        if target is None:
            what = "a topic" if c.code_guid in self.targets else "a code not in the codebook"
            self.report.skipped.append(f"{where}: a coding to {what}")
            return
        identifier, role, position = target
        stance = Stance.SUPPORTS
        for note in self.note_texts(c.note_refs):
            word = split_marker(note.text)[1].get("stance") or note.name.partition(":")[2]
            if word.strip().lower() in {s.value for s in Stance}:
                stance = Stance(word.strip().lower())
        config_id = theory_repo.configuration_id(self.c, identifier)
        component_id = None
        if position is not None:
            component_id = self.c.execute(
                sa.select(component.c.id).where(
                    component.c.configuration_id == config_id,
                    component.c.role == role,
                    component.c.position == position,
                )
            ).scalar()
        same = self.c.execute(
            sa.select(coding.c.id).where(
                coding.c.excerpt_id == excerpt_id,
                coding.c.configuration_id == config_id,
                coding.c.role == role,
                coding.c.component_id.is_(None)
                if component_id is None
                else coding.c.component_id == component_id,
                coding.c.stance == stance,
            )
        ).first()
        if same is not None:
            self.report.codings_reused += 1
            return
        who_key, who_id = self.person(c.user_guid, fallback)
        item = Coding(identifier, role, position, stance, who_key)
        coding_repo.insert_coding(self.c, excerpt_id, config_id, item, who_id)
        self.report.codings_created += 1

    def finish(self) -> None:
        project_notes = self.note_texts(self.project.note_refs)
        if project_notes:
            text = "\n\n".join(n.text for n in project_notes)
            self.memo("review", text, project_notes[0].user_guid)
        for note in self.project.notes:
            if note.guid not in self.used_notes:
                self.report.skipped.append(f"note '{note.name}': not attached to anything kept")


def apply_project(
    connection: Connection, project: RefiProject, report: QdpxImport, who: tuple[str, int]
) -> None:
    """Map ``project`` into the review in ``connection``'s transaction; fills ``report``.
    ``who`` (key, id) is the importing reviewer, credited where the file names nobody."""
    importer = _Importer(connection, project, report, who)
    importer.map_users()
    importer.map_codes()
    for source in project.sources:
        importer.source(source)
    importer.finish()
    report.skipped[:0] = project.skipped
