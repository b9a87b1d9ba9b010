"""Zip files: read untrusted ones within limits, write deterministic ones.

Reading never extracts to disk: members are read into memory by name, so a hostile member
name cannot write anywhere. Names are still checked (no absolute paths, no ``..``, no
backslashes or drive letters), because a name that would escape a folder is a sign of a
crafted file, and because another tool may extract the same file later.

Sizes are checked twice: the sizes the central directory declares (a zip bomb declares
them honestly or fails its CRC check when read), and the bytes actually read, in chunks.
This is the one guard for every archive-based format, whether read here or by another
library (DOCX through python-docx checks its package with :class:`ZipReader` first): the
count of members, each member's size and compression ratio, and the whole archive's size
and ratio. The ratio limits refuse a bomb from its central directory alone, before one
byte is unpacked (a 340 KB DOCX whose document.xml unpacked to 100 MB used to take 18 s
and 1.4 GB); ``zipfile`` never unpacks more than a member declares, so the declared sizes
bound the memory a reader uses, and :meth:`ZipReader.read` counts what it unpacks across
all members (one reader per request: a memory cap per request).

Writing fixes everything that would otherwise vary between two runs on the same data:
member order, timestamps (1980-01-01, the earliest a zip can hold), permissions, the
creating system and the compression level.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from realist.errors import InvalidInput

__all__ = ["DOCX_LIMITS", "ZipLimits", "ZipReader", "deterministic_zip", "rezip_deterministic"]

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """How much an untrusted zip may hold before it is refused."""

    max_entries: int = 100_000
    max_entry_bytes: int = 1 << 30  # one member, uncompressed
    max_total_bytes: int = 8 << 30  # all members, uncompressed
    max_ratio: int = 200  # uncompressed / compressed, for members (and archives) over 1 MiB
    max_markup_bytes: int | None = None  # one XML member (.xml, .rels), when parsed whole


DOCX_LIMITS = ZipLimits(
    max_entries=10_000,
    # python-docx holds every part in memory and parses XML whole: a tree many times the
    # size of its text (a 16 MB document.xml of short paragraphs grew the process by about
    # 190 MB, a 10 MB one by 125 MB). So an XML part is at most 10 MB unpacked (a real
    # article's document.xml: 0.5-3 MB), any part 64 MB (a figure), the package 128 MB,
    # compressed at most 100 times (a real document.xml: 5-20 times).
    max_entry_bytes=64 << 20,
    max_total_bytes=128 << 20,
    max_ratio=100,
    max_markup_bytes=10 << 20,
)
"""The limits of a Word document (and of any zip whose kind is found by its content)."""


def _check_name(name: str, where: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or _DRIVE.match(name)
        or any(part in ("..", ".") for part in parts)
    ):
        raise InvalidInput(f"{where}: unsafe member name {name!r} (absolute or outside the file)")


class ZipReader:
    """An untrusted zip opened for reading; every member was checked when it was opened.

    Use as a context manager. ``names`` lists the files (folders are left out).
    """

    def __init__(self, path: Path | bytes, limits: ZipLimits | None = None, name: str = "") -> None:
        """Open ``path`` (a file, or the bytes of one called ``name``) and check it."""
        self.limits = limits or ZipLimits()
        self.path = Path(name or "archive") if isinstance(path, bytes) else path
        try:
            if isinstance(path, bytes):
                self._packed = len(path)
                self._zip = zipfile.ZipFile(io.BytesIO(path))
            else:
                self._packed = path.stat().st_size
                self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise InvalidInput(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise InvalidInput(f"{self.path}: is a folder, not a file") from None
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise InvalidInput(f"{self.path}: not a readable zip file ({error})") from None
        try:
            self._infos = self._check()
        except BaseException:
            self._zip.close()
            raise
        self._read_total = 0

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        limits = self.limits
        if len(infos) > limits.max_entries:
            raise InvalidInput(
                f"{self.path}: {len(infos):,} members, more than {limits.max_entries:,}"
            )
        found: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            where = f"{self.path}: member {info.filename!r}"
            _check_name(info.filename, str(self.path))
            if info.flag_bits & 0x1:
                raise InvalidInput(f"{where} is encrypted")
            if info.is_dir():
                continue
            if info.filename in found:
                raise InvalidInput(f"{where} appears twice")
            if info.file_size > limits.max_entry_bytes:
                raise InvalidInput(
                    f"{where} unpacks to {info.file_size:,} bytes, more than the limit of "
                    f"{limits.max_entry_bytes:,}"
                )
            markup = info.filename.lower().endswith((".xml", ".rels"))
            if markup and limits.max_markup_bytes and info.file_size > limits.max_markup_bytes:
                raise InvalidInput(
                    f"{where} unpacks to {info.file_size:,} bytes of XML, more than the limit "
                    f"of {limits.max_markup_bytes:,}"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _CHUNK and ratio > limits.max_ratio:
                raise InvalidInput(f"{where} is compressed {ratio:,.0f} times (a zip bomb?)")
            total += info.file_size
            found[info.filename] = info
        if total > limits.max_total_bytes:
            raise InvalidInput(
                f"{self.path}: unpacks to {total:,} bytes, more than the limit of "
                f"{limits.max_total_bytes:,}"
            )
        ratio = total / max(self._packed, 1)
        if total > _CHUNK and ratio > limits.max_ratio:
            raise InvalidInput(f"{self.path}: is compressed {ratio:,.0f} times (a zip bomb?)")
        return found

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, name: str) -> str | None:
        """The member called ``name``, compared without case (tools differ: Sources/sources)."""
        if name in self._infos:
            return name
        wanted = name.lower()
        return next((n for n in self._infos if n.lower() == wanted), None)

    def read(self, name: str) -> bytes:
        """A member's bytes, counted as they are read so no member can exceed the limits."""
        info = self._infos.get(name)
        if info is None:
            raise InvalidInput(f"{self.path}: no member {name!r}")
        limits = self.limits
        out = io.BytesIO()
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    out.write(chunk)
                    self._read_total += len(chunk)
                    if out.tell() > limits.max_entry_bytes:
                        raise InvalidInput(f"{self.path}: member {name!r} is larger than declared")
                    if self._read_total > limits.max_total_bytes:
                        raise InvalidInput(f"{self.path}: unpacks to more than the limit")
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise InvalidInput(f"{self.path}: member {name!r} is damaged ({error})") from None
        return out.getvalue()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> ZipReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def deterministic_zip(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of ``members`` (name, bytes) in the order given, with fixed metadata, so the same
    members always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever system wrote it
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return buffer.getvalue()


def rezip_deterministic(data: bytes, replace: dict[str, bytes] | None = None) -> bytes:
    """Rewrite a zip written by another library (e.g. openpyxl) with fixed metadata, keeping
    its member order; ``replace`` swaps the bytes of named members."""
    replace = replace or {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [
            (info.filename, replace.get(info.filename, source.read(info)))
            for info in source.infolist()
        ]
    return deterministic_zip(members)
