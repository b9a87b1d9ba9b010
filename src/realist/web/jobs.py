"""Imports that run beside the request, so the page can show progress while they work.

An upload is saved to a temporary file, then ``services.imports.import_file`` runs in a
thread; the page polls the job (htmx, every half second) until it is done. Jobs live in
memory: a restarted server forgets them, but never their effect, which is in the store.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from realist.errors import RealistError
from realist.services.imports import FileImport
from realist.web.uploads import discard

KEEP_FINISHED = 50  # how many finished jobs stay visible


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
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class ImportJobs:
    """The server's import jobs, by id."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, ImportJob] = OrderedDict()
        self._lock = threading.Lock()

    def start(
        self,
        filename: str,
        reviewer: str,
        path: Path,
        work: Callable[[Callable[[int], None]], FileImport],
    ) -> ImportJob:
        """Run ``work(progress)`` in a thread; ``path`` (and its folder) is deleted when it ends."""
        job = ImportJob(secrets.token_urlsafe(12), filename, reviewer)
        with self._lock:
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.done]
            for key in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[key]

        def progress(count: int) -> None:
            job.records = count

        def run() -> None:
            try:
                job.result = work(progress)
            except RealistError as error:
                job.error = str(error)
            except Exception as error:  # a bug must still end the job, not hang the page
                job.error = f"the import failed unexpectedly ({type(error).__name__})"
                raise
            finally:
                discard(path)  # the upload and its spool folder
                job.done = True

        threading.Thread(target=run, name=f"import-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(job_id)
