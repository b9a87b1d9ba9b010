"""Helpers the web tests share: a RIS maker, CSRF tokens, signing in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LOCAL = "http://127.0.0.1:8765"


def ris(*titles: str) -> str:
    """A RIS file with one journal article per title."""
    return "".join(
        f"TY  - JOUR\nAU  - Author, A{n}\nTI  - {t}\nPY  - {2000 + n}\n"
        f"AB  - An abstract about peer support for {t}.\nER  - \n\n"
        for n, t in enumerate(titles)
    )


def csrf_of(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "no CSRF meta tag"
    return found.group(1)


def token(client: TestClient) -> str:
    """A CSRF token for this client's session (from the API)."""
    response = client.get("/api/session")
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def sign_in(client: TestClient, reviewer: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"reviewer": reviewer, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
