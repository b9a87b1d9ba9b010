"""Import batches: each imported file with its source, and correcting them (move to
another source or correct the source's kind; delete with its records).

Form posts are answered with a redirect to ``/records/batches`` saying what was done
(a deletion, with a page that says what went and which records stand again); JSON under
``/api/batches``. The rules (what a deletion is refused for, what stands again) are
``services.batches``'.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.review import SourceKind
from realist.services import batches
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep
from realist.web.params import Id
from realist.web.templating import render

router = APIRouter()

SAVED = {"moved": "Batch moved: PRISMA counts its records under the new source."}


class BatchItem(BaseModel):
    id: int
    file: str
    source: str
    source_kind: SourceKind
    format: str
    searched: str | None
    records: int
    problems: int
    imported_at: str
    imported_by: str | None


class BatchesPage(BaseModel):
    batches: list[BatchItem]
    message: str = ""


class MoveIn(BaseModel):
    """The source it came from (new sources are made), and perhaps that source's kind."""

    source: str = Field(min_length=1, max_length=200)
    source_kind: SourceKind | None = None


class StoodUp(BaseModel):
    keeper: int = Field(description="a record that stands again in place of a deleted one")
    merged: list[int] = Field(description="records now merged into it")


class BatchRemoved(BaseModel):
    batch_id: int
    file: str
    source: str
    records: int
    decisions: int
    duplicate_groups_removed: int
    stood_up: list[StoodUp]
    source_removed: bool


def batches_data(store: Store, message: str = "") -> BatchesPage:
    return BatchesPage(
        batches=[
            BatchItem(
                id=b.id,
                file=b.filename,
                source=b.source,
                source_kind=b.source_kind,
                format=b.format,
                searched=b.searched,
                records=b.records,
                problems=b.problems,
                imported_at=b.imported_at,
                imported_by=b.imported_by,
            )
            for b in batches.list_batches(store)
        ],
        message=message,
    )


def _delete(store: Store, batch_id: int, who: str) -> BatchRemoved:
    done = batches.delete_batch(store, batch_id, who)
    return BatchRemoved(
        batch_id=done.batch_id,
        file=done.filename,
        source=done.source,
        records=done.records,
        decisions=done.decisions,
        duplicate_groups_removed=done.groups_removed,
        stood_up=[StoodUp(keeper=k, merged=m) for k, m in done.stood_up.items()],
        source_removed=done.source_removed,
    )


@router.get("/records/batches", include_in_schema=False)
def batches_page(request: Request, _: Reader, store: StoreDep, saved: str = "") -> Response:
    page = batches_data(store, SAVED.get(saved, ""))
    return render(request, "records/batches.html", {"page": page, "kinds": list(SourceKind)})


@router.post("/records/batches/{batch_id}/move", include_in_schema=False)
def move_form(
    actor: Editor,
    store: StoreDep,
    batch_id: Id,
    source: Annotated[str, Form(max_length=200)] = "",
    source_kind: Annotated[SourceKind | None, Form()] = None,
) -> Response:
    batches.move_batch(store, batch_id, source, actor.key, kind=source_kind)
    return RedirectResponse("/records/batches?saved=moved", status_code=303)


@router.post("/records/batches/{batch_id}/delete", include_in_schema=False)
def delete_form(request: Request, actor: Editor, store: StoreDep, batch_id: Id) -> Response:
    """Answered with a page that says what went and which records stand again."""
    done = _delete(store, batch_id, actor.key)
    return render(request, "records/batch_deleted.html", {"done": done})


@router.get("/api/batches", tags=["records"])
def batches_api(_: Reader, store: StoreDep) -> BatchesPage:
    """Every imported file: source, format, search date, records, problems, who and when."""
    return batches_data(store)


@router.patch("/api/batches/{batch_id}", tags=["records"])
def move_api(actor: Editor, store: StoreDep, batch_id: Id, body: MoveIn) -> BatchesPage:
    """Move a batch to another source, or correct its source's kind (when the source has
    no other batch); PRISMA counts follow."""
    batches.move_batch(store, batch_id, body.source, actor.key, kind=body.source_kind)
    return batches_data(store)


@router.delete("/api/batches/{batch_id}", tags=["records"])
def delete_api(actor: Editor, store: StoreDep, batch_id: Id) -> BatchRemoved:
    """Delete a batch with its records, their decisions and duplicate-group places;
    records of other batches merged into them stand again. Refused (400, naming them)
    while documents are attached to its records."""
    return _delete(store, batch_id, actor.key)
