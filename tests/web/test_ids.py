"""Ids out of range are a 404 or a 422, never a 500, on SQLite and PostgreSQL (issue 11).

Above 2^63 SQLite's driver raised OverflowError, above 2^31 PostgreSQL raised
NumericValueOutOfRange: about twenty routes answered 500. One rule now: every integer a route
accepts is bounded (``web.params``), which the first test checks on every route, and the
second sends the values that broke them to every route that has an integer in its path or
query.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from annotated_types import Ge, Gt, Interval, Le, Lt
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from realist.services import coding, documents, interventions, theories
from realist.services.screening import criteria
from realist.store import Store
from realist.web import WebConfig, create_app
from realist.web.params import MAX_ID
from realist.web.routers import ROUTERS
from web.kit import LOCAL, token

# An intervention's attribute value is stored as text: any integer fits.
STORED_AS_TEXT = {
    "['POST'] /api/interventions body.attributes",
    "['POST'] /api/interventions/{number}/attributes body.value",
}
BAD = ("2147483648", str(2**63), str(2**64), "-1", "0", "abc", "99999999999999999999999")


def _routes() -> list[APIRoute]:
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def _bounds(meta: list[Any]) -> tuple[int | None, int | None]:
    low = high = None
    for item in meta:
        found = item.metadata if isinstance(item, FieldInfo) else [item]
        for m in found:
            if isinstance(m, Interval):
                low = m.ge if m.ge is not None else m.gt
                high = m.le if m.le is not None else m.lt
            elif isinstance(m, Ge | Gt):
                low = m.ge if isinstance(m, Ge) else m.gt
            elif isinstance(m, Le | Lt):
                high = m.le if isinstance(m, Le) else m.lt
    return (int(low) if low is not None else None, int(high) if high is not None else None)


def _unbounded(kind: Any, meta: list[Any], where: str, seen: set[type]) -> Iterator[str]:
    """Where an ``int`` in ``kind`` has no bounds within the databases' integer range."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        base, *more = typing.get_args(kind)
        yield from _unbounded(base, [*meta, *more], where, seen)
    elif kind is int:
        low, high = _bounds(meta)
        if low is None or high is None or low < -MAX_ID - 1 or high > MAX_ID:
            yield where
    elif origin in (typing.Union, types.UnionType, list, tuple, set, frozenset, dict):
        for arg in typing.get_args(kind):
            yield from _unbounded(arg, meta, where, seen)
    elif isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in seen:
        seen.add(kind)
        for name, field in kind.model_fields.items():
            yield from _unbounded(field.annotation, list(field.metadata), f"{where}.{name}", seen)


def test_every_integer_a_route_accepts_is_bounded() -> None:
    found = []
    for route in _routes():
        d = route.dependant
        fields = [*d.path_params, *d.query_params, *d.header_params, *d.cookie_params]
        fields += d.body_params
        for field in fields:
            info = field.field_info
            where = f"{sorted(route.methods)} {route.path} {field.name}"
            found += _unbounded(info.annotation, [info], where, set())
    found = [f for f in found if f not in STORED_AS_TEXT]
    assert not found, "integers without bounds (use realist.web.params):\n" + "\n".join(found)


def _demo_values(store: Store) -> dict[str, str]:
    """A real value for each kind of named path parameter, so ids are reached."""
    config = theories.list_theories(store)[0].configuration
    return {
        "key": documents.document_summaries(store)[0].document.key,
        "identifier": config.identifier,
        "code": criteria(store, retired=True)[0].code,
        "job_id": "job",
    }


def _int_params(route: APIRoute) -> tuple[list[str], list[str]]:
    def is_int(field: Any) -> bool:
        kind = field.field_info.annotation
        return "int" in str(kind) and "str" not in str(kind)

    d = route.dependant
    in_path = [f.name for f in d.path_params if is_int(f)]
    return in_path, [f.name for f in d.query_params if is_int(f)]


def test_ids_out_of_range_are_404_or_422_never_500(demo_store: Store) -> None:
    """Every route with an integer in its path or query, every method, every bad value."""
    assert interventions.list_interventions(demo_store)[0]
    assert coding.list_excerpts(demo_store)
    app = create_app(WebConfig(target=demo_store.target), store=demo_store)
    client = TestClient(app, base_url=LOCAL, raise_server_exceptions=False)
    headers = {"X-CSRF-Token": token(client)}
    values = _demo_values(demo_store)
    tried = 0
    for route in _routes():
        in_path, in_query = _int_params(route)
        if not in_path and not in_query:
            continue
        for bad in BAD:
            path = route.path
            for name in re.findall(r"\{(\w+)[^}]*\}", route.path):
                value = bad if name in in_path else values.get(name, "x")
                path = re.sub(r"\{" + name + r"[^}]*\}", value, path)
            query = {name: bad for name in in_query}
            for method in sorted(route.methods):
                answer = client.request(method, path, params=query, headers=headers, json={})
                tried += 1
                assert answer.status_code in (400, 404, 422), (
                    f"{method} {path} {query}: {answer.status_code} {answer.text[:200]}"
                )
    assert tried > 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/screening/decisions", {"record_id": 2**63, "decision": "include"}),
        ("/api/screening/decisions", {"record_id": 2**31, "decision": "include"}),
        ("/api/duplicates/1", {"same": True, "keep": 2**64}),
        ("/api/interventions", {"number": 2**31, "name": "x"}),
    ],
)
def test_ids_in_json_bodies_out_of_range_are_422(
    web_review: Store, path: str, body: dict[str, object]
) -> None:
    client = TestClient(create_app(WebConfig(target=web_review.target), store=web_review), LOCAL)
    answer = client.post(path, json=body, headers={"X-CSRF-Token": token(client)})
    assert answer.status_code in (404, 422), answer.text


def test_ids_in_forms_out_of_range_are_422(web_review: Store) -> None:
    client = TestClient(create_app(WebConfig(target=web_review.target), store=web_review), LOCAL)
    tok = token(client)
    for value in (str(2**31), str(2**63), str(2**64)):
        form = {"record_id": value, "stage": "title_abstract", "decision": "include"}
        answer = client.post("/screening/decide", data=form | {"csrf_token": tok})
        assert answer.status_code == 422, answer.text
        merge = {"keep": value, "duplicate": "1", "csrf_token": tok}
        assert client.post("/records/duplicates/merge", data=merge).status_code in (404, 422)
