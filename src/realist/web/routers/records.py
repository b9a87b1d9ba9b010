"""Records: search and filter, and importing database exports by upload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.review import SourceKind
from realist.domain.screening import Outcome, Stage
from realist.errors import NotFound
from realist.services import imports
from realist.services.records import Duplicates, RecordRow, find_records, list_sources
from realist.services.search_strategy import searched_date
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep, config_of
from realist.web.jobs import ImportJob, ImportJobs
from realist.web.params import Position
from realist.web.templating import is_htmx, render
from realist.web.uploads import discard, save_upload, spool_of

router = APIRouter()
PROBLEMS_SHOWN = 500


class RecordFilters(BaseModel):
    """What the records list is narrowed to (all optional), and which page of it."""

    q: str = Field(
        "",
        max_length=500,
        description="words that must each be in the title, authors, journal, DOI or year, "
        "whatever their case or accents (a DOI or PMID finds its record)",
    )
    source: str = Field("", max_length=200, description="the source's name, exactly")
    stage: Stage | Literal[""] = ""
    outcome: Outcome | Literal[""] = Field(
        "", description="where records stand at `stage` (title/abstract if not given)"
    )
    duplicates: Duplicates = "standing"
    offset: Position = Field(0, description="how many matching records to skip")
    limit: int = Field(100, ge=1, le=1000, description="records per page")


class RecordItem(BaseModel):
    """One record with where it stands at each screening stage."""

    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    doi: str
    pmid: str
    source: str
    title_abstract: Outcome
    full_text: Outcome
    duplicate_of: int | None


class RecordsPage(BaseModel):
    filters: RecordFilters
    records: list[RecordItem]
    more: bool = Field(description="more records match after this page")
    sources: list[str]
    total: int = Field(description="records matching the filters, on all pages")
    offset: int = Field(description="matching records skipped before this page")
    limit: int = Field(description="records per page")


def _item(row: RecordRow) -> RecordItem:
    r = row.record
    assert r.id is not None
    return RecordItem(
        id=r.id,
        title=r.title,
        authors=r.authors,
        year=r.year,
        journal=r.journal,
        doi=r.doi,
        pmid=r.pmid,
        source=row.source,
        title_abstract=row.title_abstract,
        full_text=row.full_text,
        duplicate_of=r.duplicate_of,
    )


def records_data(store: Store, f: RecordFilters, viewer: str) -> RecordsPage:
    stage = f.stage or Stage.TITLE_ABSTRACT
    wanted = f.outcome or None
    found = find_records(
        store,
        text=f.q or None,
        source_name=f.source or None,
        duplicates=f.duplicates,
        title_abstract=wanted if stage is Stage.TITLE_ABSTRACT else None,
        full_text=wanted if stage is Stage.FULL_TEXT else None,
        offset=f.offset,
        limit=f.limit,
        viewer=viewer,
    )
    return RecordsPage(
        filters=f,
        records=[_item(r) for r in found.rows],
        more=found.more,
        sources=list_sources(store),
        total=found.total,
        offset=found.offset,
        limit=found.limit,
    )


def _page_link(f: RecordFilters, offset: int) -> str:
    """The records list with the same filters, from ``offset`` (defaults left out)."""
    changed = f.model_copy(update={"offset": offset}).model_dump(mode="json", exclude_defaults=True)
    return "/records" + (f"?{urlencode(changed)}" if changed else "")


def _pager(page: RecordsPage) -> dict[str, str | None]:
    """Links to the first, previous and next pages (None where there is no such page)."""
    f = page.filters
    back = f.offset > 0
    return {
        "first": _page_link(f, 0) if back else None,
        "previous": _page_link(f, max(0, min(f.offset, page.total) - f.limit)) if back else None,
        "next": _page_link(f, f.offset + f.limit) if page.more else None,
    }


@router.get("/records", include_in_schema=False)
def records_page(
    request: Request, actor: Reader, store: StoreDep, filters: Annotated[RecordFilters, Query()]
) -> Response:
    page = records_data(store, filters, actor.key)
    name = "records/_results.html" if is_htmx(request) else "records/index.html"
    return render(
        request,
        name,
        {"page": page, "pager": _pager(page), "stages": list(Stage), "outcomes": list(Outcome)},
    )


@router.get("/api/records", tags=["records"])
def records_api(
    actor: Reader, store: StoreDep, filters: Annotated[RecordFilters, Query()]
) -> RecordsPage:
    """Records matching the filters, oldest first, with their screening outcomes: ``limit``
    of them from ``offset``, and the ``total`` matching. In dual screening a record you
    have not decided, and fewer than two reviewers have, is "undecided" to you."""
    return records_data(store, filters, actor.key)


# --- importing ----------------------------------------------------------------------------


class ImportResult(BaseModel):
    """What happened to one imported file; ``problems`` read ``file:line: reason``."""

    filename: str
    format: str
    source: str
    imported: int
    problem_count: int
    problems: list[str]
    possible_duplicates: int
    prior_decisions: int
    skipped: str
    batch_id: int | None


class ImportStatus(BaseModel):
    """An import running beside the page; ``result`` is set when ``done`` without error."""

    id: str
    filename: str
    records: int
    done: bool
    error: str
    result: ImportResult | None


def _result(r: imports.FileImport) -> ImportResult:
    return ImportResult(
        filename=r.filename,
        format=r.format,
        source=r.source,
        imported=r.imported,
        problem_count=r.problem_count,
        problems=[str(p) for p in r.problems[:PROBLEMS_SHOWN]],
        possible_duplicates=r.possible_duplicates,
        prior_decisions=r.prior_decisions,
        skipped=r.skipped,
        batch_id=r.batch_id,
    )


def _status(job: ImportJob) -> ImportStatus:
    return ImportStatus(
        id=job.id,
        filename=job.filename,
        records=job.records,
        done=job.done,
        error=job.error,
        result=_result(job.result) if job.result else None,
    )


def _import(
    store: Store,
    path: Path,
    source: str,
    kind: SourceKind,
    searched: str,
    reviewer: str,
    progress: Callable[[int], None] | None = None,
) -> imports.FileImport:
    """Import the saved upload, then remove it and its temporary folder."""
    try:
        return imports.import_file(
            store,
            path,
            source_name=source.strip() or None,
            source_kind=kind,
            searched=searched.strip() or None,
            reviewer=reviewer,
            progress=progress,
        )
    finally:
        discard(path)


Upload = Annotated[UploadFile, File(description="a database export: RIS, nbib, BibTeX, CSV, ...")]
SourceField = Annotated[str, Form(max_length=200)]
KindField = Annotated[SourceKind, Form()]
SearchedField = Annotated[str, Form(max_length=32)]


@router.get("/records/import", include_in_schema=False)
def import_page(request: Request, _: Reader) -> Response:
    return render(request, "records/import.html", {"kinds": list(SourceKind), "job": None})


@router.post("/records/import", include_in_schema=False)
async def import_start(
    request: Request,
    actor: Editor,
    store: StoreDep,
    file: Upload,
    source: SourceField = "",
    kind: KindField = SourceKind.DATABASE,
    searched: SearchedField = "",
) -> Response:
    """Start the import in the background and show its progress (htmx polls the job)."""
    searched_date(searched, "Date searched")  # refused before the upload is saved
    path = await save_upload(
        file,
        config_of(request).max_upload_bytes,
        spool_of(request),
        "; import it with `realist import`",
    )
    jobs: ImportJobs = request.app.state.jobs
    job = jobs.start(
        path.name,
        actor.key,
        path,
        lambda progress: _import(store, path, source, kind, searched, actor.key, progress),
    )
    if not is_htmx(request):
        return RedirectResponse(f"/records/import/{job.id}", status_code=303)
    return render(request, "records/_job.html", {"job": _status(job)})


def _job(request: Request, job_id: str) -> ImportJob:
    jobs: ImportJobs = request.app.state.jobs
    job = jobs.get(job_id)
    if job is None:
        raise NotFound(f"no import {job_id} (the server may have restarted; check the records)")
    return job


@router.get("/records/import/{job_id}", include_in_schema=False)
def import_job_page(request: Request, _: Reader, job_id: str) -> Response:
    job = _status(_job(request, job_id))
    if is_htmx(request):
        return render(request, "records/_job.html", {"job": job})
    return render(request, "records/import.html", {"kinds": list(SourceKind), "job": job})


@router.get("/api/records/import/{job_id}", tags=["records"])
def import_job_api(request: Request, _: Reader, job_id: str) -> ImportStatus:
    """The progress (records read so far) and, once done, the result of an upload."""
    return _status(_job(request, job_id))


@router.post("/api/records/import", tags=["records"])
async def import_api(
    request: Request,
    actor: Editor,
    store: StoreDep,
    file: Upload,
    source: SourceField = "",
    kind: KindField = SourceKind.DATABASE,
    searched: SearchedField = "",
) -> ImportResult:
    """Import one file as one batch and wait for it: all its records or none; bad records
    become problems (``file:line: reason``) and the good ones are kept. ``searched`` is
    YYYY-MM-DD or YYYY-MM."""
    searched_date(searched, "searched")
    path = await save_upload(
        file,
        config_of(request).max_upload_bytes,
        spool_of(request),
        "; import it with `realist import`",
    )
    result = await run_in_threadpool(_import, store, path, source, kind, searched, actor.key)
    return _result(result)
