"""A page for each area not built yet, saying what it will hold (see ``nav.AREAS``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from realist.web.auth import Reader
from realist.web.nav import AREAS, Area
from realist.web.templating import render

router = APIRouter()


def _page(area: Area) -> Callable[[Request, Reader], Response]:
    def placeholder(request: Request, _: Reader) -> Response:
        return render(request, "placeholder.html", {"area": area})

    placeholder.__name__ = f"{area.key}_placeholder"
    return placeholder


for _area in AREAS:
    if not _area.built:
        router.add_api_route(_area.path, _page(_area), methods=["GET"], include_in_schema=False)
