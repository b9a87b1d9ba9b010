"""Every router of the app, in one list that ``app.create_app`` includes.

One module per area of the navigation (``nav.AREAS``); an area may add modules of its own
for a sub-page or a part of its work (``records_duplicates``, ``screening_conflicts``,
``documents_list``, ``theory_edit``). Areas not built yet get a placeholder page from
``placeholders``.

Order matters where a fixed path and a path parameter meet: Starlette takes the first
route that matches, so ``/theories/new`` and ``/theories/model`` (``theory_edit``,
``theory_verdicts``) come before ``/theories/{identifier}`` (``theory``).
"""

from __future__ import annotations

from fastapi import APIRouter

from realist.web.routers import (
    accounts,
    apidocs,
    dashboard,
    documents,
    documents_appraisal,
    documents_coding,
    documents_list,
    explore,
    explore_ask,
    placeholders,
    records,
    records_duplicates,
    records_record,
    records_strategy,
    reports,
    screening,
    screening_conflicts,
    session,
    theory,
    theory_edit,
    theory_verdicts,
)

ROUTERS: list[APIRouter] = [
    session.router,
    dashboard.router,
    records.router,
    records_duplicates.router,
    records_record.router,
    records_strategy.router,
    screening.router,
    screening_conflicts.router,
    documents_list.router,
    documents.router,
    documents_coding.router,
    documents_appraisal.router,
    theory_edit.router,  # /theories/new before theory's /theories/{identifier}
    theory_verdicts.router,  # /theories/model, /api/theories/model likewise
    theory.router,
    explore.router,
    explore_ask.router,
    reports.router,
    accounts.router,
    apidocs.router,
    placeholders.router,
]
