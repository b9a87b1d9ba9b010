"""Uploaded files: saved under a harmless name in a temporary folder, within a size limit.

Imports and attached documents both arrive as uploads; the services read files from disk,
so an upload is written out first (in 1 MB pieces, never whole in memory) and removed,
with its folder, once the service has read it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from fastapi import UploadFile

from realist.errors import InvalidInput


def safe_name(name: str | None) -> str:
    """The upload's own file name (its suffix says the format; it names an import batch),
    harmless as a file name: no folders, no characters a shell or a file system minds."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ()+]", "_", base).strip(". ") or "upload"
    return base[-120:]


async def save_upload(upload: UploadFile, limit: int, too_large: str = "") -> Path:
    """Write ``upload`` to a new temporary folder; InvalidInput (and nothing left on disk)
    when it is larger than ``limit`` bytes. ``too_large`` is added to that message."""
    folder = Path(tempfile.mkdtemp(prefix="realist-upload-"))
    path = folder / safe_name(upload.filename)
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        discard(path)
        raise InvalidInput(
            f"{path.name}: larger than the upload limit of {limit >> 20} MB{too_large}"
        )
    return path


def discard(path: Path) -> None:
    """Remove a saved upload and its temporary folder."""
    shutil.rmtree(path.parent, ignore_errors=True)
