"""Imported text is untrusted: a <script> in a title renders as text on every page."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from realist.domain.screening import CriterionKind, Decision, ScreeningMode, Stage
from realist.services import dedup, imports, screening
from realist.store import Store
from realist.web.highlight import highlight
from web.conftest import Client
from web.kit import ESCAPED, SCRIPT, ris, token

INC, EXC = CriterionKind.INCLUSION, CriterionKind.EXCLUSION


def _conflict_on_script(store: Store) -> None:
    screening.set_screening_mode(store, ScreeningMode.DUAL, "owner")
    screening.screen(store, 1, Stage.TITLE_ABSTRACT, Decision.INCLUDE, "owner")
    screening.screen(store, 1, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "bob")


def _pair_with_script(store: Store, tmp_path: Path) -> None:
    """A likely duplicate of the record titled with a script, for the queue."""
    path = tmp_path / "again.ris"
    path.write_text(ris(f"Trial {SCRIPT} of peer support (conference abstract)"))
    imports.import_file(store, path, source_name="Embase")
    dedup.deduplicate(store, "owner")


def test_script_in_a_title_is_text_on_every_page(
    client_for: Client, web_review: Store, tmp_path: Path
) -> None:
    _conflict_on_script(web_review)
    _pair_with_script(web_review, tmp_path)
    client = client_for()
    for path in ["/records", "/screening/conflicts", "/records/duplicates"]:
        html = client.get(path).text
        assert SCRIPT not in html and ESCAPED in html, path
    # vic has not screened record 1 yet, so it is on their card, with "script" highlighted.
    for path in ["/screening", "/screening/card"]:
        html = client_for("vic").get(path).text
        assert SCRIPT not in html, path
        assert '&lt;<mark class="term-include">script</mark>&gt;alert(1)&lt;/' in html, path
    assert "alert(1)" in client.get("/api/records").json()["records"][0]["title"]


def test_script_in_an_uploaded_file_is_text_too(client_for: Client) -> None:
    client = client_for()
    body = ris('Bad <img src=x onerror="alert(2)"> title').encode()
    result = client.post(
        "/api/records/import",
        files={"file": ("x<script>.ris", body, "text/plain")},
        data={"source": "<b>Evil</b>"},
        headers={"X-CSRF-Token": token(client)},
    ).json()
    assert result["imported"] == 1
    html = client.get("/records?duplicates=all").text
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html
    html = client.get("/records/batches").text  # the file name and source, as given
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "x<script>" not in html


def test_highlighter_escapes_before_marking() -> None:
    terms = {INC: ["peer*", "amp"], EXC: ["rat"]}
    out = highlight("Peer <b>support</b> & amp; rats, a rat", terms)
    assert isinstance(out, Markup)
    assert str(out) == (
        '<mark class="term-include">Peer</mark> &lt;b&gt;support&lt;/b&gt; &amp; '
        '<mark class="term-include">amp</mark>; rats, a <mark class="term-exclude">rat</mark>'
    )
    assert "<script>" not in highlight(SCRIPT, {INC: ["script"]})
    assert str(highlight("a < b", None)) == "a &lt; b"


def test_exclusion_wins_where_terms_overlap() -> None:
    out = str(highlight("inpatient peers", {INC: ["inpatient peers"], EXC: ["inpatient"]}))
    assert out == (
        '<mark class="term-exclude">inpatient</mark><mark class="term-include"> peers</mark>'
    )


def test_script_in_a_configuration_or_excerpt_is_text_on_explore_pages(
    demo_store: Store, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from realist.services import coding, documents
    from realist.web import WebConfig, create_app
    from web.kit import LOCAL

    text = f"Intro. {SCRIPT} zebrafish telephone volunteers helped. The end."
    path = tmp_path / "evil.txt"
    path.write_text(text, encoding="utf-8")
    documents.attach_document(demo_store, path, key="evil", title=f"Evil {SCRIPT} paper")
    start = text.index(SCRIPT)
    excerpt = coding.create_excerpt(
        demo_store, "evil", start, text.index(" The end"), None, interventions=[12]
    )
    coding.create_configuration(
        demo_store, "X1", "take_up", None, title=f"{SCRIPT} telephone help",
        contexts=[f"telephone volunteers {SCRIPT}"], mechanisms=[(f"trust {SCRIPT}", None)],
    )  # fmt: skip
    assert excerpt.id is not None
    coding.code_excerpt(demo_store, excerpt.id, "X1", None)
    app = create_app(WebConfig(target=demo_store.target), store=demo_store)
    client = TestClient(app, base_url=LOCAL)
    for path_ in [
        "/explore?dimension=intervention",
        "/explore/cell?dimension=intervention&configuration=X1&value=%2312",
        "/explore/applies?q=telephone+volunteers+zebrafish",
        "/explore/search?q=zebrafish",
        "/explore/framework",
    ]:
        html = client.get(path_).text
        assert SCRIPT not in html and ESCAPED in html, path_
    cell = client.get("/api/explore/cell?dimension=intervention&configuration=X1&value=%2312")
    assert cell.json()["excerpts"][0]["text"].startswith(SCRIPT)


def test_script_in_a_document_excerpt_or_configuration_is_text_on_documents_and_theories(
    demo_store: Store, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from realist.domain.theory import Verdict
    from realist.services import coding, documents, memos, testing
    from realist.web import WebConfig, create_app
    from web.kit import LOCAL

    text = f"Intro. {SCRIPT} volunteers helped. The end."
    path = tmp_path / "evil.txt"
    path.write_text(text, encoding="utf-8")
    documents.attach_document(demo_store, path, key="evil", title=f"Evil {SCRIPT} paper")
    start = text.index(SCRIPT)
    excerpt = coding.create_excerpt(
        demo_store, "evil", start, text.index(" The end"), None, note=f"note {SCRIPT}"
    )
    coding.create_configuration(
        demo_store, "X2", "take_up", None, title=f"{SCRIPT} help",
        statement=f"If {SCRIPT}, then help.", contexts=[f"context {SCRIPT}"],
        mechanisms=[(f"trust {SCRIPT}", None)], outcomes=[f"outcome {SCRIPT}"],
    )  # fmt: skip
    assert excerpt.id is not None
    coding.code_excerpt(demo_store, excerpt.id, "X2", None)
    memos.write_memo(demo_store, "X2", f"memo {SCRIPT}", None)
    client = TestClient(
        create_app(WebConfig(target=demo_store.target), store=demo_store), base_url=LOCAL
    )
    for path_ in [
        "/documents",
        "/documents/evil",
        f"/documents/evil?excerpt={excerpt.id}",
        "/documents/mcleish-2023",
        "/theories",
        "/theories/X2",
        f"/theories/new?excerpt={excerpt.id}",
    ]:
        html = client.get(path_).text
        assert SCRIPT not in html and ESCAPED in html, path_
    fragment = client.get(f"/documents/evil/excerpts/{excerpt.id}", headers={"HX-Request": "true"})
    assert SCRIPT not in fragment.text and ESCAPED in fragment.text
    assert client.get("/api/theories/X2").json()["card"]["title"].startswith(SCRIPT)
    testing.set_verdict(demo_store, "X2", None, "shown", Verdict.SUPPORTED)  # NEW: capitals
    model = client.get("/theories/model").text
    assert "<SCRIPT>" not in model and "IF &lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;, THEN" in model
