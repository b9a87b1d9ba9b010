"""Web import jobs in the database, where every server process sees them.

An upload is imported by a thread of the server process that received it, but the page
that follows its progress may be served by any process (``realist serve --workers N``,
or several hosts behind a proxy). So a job's progress and result live in ``import_job``,
and a job whose process died is marked failed: when it is asked for, and when a server
process starts (:func:`fail_orphaned_jobs`). Only the job's state is here; what it
imported is in the review (:mod:`realist.services.imports`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.store import Store
from realist.store.events import now
from realist.store.processes import is_gone, this_process
from realist.store.schema import JobState, import_job

KEEP_FINISHED = 50  # how many finished jobs stay visible
ORPHANED = (
    "the server process running this import stopped before it finished: the import is "
    "either complete (see the import batches) or left nothing; import the file again if "
    "it is not there"
)


@dataclass(frozen=True)
class JobStatus:
    """One upload being imported (or imported): progress, then its result or error."""

    id: str
    filename: str
    reviewer: str
    state: JobState
    records: int
    result: dict[str, Any] | None
    error: str

    @property
    def done(self) -> bool:
        return self.state is not JobState.RUNNING


def start_job(store: Store, filename: str, reviewer: str) -> str:
    """A new running job owned by this process; its unguessable id. The oldest finished
    jobs beyond :data:`KEEP_FINISHED` are forgotten."""
    job_id = secrets.token_urlsafe(12)
    at = now()
    with store.transaction() as connection:
        connection.execute(
            import_job.insert().values(
                id=job_id,
                filename=filename,
                reviewer=reviewer,
                state=JobState.RUNNING,
                records=0,
                error="",
                owner=this_process(),
                created_at=at,
                heartbeat_at=at,
            )
        )
        finished = (
            sa.select(import_job.c.id)
            .where(import_job.c.state != JobState.RUNNING)
            .order_by(import_job.c.created_at.desc(), import_job.c.id)
            .offset(KEEP_FINISHED)
        )
        connection.execute(import_job.delete().where(import_job.c.id.in_(finished)))
    return job_id


def _running(job_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(import_job.c.id == job_id, import_job.c.state == JobState.RUNNING)


def job_progress(store: Store, job_id: str, records: int) -> None:
    """Records read so far (also this process's sign of life)."""
    with store.transaction() as connection:
        connection.execute(
            import_job.update().where(_running(job_id)).values(records=records, heartbeat_at=now())
        )


def finish_job(store: Store, job_id: str, records: int, result: dict[str, Any]) -> None:
    """The job's result (a plain JSON object, as the web shows it)."""
    with store.transaction() as connection:
        connection.execute(
            import_job.update()
            .where(_running(job_id))
            .values(state=JobState.DONE, records=records, result=result, heartbeat_at=now())
        )


def fail_job(store: Store, job_id: str, error: str) -> None:
    """The job ended without importing: ``error`` says why."""
    with store.transaction() as connection:
        _fail(connection, job_id, error)


def _fail(connection: Connection, job_id: str, error: str) -> None:
    connection.execute(
        import_job.update()
        .where(_running(job_id))
        .values(state=JobState.FAILED, error=error, heartbeat_at=now())
    )


def get_job(store: Store, job_id: str) -> JobStatus | None:
    """The job, or None; a running job whose process has gone is marked failed first."""
    with store.reading() as connection:
        row = connection.execute(sa.select(import_job).where(import_job.c.id == job_id)).first()
    if row is None:
        return None
    if row.state == JobState.RUNNING and is_gone(row.owner, row.heartbeat_at):
        with store.transaction() as connection:
            _fail(connection, job_id, ORPHANED)
        return get_job(store, job_id)
    return JobStatus(
        row.id,
        row.filename,
        row.reviewer,
        JobState(row.state),
        row.records,
        row.result,
        row.error,
    )


def fail_orphaned_jobs(store: Store) -> int:
    """Mark failed every running job whose process has gone (a server process starting
    up calls this); how many."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(import_job.c.id, import_job.c.owner, import_job.c.heartbeat_at).where(
                import_job.c.state == JobState.RUNNING
            )
        ).all()
    gone = [r.id for r in rows if is_gone(r.owner, r.heartbeat_at)]
    if gone:
        with store.transaction() as connection:
            for job_id in gone:
                _fail(connection, job_id, ORPHANED)
    return len(gone)
