"""Rendering pages: one Jinja2 environment (autoescaping on), one ``render`` helper.

Imported text is untrusted. Autoescape is on for every template, and no template applies
``|safe`` to data: the only markup made in Python is the highlighter's
(:mod:`realist.web.highlight`), which escapes every character of the text it marks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from realist.domain.timestamps import day_for_people, for_people
from realist.reports.wording import counted, plural
from realist.web import csrf
from realist.web.highlight import highlight
from realist.web.nav import AREAS, area_for_path

TEMPLATES = Path(__file__).parent / "templates"

_LABELS = {
    "title_abstract": "Title and abstract",
    "full_text": "Full text",
    "include": "Included",
    "exclude": "Excluded",
    "maybe": "Maybe",
    "undecided": "Not screened",
    "awaiting_second": "Awaiting second reviewer",
    "conflict": "Conflict",
}


def label(value: object) -> str:
    """A readable label for an enumeration value (``title_abstract`` → "Title and abstract")."""
    text = str(getattr(value, "value", value))
    return _LABELS.get(text, text.replace("_", " ").capitalize())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,  # a typo in a template fails a test, not silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    env.filters["label"] = label
    # Counts read as English: {{ n | counted("problem") }} → "1 problem", "2 problems";
    # {{ n | plural("record") }} is the noun alone, for a number set apart (<strong>).
    env.filters["counted"] = counted
    env.filters["plural"] = plural
    # Times as people read them ("2 Dec 2026, 14:05 UTC"); the API keeps ISO 8601.
    env.filters["when"] = for_people
    env.filters["day"] = day_for_people
    # The macros as a global, so fragments rendered alone (htmx) can use them too.
    env.globals["ui"] = env.get_template("macros.html").module
    return env


templates = Jinja2Templates(env=_environment())


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (it then wants a fragment, not a whole page)."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    name: str,
    data: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render template ``name`` with ``data`` plus what every page needs (who is acting,
    the CSRF token, the navigation)."""
    config = request.app.state.config
    context: dict[str, Any] = {
        "actor": getattr(request.state, "actor", None),
        "csrf_token": csrf.token(request),
        "csrf_field": csrf.FIELD,
        "areas": AREAS,
        "current": area_for_path(request.url.path),
        "local": config.local,
        "review_title": getattr(request.app.state, "review_title", "Realist"),
        **(data or {}),
    }
    response = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )
    assert isinstance(response, HTMLResponse)
    return response
