"""Every router of the app, in one list that ``app.create_app`` includes.

One module per area of the navigation (``nav.AREAS``); an area may add a second module
for a sub-page with its own routes (``records_duplicates``, ``screening_conflicts``).
Areas not built yet get a placeholder page from ``placeholders``.
"""

from __future__ import annotations

from fastapi import APIRouter

from realist.web.routers import (
    accounts,
    apidocs,
    dashboard,
    placeholders,
    records,
    records_duplicates,
    screening,
    screening_conflicts,
    session,
)

ROUTERS: list[APIRouter] = [
    session.router,
    dashboard.router,
    records.router,
    records_duplicates.router,
    screening.router,
    screening_conflicts.router,
    accounts.router,
    apidocs.router,
    placeholders.router,
]
