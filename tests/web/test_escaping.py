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
