"""The duplicate review queue: likely pairs side by side, merges that can be undone."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.bibliography import source_reference
from realist.domain.records import DuplicateGroup, DuplicateStatus, Record
from realist.reports.wording import counted
from realist.services import dedup, records
from realist.store import Store
from realist.web.auth import Editor, Reader, StoreDep
from realist.web.params import Id
from realist.web.templating import is_htmx, render

router = APIRouter()
MERGED_SHOWN = 50
COMPARED = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


class PairRecord(BaseModel):
    id: int
    title: str
    authors: list[str]
    year: int | None
    journal: str
    volume: str
    issue: str
    pages: str
    doi: str
    pmid: str
    abstract: str
    source: str = ""  # journal year;volume(issue):pages, as a reference prints it


class Pair(BaseModel):
    """Two records that may be the same work; ``differs`` names the fields that disagree;
    ``kept_apart``: an erratum, reply or comment and its article, queued because the
    setting dedup_merge_errata is off."""

    group_id: int
    score: float
    reason: str
    first: PairRecord
    second: PairRecord
    differs: list[str]
    kept_apart: bool = False


class GroupMember(BaseModel):
    id: int
    title: str


class MergedGroup(BaseModel):
    group_id: int
    keeper_id: int
    member_ids: list[int]
    confidence: float
    reason: str
    keeper: GroupMember
    members: list[GroupMember]  # the records merged into the keeper, with their titles


class DuplicatesPage(BaseModel):
    queue: list[Pair]
    merged: list[MergedGroup]
    message: str = ""
    separated: list[MergedGroup] = []  # pairs a person said differ (undo: back to the queue)
    errata: str = ""  # what the setting dedup_merge_errata does to the queue, when it matters


def _record(r: Record) -> PairRecord:
    assert r.id is not None
    return PairRecord(
        id=r.id,
        title=r.title,
        authors=r.authors,
        year=r.year,
        journal=r.journal,
        volume=r.volume,
        issue=r.issue,
        pages=r.pages,
        doi=r.doi,
        pmid=r.pmid,
        abstract=r.abstract,
        source=source_reference(r.journal, r.year, r.volume, r.issue, r.pages),
    )


def duplicates_data(store: Store, message: str = "") -> DuplicatesPage:
    queue = []
    for p in dedup.review_queue(store):
        a, b = _record(p.first), _record(p.second)
        differs = [f for f in COMPARED if getattr(a, f) != getattr(b, f)]
        queue.append(
            Pair(
                group_id=p.group_id,
                score=p.score,
                reason=p.reason,
                first=a,
                second=b,
                differs=differs,
                kept_apart=p.kept_apart,
            )
        )
    groups = list(reversed(dedup.list_groups(store, DuplicateStatus.MERGED)[-MERGED_SHOWN:]))
    apart = [g for g in dedup.list_groups(store, DuplicateStatus.REJECTED) if g.by_hand]
    apart = list(reversed(apart[-MERGED_SHOWN:]))
    shown = records.get_records(
        store, [i for g in (*groups, *apart) for i in (g.keeper_id, *g.member_ids)]
    )

    def member(record_id: int) -> GroupMember:
        found = shown.get(record_id)
        return GroupMember(id=record_id, title=found.title if found else "")

    def listed(g: DuplicateGroup) -> MergedGroup:
        return MergedGroup(
            group_id=g.id or 0,
            keeper_id=g.keeper_id,
            member_ids=g.member_ids,
            confidence=g.confidence,
            reason=g.reason,
            keeper=member(g.keeper_id),
            members=[member(i) for i in g.member_ids if i != g.keeper_id],
        )

    return DuplicatesPage(
        queue=queue,
        merged=[listed(g) for g in groups],
        message=message,
        separated=[listed(g) for g in apart],
        errata=dedup.errata_note(dedup.merge_errata_setting(), sum(p.kept_apart for p in queue)),
    )


def _answer(request: Request, store: Store, message: str) -> Response:
    if not is_htmx(request):
        return RedirectResponse("/records/duplicates", status_code=303)
    return render(request, "records/_duplicates.html", {"page": duplicates_data(store, message)})


@router.get("/records/duplicates", include_in_schema=False)
def duplicates_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(request, "records/duplicates.html", {"page": duplicates_data(store)})


@router.post("/records/duplicates/run", include_in_schema=False)
def run_page(request: Request, actor: Editor, store: StoreDep) -> Response:
    run = dedup.deduplicate(store, actor.key)
    return _answer(request, store, _ran(run))


def _ran(run: dedup.DedupRun) -> str:
    answered = (
        f" {counted(run.answered, 'queued pair')} merged now, off the queue."
        if run.answered
        else ""
    )
    return (
        f"Looked at {counted(run.considered, 'record')}: merged "
        f"{counted(run.merged_records, 'duplicate')} in {counted(run.merged_groups, 'group')}, "
        f"{counted(run.queued_pairs, 'new pair')} to review.{answered}"
    )


@router.post("/records/duplicates/merge", include_in_schema=False)
def merge_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    keep: Annotated[Id, Form()],
    duplicate: Annotated[Id, Form()],
) -> Response:
    group = dedup.merge_records(store, keep, duplicate, actor.key)
    return _answer(request, store, f"Record {duplicate} merged into record {keep} (group {group}).")


@router.post("/records/duplicates/{group_id}", include_in_schema=False)
def decide_page(
    request: Request,
    actor: Editor,
    store: StoreDep,
    group_id: Id,
    same: Annotated[Literal["yes", "no"], Form()],
) -> Response:
    dedup.decide_pair(store, group_id, same == "yes", actor.key)
    verdict = "merged" if same == "yes" else "kept apart"
    return _answer(request, store, f"Pair {group_id}: {verdict}.")


@router.post("/records/duplicates/{group_id}/undo", include_in_schema=False)
def undo_page(request: Request, actor: Editor, store: StoreDep, group_id: Id) -> Response:
    restored = dedup.undo_merge(store, group_id, actor.key)
    listed = ", ".join(str(r) for r in restored)
    done = f"record {listed} stands again" if restored else "the pair waits in the queue again"
    return _answer(request, store, f"Group {group_id} undone: {done}.")


class PairDecision(BaseModel):
    same: bool


class HandMerge(BaseModel):
    keep: Id
    duplicate: Id


class DedupRun(BaseModel):
    considered: int
    merged_groups: int
    merged_records: int
    queued_pairs: int
    merge_errata: bool  # the setting dedup_merge_errata as the run read it
    kept_apart: int  # queued pairs the setting kept apart (an erratum and its article, ...)
    answered: int  # pairs that waited in the queue and are merged now


@router.get("/api/duplicates", tags=["records"])
def duplicates_api(_: Reader, store: StoreDep) -> DuplicatesPage:
    """Pairs waiting for a person (likeliest first) and the latest merges."""
    return duplicates_data(store)


@router.post("/api/duplicates/run", tags=["records"])
def run_api(actor: Editor, store: StoreDep) -> DedupRun:
    """Find duplicates: certain groups are merged, uncertain pairs queued."""
    run = dedup.deduplicate(store, actor.key)
    return DedupRun(
        considered=run.considered,
        merged_groups=run.merged_groups,
        merged_records=run.merged_records,
        queued_pairs=run.queued_pairs,
        merge_errata=run.merge_errata,
        kept_apart=run.kept_apart,
        answered=run.answered,
    )


@router.post("/api/duplicates/merge", tags=["records"])
def merge_api(actor: Editor, store: StoreDep, body: HandMerge) -> DuplicatesPage:
    """Merge two records the algorithm missed: ``duplicate`` into ``keep`` (undoable)."""
    group = dedup.merge_records(store, body.keep, body.duplicate, actor.key)
    return duplicates_data(store, f"Record {body.duplicate} merged into {body.keep} ({group}).")


@router.post("/api/duplicates/{group_id}", tags=["records"])
def decide_api(actor: Editor, store: StoreDep, group_id: Id, body: PairDecision) -> DuplicatesPage:
    """Same work (merge) or different works (never proposed again)."""
    dedup.decide_pair(store, group_id, body.same, actor.key)
    return duplicates_data(store)


@router.post("/api/duplicates/{group_id}/undo", tags=["records"])
def undo_api(actor: Editor, store: StoreDep, group_id: Id) -> DuplicatesPage:
    """Undo a merge (its records stand again) or a decision on a pair. A group a person
    decided goes back to the queue; an automatic merge undone is marked as different works."""
    dedup.undo_merge(store, group_id, actor.key)
    return duplicates_data(store)
