"""Making Office files (DOCX, XLSX) byte-for-byte reproducible.

Both are zip packages. python-docx and openpyxl stamp the zip entries with the current
time and write "created"/"modified" into ``docProps/core.xml``, so two renderings of the same
review would differ. Reviewers keep reports under version control, so we pin both: the
document's timestamps are *the time of the review's last recorded change* (its last event),
which is true, and the same for the same data; a review with no events gets
:data:`EPOCH`. The zip is then rewritten with entries in their original order, each stamped
with that time, with fixed permissions and compression.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

__all__ = ["EPOCH", "pinned_zip", "stamp"]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""The timestamp of a review without recorded changes."""


def stamp(when: datetime | None) -> datetime:
    """The timestamp a file is given: ``when`` in UTC to the second, or :data:`EPOCH`."""
    moment = (when or EPOCH).astimezone(UTC).replace(microsecond=0)
    # Zip timestamps cannot go before 1980; a stray date must not break the export.
    return max(moment, datetime(1980, 1, 1, tzinfo=UTC))


def pinned_zip(data: bytes, when: datetime | None) -> bytes:
    """The zip ``data`` rewritten so that it depends only on its contents and ``when``."""
    moment = stamp(when)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=moment.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # the same on every operating system
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
