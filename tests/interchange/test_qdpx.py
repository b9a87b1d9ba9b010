"""REFI-QDA projects: the export validates against the REFI-QDA schema and round-trips the
demo; a project shaped like an NVivo export imports; invalid or hostile files are refused
before anything is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from realist.domain.theory import Role
from realist.errors import InvalidInput
from realist.interchange.refi_read import SCHEMA_PATH, read_qdpx
from realist.interchange.zips import ZipLimits, deterministic_zip
from realist.services.coding import create_excerpt
from realist.services.documents import attach_document
from realist.services.interchange import export_qdpx, import_qdpx
from realist.services.memos import memo_history, write_memo
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import theory as theory_repo
from realist.store.schema_analysis import coding, excerpt

NS = {"q": "urn:QDA-XML:project:1.0"}
FIXTURE = Path(__file__).parents[1] / "fixtures" / "refi" / "nvivo_like"


def nvivo_like(tmp_path: Path) -> Path:
    """The hand-written fixture folder, zipped as a .qdpx."""
    members = [("project.qde", (FIXTURE / "project.qde").read_bytes())]
    members += [
        (f"sources/{p.name}", p.read_bytes()) for p in sorted((FIXTURE / "sources").iterdir())
    ]
    path = tmp_path / "nvivo_like.qdpx"
    path.write_bytes(deterministic_zip(members))
    return path


def _project(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def _count(store: Store, table: sa.Table) -> int:
    with store.reading() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def test_export_validates_against_the_refi_schema(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "demo.qdpx"
    done = export_qdpx(demo_store, out)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    root = _project(out)
    schema.assertValid(root)
    assert done.counts["selections"] == 61 and done.counts["codings"] == 153
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        source = root.find("q:Sources/q:TextSource", NS)
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = archive.read("sources/" + path.removeprefix("internal://")).decode("utf-8")
    assert names[0] == "project.qde" and len(names) == 2
    # Every selection's span is the excerpt's text, counted in code points.
    with demo_store.reading() as connection:
        excerpts = {e.text for e in coding_repo.list_excerpts(connection)}
    spans = {
        text[int(s.get("startPosition")) : int(s.get("endPosition"))]
        for s in root.iterfind(".//q:PlainTextSelection", NS)
    }
    assert spans == excerpts


def test_codebook_shape(demo_store: Store, tmp_path: Path) -> None:
    export_qdpx(demo_store, tmp_path / "demo.qdpx")
    root = _project(tmp_path / "demo.qdpx")
    topics = root.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [t.get("name") for t in topics] == [
        "Take-up of peer support", "Positive impact on mothers", "Negative impact on mothers"
    ]  # fmt: skip
    assert all(t.get("isCodable") == "false" for t in topics)
    n1 = next(c for c in root.iterfind(".//q:Code", NS) if c.get("name", "").startswith("N1:"))
    parts = [c.get("name") for c in n1.findall("q:Code", NS)]
    assert parts and all(p.split()[0] in ("Context", "Mechanism", "Outcome") for p in parts)
    assert "realist: configuration=N1" in n1.find("q:Description", NS).text
    users = [u.get("id") for u in root.findall("q:Users/q:User", NS)]
    assert users == ["jm", "sa", "cm"]


def test_demo_round_trips_into_an_empty_review(demo_store: Store, tmp_path: Path) -> None:
    write_memo(demo_store, "N1", "Check against the Additional Files.", None)
    out = tmp_path / "demo.qdpx"
    export_qdpx(demo_store, out)
    empty = init_review(str(tmp_path / "empty.realist"), "Empty", "zz")
    report = import_qdpx(empty, out, None)
    assert report.configurations_created == 34 and report.excerpts_created == 61
    assert report.codings_created == 153 and report.skipped == []

    def theory(store: Store) -> list[tuple[object, ...]]:
        with store.reading() as connection:
            return [
                (c.identifier, c.topic_key, c.title, c.statement, c.origin, c.verdict, c.partial,
                 c.rationale, [(p.role, p.position, p.kind, p.text) for p in c.components])
                for c in theory_repo.list_configurations(connection)
            ]  # fmt: skip

    def evidence(store: Store) -> list[tuple[object, ...]]:
        with store.reading() as connection:
            return sorted(
                (e.document_key, e.start, e.end, e.text, e.label, e.relevance, e.rigour,
                 e.reviewer_key, sorted((c.configuration_identifier, c.role, c.component_position,
                                         c.stance, c.reviewer_key) for c in e.codings))
                for e in coding_repo.list_excerpts(connection)
            )  # fmt: skip

    assert theory(empty) == theory(demo_store)
    assert evidence(empty) == evidence(demo_store)
    assert memo_history(empty, "N1")[-1].text == "Check against the Additional Files."

    again = import_qdpx(empty, out, None)  # a second import adds nothing
    assert again.excerpts_created == again.codings_created == again.configurations_created == 0
    assert again.codings_reused == 153


def test_stances_and_appraisal_survive(demo_store: Store, tmp_path: Path) -> None:
    with demo_store.transaction() as connection:
        connection.execute(coding.update().where(coding.c.id == 1).values(stance="refines"))
        connection.execute(excerpt.update().where(excerpt.c.id == 1).values(rigour="high"))
        before = sorted(r[0] for r in connection.execute(sa.select(coding.c.stance)))
    export_qdpx(demo_store, tmp_path / "d.qdpx")
    empty = init_review(str(tmp_path / "e.realist"), "Empty", "zz")
    import_qdpx(empty, tmp_path / "d.qdpx", None)
    with empty.reading() as connection:
        stances = sorted(r[0] for r in connection.execute(sa.select(coding.c.stance)))
        rigours = [r[0] for r in connection.execute(sa.select(excerpt.c.rigour)) if r[0]]
    assert stances == before and "refines" in stances and "refutes" in stances
    assert rigours == ["high"]


def test_same_review_same_bytes(demo_store: Store, tmp_path: Path) -> None:
    export_qdpx(demo_store, tmp_path / "a.qdpx")
    export_qdpx(demo_store, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()


def test_offsets_are_code_points(db_target: str, tmp_path: Path) -> None:
    store = init_review(db_target, "Emoji", "ann")
    doc = tmp_path / "note.txt"
    doc.write_text("Mum 😊 said: peers understood.\n", encoding="utf-8")
    attach_document(store, doc, key="note")
    start = "Mum 😊 said: peers understood.\n".index("peers")  # 12: the emoji is one
    create_excerpt(store, "note", start, start + 16, None)
    export_qdpx(store, tmp_path / "e.qdpx")
    selection = _project(tmp_path / "e.qdpx").find(".//q:PlainTextSelection", NS)
    assert (selection.get("startPosition"), selection.get("endPosition")) == ("12", "28")
    other = init_review(str(tmp_path / "o.realist"), "O", "bo")
    import_qdpx(other, tmp_path / "e.qdpx", None)
    with other.reading() as connection:
        assert [e.text for e in coding_repo.list_excerpts(connection)] == ["peers understood"]


def test_nvivo_shaped_project_imports(db_target: str, tmp_path: Path) -> None:
    store = init_review(db_target, "Mine", "ann")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    schema.assertValid(etree.parse(str(FIXTURE / "project.qde")))
    report = import_qdpx(store, nvivo_like(tmp_path), None)
    assert report.documents_created == 2 and report.reviewers_created == 2
    assert report.excerpts_created == 6 and report.codings_created == 7
    mapping = dict(report.mapping)
    assert mapping["Engagement"] == "topic engagement"
    assert mapping["Peer credibility"] == "configuration Peer credibility (new)"
    assert mapping["M (reasoning): trust in lived experience"] == (
        "mechanism 1 of Peer credibility"
    )
    assert mapping["CMO 7: Stigma silences mothers"] == "configuration 7 (new)"
    assert "as a whole" in mapping["Quotes to revisit"]
    assert any("span 500:510 is outside its text" in s for s in report.skipped)
    assert any("a coding to a topic" in s for s in report.skipped)
    assert any("PictureSource" in s for s in report.skipped)
    assert any("Loose note" in s for s in report.skipped)
    with store.reading() as connection:
        configs = {c.identifier: c for c in theory_repo.list_configurations(connection)}
        excerpts = {e.text: e for e in coding_repo.list_excerpts(connection)}
    credibility = configs["Peer credibility"]
    assert [(p.role, p.kind) for p in credibility.components] == [
        (Role.CONTEXT, None), (Role.MECHANISM, "reasoning"), (Role.OUTCOME, None)
    ]  # fmt: skip
    assert configs["7"].topic_key == "imported"
    trusted = excerpts["I trusted her because she had been through it herself."]
    assert trusted.reviewer_key == "priya-shah"
    assert "check the other interviews" in trusted.note
    assert {(c.configuration_identifier, c.role) for c in trusted.codings} == {
        ("Peer credibility", Role.MECHANISM), ("Peer credibility", Role.CONFIGURATION)
    }  # fmt: skip
    assert "Volunteers without training gave advice that felt like judgement." in excerpts
    assert memo_history(store, None)[-1].text.startswith("Coded deductively")


def test_invalid_projects_are_refused_and_nothing_is_written(
    db_target: str, tmp_path: Path
) -> None:
    store = init_review(db_target, "Mine", "ann")

    def qdpx(name: str, project: bytes, extra: list[tuple[str, bytes]] | None = None) -> Path:
        path = tmp_path / name
        path.write_bytes(deterministic_zip([("project.qde", project), *(extra or [])]))
        return path

    valid = (FIXTURE / "project.qde").read_bytes()
    (tmp_path / "x.qdpx").write_text("hello")
    cases = {"not a zip": (tmp_path / "x.qdpx", "not a readable zip")}
    no_project = tmp_path / "none.qdpx"
    no_project.write_bytes(deterministic_zip([("other.xml", b"<a/>")]))
    cases["no project.qde"] = (no_project, "no project.qde inside")
    cases["broken xml"] = (qdpx("broken.qdpx", b"<Project"), "not well-formed XML")
    cases["schema"] = (
        qdpx("schema.qdpx", valid.replace(b'isCodable="true" color', b"color")),
        "does not follow the REFI-QDA project schema",
    )
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>'
    )
    cases["dtd"] = (qdpx("dtd.qdpx", entity), "declares a DTD")
    cases["traversal"] = (
        qdpx("evil.qdpx", valid, [("../../etc/evil.txt", b"x")]),
        "unsafe member name",
    )
    for label, (path, message) in cases.items():
        with pytest.raises(InvalidInput, match=message):
            import_qdpx(store, path, None)
        assert _count(store, excerpt) == 0, label
    assert _count(store, coding) == 0


def test_huge_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.qdpx"
    path.write_bytes(
        deterministic_zip([("project.qde", b"<a/>"), ("sources/x.txt", b"0" * 5_000_000)])
    )
    with pytest.raises(InvalidInput, match="more than the limit"):
        read_qdpx(path, ZipLimits(max_entry_bytes=1_000_000))
    with pytest.raises(InvalidInput, match="a zip bomb"):
        read_qdpx(path)  # 5 MB of zeros compress a thousandfold: refused by default
    with pytest.raises(InvalidInput, match="unpacks to"):
        read_qdpx(path, ZipLimits(max_total_bytes=2_000_000, max_ratio=10_000))
