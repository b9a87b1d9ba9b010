"""The API's documentation, served from here: the OpenAPI document and a page listing it.

FastAPI's Swagger UI loads its scripts from a CDN, and the app must work offline, so it is
switched off; this page lists every operation from the same OpenAPI document instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from realist.web.auth import Reader
from realist.web.templating import render

router = APIRouter()


@router.get("/api/openapi.json", include_in_schema=False)
def openapi(request: Request, _: Reader) -> Response:
    return JSONResponse(request.app.openapi())


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per path and method, grouped by tag, in the document's order."""
    found = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "tag": (op.get("tags") or ["other"])[0],
                    "method": method.upper(),
                    "path": path,
                    "returns": _returns(op),
                    "description": op.get("description", ""),
                    "parameters": [
                        {"name": p["name"], "where": p["in"], "required": p.get("required", False)}
                        for p in op.get("parameters", [])
                    ],
                    "body": ", ".join(body),
                }
            )
    return sorted(found, key=lambda o: o["tag"])


def _returns(op: dict[str, Any]) -> str:
    """The name of what a 200 answer holds (a schema name, or its media type)."""
    content = op.get("responses", {}).get("200", {}).get("content", {})
    for media, body in content.items():
        schema = body.get("schema", {})
        ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
        if ref:
            name = ref.rsplit("/", 1)[-1]
            return f"list of {name}" if "items" in schema else name
        return str(media)
    return ""


@router.get("/api/docs", include_in_schema=False)
def docs(request: Request, _: Reader) -> Response:
    spec = request.app.openapi()
    return render(request, "apidocs/index.html", {"spec": spec, "operations": _operations(spec)})
