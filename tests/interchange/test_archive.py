"""The whole-review archive: export then import gives an identical review, every table row
by row (ids, timestamps and the event log included), on SQLite and PostgreSQL; archives
that are newer, damaged or hostile are refused and leave nothing behind."""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from realist.domain.appraisal import MMATAnswer
from realist.domain.documents import StudyDesign
from realist.domain.screening import CriterionKind, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.errors import InvalidInput, ReviewExists, SchemaTooNew
from realist.interchange.archive import archived_tables
from realist.interchange.zips import ZipLimits, deterministic_zip
from realist.services.dedup import deduplicate
from realist.services.documents import appraise_mmat, attach_document
from realist.services.imports import import_file
from realist.services.interchange import export_archive, import_archive
from realist.services.memos import write_memo
from realist.services.prioritising import set_order
from realist.services.screening import add_highlight_terms, next_record
from realist.services.theories import edit_configuration
from realist.store import Store, create_store, open_store
from realist.store.connect import head_revision
from realist.store.schema import record
from realist.store.schema_analysis import configuration_intervention, memo

IMPORTS = Path(__file__).parents[1] / "fixtures" / "imports"


def _enrich(store: Store, tmp_path: Path) -> None:
    """Give every table of the demo at least one row, so the comparison covers them all."""
    import_file(store, IMPORTS / "missing_er.ris", source_name="Scopus")  # has problems
    import_file(store, IMPORTS / "missing_er.ris", source_name="Again", force=True)
    deduplicate(store, None)
    doc = tmp_path / "protocol.txt"
    doc.write_bytes("Protocol: peer support for mothers — ünïcödé 😊\n".encode())
    attach_document(store, doc, key="protocol")
    appraise_mmat(
        store, "protocol", StudyDesign.QUALITATIVE, [MMATAnswer.YES] * 2, [MMATAnswer.YES] * 5, None
    )
    yes, no = MMATAnswer.YES, MMATAnswer.NO
    appraise_mmat(  # a mixed methods study's components must survive the round trip
        store, "carter-2018", StudyDesign.MIXED_METHODS, [yes] * 2, [yes, no, yes, yes, yes],
        None, components={StudyDesign.QUALITATIVE: [yes] * 5,
                          StudyDesign.NON_RANDOMISED: [yes, no, MMATAnswer.CANT_TELL, yes, yes]},
    )  # fmt: skip
    write_memo(store, "N1", "A memo.", None)
    edit_configuration(store, "N1", None, "test", statement="If peers judge, then mothers leave.")
    add_highlight_terms(store, ["peer"], CriterionKind.INCLUSION, None)
    set_order(store, Stage.FULL_TEXT, ScreeningOrder.RANDOM, None, seed=3)  # screening_order
    next_record(store, Stage.TITLE_ABSTRACT, None)  # its ranking is recorded: ranking_fit
    with store.transaction() as connection:
        connection.execute(
            configuration_intervention.insert().values(configuration_id=1, intervention_id=1)
        )
        # A merged record whose keeper has a higher id: restored in two steps.
        ids = sorted(r[0] for r in connection.execute(sa.select(record.c.id)))
        connection.execute(
            record.update().where(record.c.id == ids[0]).values(duplicate_of=ids[-1])
        )
        if "account" in {t.name for t in archived_tables()}:  # web sign-in (migration 0003)
            accounts = importlib.import_module("realist.store.accounts")
            accounts.set_password_hash(connection, 1, "$argon2id$v=19$m=65536,t=3,p=4$x$y")


def _rows(store: Store) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    with store.reading() as connection:
        for table in archived_tables():
            query = sa.select(table).order_by(*table.primary_key.columns)
            found[table.name] = [dict(r._mapping) for r in connection.execute(query)]
        if connection.dialect.name == "sqlite":
            found["search_index"] = [
                tuple(r)
                for r in connection.execute(
                    sa.text("SELECT kind, ref, body FROM search_index ORDER BY kind, ref")
                )
            ]
    return found


def test_archive_round_trip_is_identical_on_every_table(
    demo_store: Store, tmp_path: Path, restore_target: str
) -> None:
    _enrich(demo_store, tmp_path)
    before = _rows(demo_store)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [], f"tables the test does not cover: {empty}"
    out = tmp_path / "review.realist.zip"
    done = export_archive(demo_store, out)
    assert done.counts["event"] == len(before["event"])

    restored = import_archive(out, restore_target)
    assert restored.tables == {name: len(rows) for name, rows in before.items()
                               if name != "search_index"}  # fmt: skip
    store = open_store(restore_target)
    try:
        after = _rows(store)
        for name in before:
            assert after[name] == before[name], name
        # New rows get new ids after the restored ones (PostgreSQL sequences were moved).
        write_memo(store, None, "after the restore", None)
        with store.reading() as connection:
            newest = connection.execute(sa.select(sa.func.max(memo.c.id))).scalar()
        assert newest == max(r["id"] for r in before["memo"]) + 1
    finally:
        store.close()


def test_archive_layout_and_determinism(demo_store: Store, tmp_path: Path) -> None:
    _enrich(demo_store, tmp_path)
    export_archive(demo_store, tmp_path / "a.zip")
    export_archive(demo_store, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        manifest = orjson.loads(archive.read("manifest.json"))
        events = orjson.loads(archive.read("tables/event.json"))
        files = orjson.loads(archive.read("tables/document_file.json"))
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())
        stored = archive.read(files[0]["data"]["file"])
    assert names[0] == "manifest.json"
    assert manifest["format"] == "realist-archive" and manifest["format_version"] == 1
    assert manifest["schema_revision"] == head_revision()
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert list(events[0]) == sorted(events[0])
    assert files[0]["data"] == {"file": "documents/1/protocol.txt"}
    assert stored == (tmp_path / "protocol.txt").read_bytes()


def _archive(tmp_path: Path, members: list[tuple[str, bytes]], name: str = "x.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(deterministic_zip(members))
    return path


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as archive:
        members = [(n, change.get(n, archive.read(n))) for n in archive.namelist()]
    target.write_bytes(deterministic_zip(members))
    return target


def test_refuses_a_store_that_is_not_empty(demo_store: Store, tmp_path: Path) -> None:
    export_archive(demo_store, tmp_path / "a.zip")
    with pytest.raises(ReviewExists):
        import_archive(tmp_path / "a.zip", demo_store.target)


def test_refuses_newer_and_foreign_archives(demo_store: Store, tmp_path: Path) -> None:
    export_archive(demo_store, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        manifest = orjson.loads(archive.read("manifest.json"))
    for change, error, message in (
        ({"format_version": 2}, SchemaTooNew, "newer Realist"),
        ({"schema_revision": "9999"}, SchemaTooNew, "unknown to this Realist"),
        ({"schema_revision": "0001"}, InvalidInput, "older than this Realist's"),
        ({"format": "something-else"}, InvalidInput, "not a Realist archive"),
    ):
        changed = _rewrite(
            tmp_path / "a.zip",
            tmp_path / "changed.zip",
            {"manifest.json": orjson.dumps({**manifest, **change})},
        )
        with pytest.raises(error, match=message):
            import_archive(changed, str(tmp_path / "new.realist"))
        assert not (tmp_path / "new.realist").exists()


def test_a_failed_restore_leaves_nothing(
    demo_store: Store, tmp_path: Path, restore_target: str
) -> None:
    export_archive(demo_store, tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        codings = orjson.loads(archive.read("tables/coding.json"))
    codings[-1]["excerpt_id"] = 999_999  # points at no excerpt: the database refuses it
    broken = _rewrite(
        tmp_path / "a.zip", tmp_path / "broken.zip", {"tables/coding.json": orjson.dumps(codings)}
    )
    with pytest.raises(sa.exc.IntegrityError):
        import_archive(broken, restore_target)
    if "://" not in restore_target:
        assert list(tmp_path.glob("restored*")) == list(tmp_path.glob(".restored*")) == []
    else:
        create_store(restore_target).close()  # the database is empty again
    renamed = _rewrite(
        tmp_path / "a.zip", tmp_path / "cols.zip", {"tables/topic.json": b'[{"id": 1}]'}
    )
    with pytest.raises(InvalidInput, match="expected a list of 3 rows"):
        import_archive(renamed, str(tmp_path / "other.realist"))


def test_hostile_zips_are_refused(tmp_path: Path) -> None:
    target = str(tmp_path / "new.realist")
    cases = [
        ([("../evil.json", b"{}")], "unsafe member name"),
        ([("/etc/passwd", b"x")], "unsafe member name"),
        ([("a\\..\\b", b"x")], "unsafe member name"),
        ([("C:/x", b"x")], "unsafe member name"),
        ([("manifest.json", b"{}"), ("big.bin", b"\0" * 3_000_000)], "a zip bomb"),
    ]
    for members, message in cases:
        with pytest.raises(InvalidInput, match=message):
            import_archive(_archive(tmp_path, members), target)
    big = _archive(tmp_path, [("manifest.json", b"{}"), ("big.txt", bytes(range(256)) * 8000)])
    with pytest.raises(InvalidInput, match="more than the limit"):
        import_archive(big, target, ZipLimits(max_entry_bytes=1_000_000))
    with pytest.raises(InvalidInput, match="not a readable zip"):
        (tmp_path / "plain.zip").write_text("not a zip")
        import_archive(tmp_path / "plain.zip", target)
    assert not (tmp_path / "new.realist").exists()


def test_zip_reader_rechecks_sizes_while_reading(tmp_path: Path) -> None:
    # A member whose header lies about its size is caught by zipfile's own size/CRC check.
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("manifest.json", b"{" + b" " * 10_000 + b"}")
    raw = bytearray(data.getvalue())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size: 10
    (tmp_path / "liar.zip").write_bytes(bytes(raw))
    with pytest.raises(InvalidInput):
        import_archive(tmp_path / "liar.zip", str(tmp_path / "n.realist"))
