"""Reports: every report of ``realist report`` and every ``realist export``, one click each.

Downloads go through the same calls as the commands: ``services.reporting.render_report``
(the list of reports and their formats is ``reports.kinds.KINDS``) and the export functions
of ``services.interchange``, which write a file; the route sends that file and removes it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from realist.errors import NotFound
from realist.reports.kinds import KINDS, Options
from realist.services import interchange
from realist.services.reporting import render_report
from realist.web.auth import Reader, StoreDep
from realist.web.templating import render

router = APIRouter()

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ris": "application/x-research-info-systems",
    "qdpx": "application/zip",
    "zip": "application/zip",
}
SUFFIXES = {"text": "txt"}  # a format whose file suffix is not its name
FORMAT_LABELS = {
    "html": "HTML", "md": "Markdown", "text": "Text", "json": "JSON", "csv": "CSV",
    "svg": "SVG", "png": "PNG", "docx": "Word", "xlsx": "Excel", "ris": "RIS",
    "qdpx": "QDPX", "zip": "ZIP",
}  # fmt: skip
TITLES = {
    "model": "Final theoretical model",
    "cmo-tables": "CMO tables",
    "interventions": "Interventions (Table 2)",
    "intervention-summary": "Intervention summary",
    "eligibility": "Eligibility criteria (Table 1)",
    "mmat": "MMAT appraisal",
    "prisma": "PRISMA 2020 flow diagram",
    "rameses": "RAMESES checklist",
    "evidence-matrix": "Evidence matrix",
    "network": "Configuration network",
    "review": "The whole review",
}
WHOLE_REVIEW = "review"
By = Literal["interventions", "documents"]


class Download(BaseModel):
    """One file to download: its format and the URL that sends it."""

    format: str
    label: str
    href: str


class ReportItem(BaseModel):
    """A report (``realist report KIND``) or an export (``realist export NAME``)."""

    key: str
    title: str
    summary: str
    command: str
    downloads: list[Download]


class Figure(BaseModel):
    title: str
    src: str = Field(description="the SVG the page shows (sent to be shown, not saved)")
    alt: str
    downloads: list[Download]


class ReportsPage(BaseModel):
    """Every report and export of the review, each with its downloads."""

    review: ReportItem = Field(description="the whole-review report: open it first")
    reports: list[ReportItem]
    exports: list[ReportItem]
    figures: list[Figure]


def report_href(kind: str, fmt: str, by: str = "interventions", inline: bool = False) -> str:
    query = [*(["by=documents"] if by == "documents" else []), *(["inline=true"] if inline else [])]
    return f"/api/reports/{kind}.{fmt}" + ("?" + "&".join(query) if query else "")


def _report(kind: str, by: str = "interventions") -> ReportItem:
    entry = KINDS[kind]
    suffix = " by document" if by == "documents" else ""
    option = " --by documents" if by == "documents" else ""
    return ReportItem(
        key=kind + ("-by-documents" if by == "documents" else ""),
        title=TITLES.get(kind, kind.replace("-", " ").capitalize()) + suffix,
        summary=entry.summary[:1].upper() + entry.summary[1:] + ".",
        command=f"realist report {kind}{option}",
        downloads=[
            Download(format=f, label=FORMAT_LABELS.get(f, f.upper()), href=report_href(kind, f, by))
            for f in entry.formats
        ],
    )


def _exports() -> list[ReportItem]:
    def download(fmt: str, href: str) -> Download:
        return Download(format=fmt, label=FORMAT_LABELS[fmt], href=href)

    records = [download(f, f"/api/exports/records.{f}") for f in interchange.RECORD_FORMATS]
    decided = [
        download(f, f"/api/exports/records.{f}?with_decisions=true")
        for f in interchange.RECORD_FORMATS
    ]
    return [
        ReportItem(key="records", title="Records",
                   summary="Every record with its source and duplicate status, for EndNote, "
                           "Zotero, Covidence or Rayyan.",
                   command="realist export records", downloads=records),
        ReportItem(key="records-with-decisions", title="Records with screening decisions",
                   summary="The same, with each stage's outcome, every reviewer's vote and "
                           "the exclusion reason.",
                   command="realist export records --with-decisions", downloads=decided),
        ReportItem(key="qdpx", title="REFI-QDA project",
                   summary="The codebook, texts, excerpts and codings for NVivo, ATLAS.ti, "
                           "MAXQDA or QualCoder.",
                   command="realist export qdpx", downloads=[
                       download("qdpx", "/api/exports/review.qdpx")]),
        ReportItem(key="archive", title="Whole-review archive",
                   summary="Every table and stored file in one zip; realist import archive "
                           "restores it, identical, into a new store.",
                   command="realist export archive", downloads=[
                       download("zip", "/api/exports/review.realist.zip")]),
        ReportItem(key="prisma-csv", title="PRISMA 2020 counts",
                   summary="The counts as the PRISMA2020 R package's CSV.",
                   command="realist export prisma-csv", downloads=[
                       download("csv", "/api/exports/prisma.csv")]),
    ]  # fmt: skip


def reports_data() -> ReportsPage:
    """The list of reports and exports (the files are made when they are downloaded)."""
    reports = []
    for kind in KINDS:
        if kind == WHOLE_REVIEW:
            continue
        reports.append(_report(kind))
        if kind == "evidence-matrix":
            reports.append(_report(kind, "documents"))
    return ReportsPage(
        review=_report(WHOLE_REVIEW),
        reports=reports,
        exports=_exports(),
        figures=[
            Figure(title="Evidence matrix", src=report_href("evidence-matrix", "svg", inline=True),
                   alt="Heat map of configurations (rows, grouped by topic) against "
                       "interventions (columns): each cell counts the excerpts that link them.",
                   downloads=_report("evidence-matrix").downloads[:2]),
            Figure(title="Configuration network", src=report_href("network", "svg", inline=True),
                   alt="Network of contexts, configurations, mechanisms and outcomes, "
                       "coloured by topic.",
                   downloads=_report("network").downloads),
        ],
    )  # fmt: skip


@router.get("/reports", include_in_schema=False)
def reports_page(request: Request, _: Reader) -> Response:
    return render(request, "reports/index.html", {"page": reports_data()})


@router.get("/api/reports", tags=["reports"])
def reports_api(_: Reader) -> ReportsPage:
    """Every report and export, each with the URL of each format it comes in."""
    return reports_data()


def _disposition(filename: str, inline: bool = False) -> dict[str, str]:
    how = "inline" if inline else "attachment"
    return {"Content-Disposition": f'{how}; filename="{filename}"', "Cache-Control": "no-store"}


@router.get(
    "/api/reports/{kind}.{fmt}",
    tags=["reports"],
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in ("html", "docx", "png")}}},
)
def report_download(
    _: Reader,
    store: StoreDep,
    kind: str,
    fmt: str,
    by: Annotated[By, Query(description="evidence-matrix: columns")] = "interventions",
    inline: Annotated[bool, Query(description="to be shown in the browser, not saved")] = False,
) -> Response:
    """One report in one format, as a file (``realist report KIND --format FMT``)."""
    if kind not in KINDS:
        raise NotFound(f"no report '{kind}' (reports: {', '.join(KINDS)})")
    if fmt not in KINDS[kind].formats:
        raise NotFound(f"'{kind}' comes as {', '.join(KINDS[kind].formats)}, not {fmt}")
    rendered = render_report(store, kind, fmt, Options(by=by))
    name = kind + ("-by-documents" if by == "documents" and kind == "evidence-matrix" else "")
    return Response(
        rendered.content,
        media_type=MEDIA_TYPES[fmt],
        headers=_disposition(f"{name}.{SUFFIXES.get(fmt, fmt)}", inline),
    )


# --- exports ------------------------------------------------------------------------------


def _exported(
    filename: str, media_type: str, write: Callable[[Path], interchange.Exported]
) -> Response:
    """Run an export into a temporary folder and send the file (removed once sent)."""
    folder = Path(tempfile.mkdtemp(prefix="realist-export-"))
    try:
        done = write(folder / filename)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        done.path,
        media_type=media_type,
        filename=filename,
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _file(fmt: str) -> dict[int | str, dict[str, object]]:
    return {200: {"content": {MEDIA_TYPES[fmt]: {}}}}


@router.get(
    "/api/exports/records.{fmt}", tags=["reports"], response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[f]: {} for f in ("ris", "csv", "xlsx")}}},
)  # fmt: skip
def export_records(
    actor: Reader,
    store: StoreDep,
    fmt: Literal["ris", "csv", "xlsx"],
    with_decisions: Annotated[bool, Query(description="add screening decisions")] = False,
) -> Response:
    """Every record as RIS, CSV or XLSX (``realist export records``); decisions as you may
    see them (dual screening: none on a record you have not decided and fewer than two
    reviewers have)."""
    name = f"records{'-with-decisions' if with_decisions else ''}.{fmt}"
    return _exported(
        name,
        MEDIA_TYPES[fmt],
        lambda path: interchange.export_records(store, path, fmt, with_decisions, actor.key),
    )


@router.get("/api/exports/review.qdpx", tags=["reports"], response_class=Response,
            responses=_file("qdpx"))  # fmt: skip
def export_qdpx(_: Reader, store: StoreDep) -> Response:
    """The review as a REFI-QDA project (``realist export qdpx``)."""
    return _exported("review.qdpx", MEDIA_TYPES["qdpx"],
                     lambda path: interchange.export_qdpx(store, path))  # fmt: skip


@router.get("/api/exports/review.realist.zip", tags=["reports"], response_class=Response,
            responses=_file("zip"))  # fmt: skip
def export_archive(actor: Reader, store: StoreDep) -> Response:
    """The whole review as one archive (``realist export archive``); no accounts in it.
    While dual screening still blinds a vote, only an owner may download it (403)."""
    return _exported("review.realist.zip", MEDIA_TYPES["zip"],
                     lambda path: interchange.export_archive(store, path, actor.key))  # fmt: skip


@router.get("/api/exports/prisma.csv", tags=["reports"], response_class=Response,
            responses=_file("csv"))  # fmt: skip
def export_prisma_csv(_: Reader, store: StoreDep) -> Response:
    """The PRISMA 2020 counts as the PRISMA2020 R package's CSV (``realist export
    prisma-csv``)."""
    return _exported("prisma.csv", MEDIA_TYPES["csv"],
                     lambda path: interchange.export_prisma_csv(store, path))  # fmt: skip
