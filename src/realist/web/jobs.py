"""Imports that run beside the request, so the page can show progress while they work.

An upload is saved to a temporary file, then ``services.imports.import_file`` runs in a
thread of the process that received it; the page polls the job (htmx, every half second)
until it is done. Jobs live in the database (``services.import_jobs``), so the poll may be
answered by any server process, and a job whose process died is reported as failed
instead of running for ever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realist.errors import RealistError, StoreBusy
from realist.importers.base import Problem
from realist.services import import_jobs
from realist.services.imports import FileImport
from realist.store import Store
from realist.web.uploads import discard

PROBLEMS_KEPT = 500  # problems a job's result keeps (the page shows them; all are counted)
PROGRESS_EVERY = 0.5  # seconds between progress writes: the page polls every half second


@dataclass
class ImportJob:
    """One file being imported by one reviewer."""

    id: str
    filename: str
    reviewer: str
    records: int = 0  # read so far (the progress counter)
    done: bool = False
    result: FileImport | None = None
    error: str = ""


def _as_json(result: FileImport) -> dict[str, Any]:
    return {
        "filename": result.filename,
        "format": result.format,
        "source": result.source,
        "imported": result.imported,
        "problems": [[p.filename, p.line, p.reason] for p in result.problems[:PROBLEMS_KEPT]],
        "problem_count": result.problem_count,
        "possible_duplicates": result.possible_duplicates,
        "prior_decisions": result.prior_decisions,
        "batch_id": result.batch_id,
        "skipped": result.skipped,
        "workers": result.workers,
    }


def _from_json(data: dict[str, Any]) -> FileImport:
    problems = [Problem(str(f), int(line), str(reason)) for f, line, reason in data["problems"]]
    return FileImport(**{**data, "problems": problems})


def _settle(write: Callable[[], None], tries: int = 5) -> None:
    """Write a job's end, trying again while the review is busy: a job left running by a
    live process would keep its page polling for ever."""
    for _ in range(tries - 1):
        try:
            write()
            return
        except StoreBusy:
            continue
    write()


class ImportJobs:
    """The review's import jobs, by id, as every server process sees them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._threads: list[threading.Thread] = []  # this process's, while they run

    def start(
        self,
        filename: str,
        reviewer: str,
        path: Path,
        work: Callable[[Callable[[int], None]], FileImport],
    ) -> ImportJob:
        """Run ``work(progress)`` in a thread; ``path`` (and its folder) is deleted when it ends."""
        store = self.store
        job = ImportJob(import_jobs.start_job(store, filename, reviewer), filename, reviewer)
        last = time.monotonic()

        def progress(count: int) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                import_jobs.job_progress(store, job.id, count)

        def run() -> None:
            try:
                result = work(progress)
            except RealistError as error:
                why = str(error)
                _settle(lambda: import_jobs.fail_job(store, job.id, why))
            except Exception as error:  # a bug must still end the job, not hang the page
                message = f"the import failed unexpectedly ({type(error).__name__})"
                _settle(lambda: import_jobs.fail_job(store, job.id, message))
                raise
            else:
                json = _as_json(result)
                _settle(lambda: import_jobs.finish_job(store, job.id, result.imported, json))
            finally:
                discard(path)  # the upload and its spool folder

        thread = threading.Thread(target=run, name=f"import-{job.id}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def wait(self, timeout: float) -> bool:
        """Wait until this process's imports have ended (a server stopping, a test ending
        before the review's database goes); False if some still run after ``timeout``
        seconds. An import cut off later is removed when the review is next opened."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)

    def get(self, job_id: str) -> ImportJob | None:
        found = import_jobs.get_job(self.store, job_id)
        if found is None:
            return None
        return ImportJob(
            found.id,
            found.filename,
            found.reviewer,
            records=found.records,
            done=found.done,
            result=_from_json(found.result) if found.result is not None else None,
            error=found.error,
        )
