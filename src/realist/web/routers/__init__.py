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
    accounts_people,
    apidocs,
    dashboard,
    documents,
    documents_appraisal,
    documents_coding,
    documents_corrections,
    documents_list,
    explore,
    explore_ask,
    interventions,
    placeholders,
    records,
    records_batches,
    records_duplicates,
    records_record,
    records_strategy,
    reports,
    screening,
    screening_conflicts,
    screening_criteria,
    session,
    theory,
    theory_corrections,
    theory_edit,
    theory_verdicts,
)

ROUTERS: list[APIRouter] = [
    session.router,
    dashboard.router,
    records.router,
    records_duplicates.router,
    records_batches.router,
    records_strategy.router,
    records_record.router,  # /records/{id} after the fixed /records/... paths
    screening.router,
    screening_conflicts.router,
    screening_criteria.router,
    documents_list.router,
    documents.router,
    documents_coding.router,
    documents_appraisal.router,
    interventions.router,
    documents_corrections.router,
    theory_edit.router,  # /theories/new before theory's /theories/{identifier}
    theory_verdicts.router,  # /theories/model, /api/theories/model likewise
    theory_corrections.router,
    theory.router,
    explore.router,
    explore_ask.router,
    reports.router,
    accounts.router,
    accounts_people.router,
    apidocs.router,
    placeholders.router,
]
