"""Uploaded files: saved under a harmless name in the review's spool folder, within a limit.

Imports and attached documents both arrive as uploads; the services read files from disk,
so an upload is written out first (in 1 MB pieces, never whole in memory) and removed,
with its folder, once the service has read it, or as soon as anything fails.

The spool belongs to the review (``<review>.spool`` beside a SQLite review; for PostgreSQL a
folder under ``~/.cache/realist/spool`` named after the database; ``$REALIST_SPOOL_DIR``
overrides both), not to the system's /tmp: a server killed during an import left its upload
in /tmp, which nothing cleaned. Each upload has its own folder named after the server
process; :func:`clean_spool` (run when the web app starts) removes the folders of processes
that no longer run, so a killed import leaves nothing behind after a restart, while other
server processes on the same review keep their uploads.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from fastapi import UploadFile
from starlette.requests import Request

from realist.errors import InvalidInput
from realist.settings import setting
from realist.store.connect import resolve_url


def safe_name(name: str | None) -> str:
    """The upload's own file name (its suffix says the format; it names an import batch),
    harmless as a file name: no folders, no characters a shell or a file system minds."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()+]", "_", base).strip(". ") or "upload"
    return base[-120:]


def spool_folder(target: str) -> Path:
    """Where uploads to the review at ``target`` wait while a service reads them."""
    chosen = setting("spool_dir")
    if chosen:
        return Path(chosen).expanduser()
    url = resolve_url(target)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        review = Path(url.database)
        return review.with_name(review.name + ".spool")
    # One folder per database (host, port, name), never the password.
    where = sa.URL.create(
        url.drivername, host=url.host, port=url.port, database=url.database
    ).render_as_string()
    digest = hashlib.sha256(where.encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "realist" / "spool" / digest


def clean_spool(spool: Path) -> int:
    """Remove the upload folders of server processes that no longer run (a killed import's);
    how many were removed."""
    if not spool.is_dir():
        return 0
    removed = 0
    for folder in spool.iterdir():
        pid = folder.name.split("-", 1)[0]
        if folder.is_dir() and (not pid.isdigit() or not _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours to clean
        return True
    return True


async def save_upload(upload: UploadFile, limit: int, spool: Path, too_large: str = "") -> Path:
    """Write ``upload`` to a new folder in ``spool``; InvalidInput (and nothing left on
    disk) when it is larger than ``limit`` bytes. ``too_large`` is added to that message."""
    spool.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=spool))
    path = folder / safe_name(upload.filename)
    size = 0
    try:
        with path.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    break
                out.write(chunk)
    except BaseException:  # a dropped connection or a cancelled request: nothing stays
        discard(path)
        raise
    if size > limit:
        discard(path)
        raise InvalidInput(
            f"{path.name}: larger than the upload limit of {limit >> 20} MB{too_large}"
        )
    return path


def discard(path: Path) -> None:
    """Remove a saved upload and its folder."""
    shutil.rmtree(path.parent, ignore_errors=True)


def spool_of(request: Request) -> Path:
    """The spool folder of the app serving ``request`` (made by the app factory)."""
    spool = request.app.state.spool
    assert isinstance(spool, Path)
    return spool
