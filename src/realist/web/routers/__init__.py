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
    documents,
    explore,
    explore_ask,
    placeholders,
    records,
    records_duplicates,
    reports,
    screening,
    screening_conflicts,
    session,
    theory,
)

ROUTERS: list[APIRouter] = [
    session.router,
    dashboard.router,
    records.router,
    records_duplicates.router,
    screening.router,
    screening_conflicts.router,
    documents.router,
    theory.router,
    explore.router,
    explore_ask.router,
    reports.router,
    accounts.router,
    apidocs.router,
    placeholders.router,
]
