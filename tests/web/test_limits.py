"""Body limits per route, decided before the body is read (issue 11; web/limits.py).

In-process checks of each rule; tests/test_attacks.py sends the issue's attacks to a real
server process and measures its memory and files.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from realist.store import Store
from realist.web import WebConfig, create_app
from web.conftest import Client
from web.kit import LOCAL, csrf_of, ris, sign_in, token


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the spool, the temporary folder): both must stay empty when an upload is refused."""
    spool, tmp = tmp_path / "spool", tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("REALIST_SPOOL_DIR", str(spool))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return spool, tmp


def _empty(*folders: Path) -> bool:
    return not any(p.is_file() for f in folders if f.exists() for p in f.rglob("*"))


def _multipart(fields: list[tuple[str, str]], size: int) -> tuple[bytes, str]:
    """A form of ``fields`` in order, where the field "file" is a RIS file with ``size``
    spaces after its record; (body, content type)."""
    boundary = "limitsboundary"
    parts = []
    for name, value in fields:
        if name == "file":
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="a.ris"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                + ris("A study").encode()
                + b" " * size
                + b"\r\n"
            )
        else:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"{head}{value}\r\n".encode())
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_an_anonymous_upload_is_sent_to_sign_in_and_nothing_is_stored(
    client_for: Client, folders: tuple[Path, Path]
) -> None:
    client = client_for(local=False)
    csrf = csrf_of(client.get("/login").text)  # an anonymous session's own token
    for fields in ([], [("csrf_token", csrf)]):
        body, kind = _multipart([*fields, ("file", "")], 2 << 20)
        answer = client.post(
            "/api/documents", content=body, headers={"Content-Type": kind}, follow_redirects=False
        )
        assert answer.status_code in (401, 403), answer.text
    assert _empty(*folders)


def test_an_upload_needs_the_token_before_the_file_and_a_role_that_may_upload(
    client_for: Client, folders: tuple[Path, Path]
) -> None:
    client = client_for(local=False)
    sign_in(client, "bob")
    csrf = token(client)
    late, kind = _multipart([("file", ""), ("csrf_token", csrf)], 1 << 20)
    refused = client.post("/api/records/import", content=late, headers={"Content-Type": kind})
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]
    early, kind = _multipart([("csrf_token", csrf), ("file", "")], 0)
    done = client.post("/api/records/import", content=early, headers={"Content-Type": kind})
    assert done.status_code == 200, done.text
    viewer = client_for(local=False)
    sign_in(viewer, "vic")
    early, kind = _multipart([("csrf_token", token(viewer)), ("file", "")], 1 << 20)
    refused = viewer.post("/api/records/import", content=early, headers={"Content-Type": kind})
    assert refused.status_code == 403 and "role" in refused.json()["error"]
    assert _empty(*folders)


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"key": "'
    for _ in range(total // 4096):
        yield b"x" * 4096


def test_a_json_body_over_the_form_limit_is_refused_with_or_without_its_length(
    web_review: Store,
) -> None:
    config = WebConfig(target=web_review.target, max_form_bytes=64 * 1024)
    client = TestClient(create_app(config, store=web_review), base_url=LOCAL)
    headers = {"X-CSRF-Token": token(client), "Content-Type": "application/json"}
    by_length = client.post("/api/reviewers", content=b"x" * (65 * 1024), headers=headers)
    assert by_length.status_code == 413
    assert by_length.json()["error"] == "a request may send at most 64 KB here"
    by_count = client.post("/api/reviewers", content=_chunks(1 << 20), headers=headers)
    assert by_count.status_code == 413
    small = client.post("/api/reviewers", json={"key": "ann", "name": "Ann"}, headers=headers)
    assert small.status_code != 413


def test_the_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALIST_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("REALIST_MAX_FORM_KB", "16")
    config = WebConfig(target="x.realist")
    assert (config.max_upload_bytes, config.max_form_bytes) == (3 << 20, 16 << 10)
    monkeypatch.setenv("REALIST_MAX_FORM_KB", "nonsense")
    assert WebConfig(target="x.realist").max_form_bytes == 1 << 20
