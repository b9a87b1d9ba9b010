"""Reading a ``.qdpx`` file (REFI-QDA project) into a :class:`RefiProject`.

The file is untrusted. The zip is read within limits (:mod:`realist.interchange.zips`);
``project.qde`` is parsed by lxml without entity expansion, DTDs or network access, a
document that declares a DTD is refused (REFI-QDA has none), and the project must validate
against the REFI-QDA schema shipped in ``schema/``. Errors name the file and the line.

What cannot become a Realist document (pictures, audio, video, texts stored outside the
file) is listed in ``RefiProject.skipped`` rather than refused, so the rest still imports.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from realist.errors import InvalidInput
from realist.interchange.refi_model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    RefiUser,
)
from realist.interchange.refi_write import NAMESPACE
from realist.interchange.zips import ZipLimits, ZipReader

__all__ = ["SCHEMA_PATH", "parse_project", "read_qdpx", "schema"]

SCHEMA_PATH = Path(__file__).parent / "schema" / "Project-mrt2019.xsd"
_NS = f"{{{NAMESPACE}}}"


@functools.cache
def schema() -> Any:
    """The REFI-QDA project schema (QDA-XML 1.0, March 2019), parsed once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _parser()))


def _parser() -> Any:
    # No entity expansion (billion laughs), no DTD loading, no network (external entities).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )


def parse_project(data: bytes, where: str) -> Any:
    """Parse and validate ``project.qde``; returns the root element."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        raise InvalidInput(f"{where}:{line}: not well-formed XML ({error.msg})") from None
    if root.getroottree().docinfo.doctype:
        raise InvalidInput(f"{where}: declares a DTD, which a REFI-QDA project never has")
    checker = schema()
    if not checker.validate(root):
        first = next(iter(checker.error_log))
        raise InvalidInput(
            f"{where}:{first.line}: does not follow the REFI-QDA project schema ({first.message})"
        )
    return root


def _children(element: Any, tag: str) -> Iterator[Any]:
    yield from element.iterchildren(_NS + tag)


def _child_text(element: Any, tag: str) -> str:
    found = element.find(_NS + tag)
    return (found.text or "") if found is not None else ""


def _refs(element: Any) -> list[str]:
    return [ref.get("targetGUID") for ref in _children(element, "NoteRef")]


def _code(element: Any) -> RefiCode:
    return RefiCode(
        guid=element.get("guid"),
        name=element.get("name"),
        codable=element.get("isCodable") in ("true", "1"),
        description=_child_text(element, "Description"),
        note_refs=_refs(element),
        children=[_code(child) for child in _children(element, "Code")],
    )


def _coding(element: Any) -> RefiCoding:
    return RefiCoding(
        guid=element.get("guid"),
        code_guid=element.find(_NS + "CodeRef").get("targetGUID"),
        user_guid=element.get("creatingUser"),
        created=element.get("creationDateTime"),
        note_refs=_refs(element),
    )


def _selection(element: Any) -> RefiSelection:
    return RefiSelection(
        guid=element.get("guid"),
        start=int(element.get("startPosition")),
        end=int(element.get("endPosition")),
        name=element.get("name") or "",
        description=_child_text(element, "Description"),
        user_guid=element.get("creatingUser") or element.get("modifyingUser"),
        created=element.get("creationDateTime"),
        codings=[_coding(c) for c in _children(element, "Coding")],
        note_refs=_refs(element),
        line=element.sourceline or 0,
    )


def _decode(data: bytes) -> str | None:
    # A byte-order mark is not part of the text that positions count in: it is dropped.
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


class _Reader:
    def __init__(self, archive: ZipReader) -> None:
        self.archive = archive
        self.skipped: list[str] = []

    def text_of(self, element: Any, what: str) -> str | None:
        """The plain text of a TextSource-shaped element: inline, or an internal file."""
        content = element.find(_NS + "PlainTextContent")
        if content is not None:
            return content.text or ""
        path = element.get("plainTextPath") or ""
        if not path.startswith("internal://"):
            shown = path or "no plainTextPath"
            self.skipped.append(f"{what}: its text is not inside the file ({shown})")
            return None
        name = path[len("internal://") :]
        member = None
        if "/" not in name.strip("/") and ".." not in name and name:
            member = self.archive.find(f"sources/{name.strip('/')}")
        if member is None:
            self.skipped.append(f"{what}: {path} is missing from the file")
            return None
        text = _decode(self.archive.read(member))
        if text is None:
            self.skipped.append(f"{what}: {path} is neither UTF-8 nor UTF-16 text")
        return text

    def source(self, element: Any, name: str | None = None) -> RefiSource | None:
        what = f"source '{name or element.get('name') or element.get('guid')}'"
        text = self.text_of(element, what)
        if text is None:
            return None
        item = RefiSource(
            guid=element.get("guid"),
            name=name or element.get("name") or element.get("guid"),
            text=text,
            description=_child_text(element, "Description"),
            user_guid=element.get("creatingUser"),
            created=element.get("creationDateTime"),
            selections=[_selection(s) for s in _children(element, "PlainTextSelection")],
            note_refs=_refs(element),
        )
        if any(True for _ in _children(element, "Coding")):
            self.skipped.append(f"{what}: codings of the whole source (not of a passage)")
        return item

    def sources(self, root: Any) -> list[RefiSource]:
        found: list[RefiSource] = []
        container = root.find(_NS + "Sources")
        for element in container if container is not None else []:
            tag = etree.QName(element).localname
            if tag == "TextSource":
                item = self.source(element)
            elif tag == "PDFSource" and element.find(_NS + "Representation") is not None:
                # NVivo and others give a PDF's text as its Representation; code that.
                item = self.source(element.find(_NS + "Representation"), element.get("name"))
            else:
                self.skipped.append(f"{tag} '{element.get('name') or element.get('guid')}'")
                continue
            if item is not None:
                found.append(item)
        return found

    def notes(self, root: Any) -> list[RefiNote]:
        found = []
        container = root.find(_NS + "Notes")
        for element in container if container is not None else []:
            name = element.get("name") or ""
            text = self.text_of(element, f"note '{name or element.get('guid')}'")
            if text is not None:
                found.append(
                    RefiNote(
                        guid=element.get("guid"),
                        name=name,
                        text=text,
                        user_guid=element.get("creatingUser"),
                        created=element.get("creationDateTime"),
                    )
                )
        return found


def _fix_inclusive_ends(project: RefiProject) -> None:
    """Read ``endPosition`` as inclusive when the selections' names say the exporter did.

    Exporters read REFI-QDA's "first and last character" differently. A selection's name
    is often its text; when more names match ``text[start:end + 1]`` than
    ``text[start:end]``, the file's ends are inclusive and are moved one on.
    """
    exclusive = inclusive = 0
    for source in project.sources:
        for s in source.selections:
            if s.name and 0 <= s.start <= s.end < len(source.text):
                exclusive += source.text[s.start : s.end] == s.name
                inclusive += source.text[s.start : s.end + 1] == s.name
    if inclusive > exclusive:
        for source in project.sources:
            for s in source.selections:
                s.end += 1
        project.skipped.append("note: endPosition read as inclusive (selection names say so)")


def read_qdpx(path: Path, limits: ZipLimits | None = None) -> RefiProject:
    """Read and validate a ``.qdpx`` file; raises InvalidInput naming the file and line."""
    with ZipReader(path, limits) as archive:
        member = archive.find("project.qde")
        if member is None:
            raise InvalidInput(f"{path}: no project.qde inside (not a REFI-QDA project)")
        root = parse_project(archive.read(member), f"{path.name}/{member}")
        reader = _Reader(archive)
        users = root.find(_NS + "Users")
        codebook = root.find(f"{_NS}CodeBook/{_NS}Codes")
        project = RefiProject(
            name=root.get("name"),
            origin=root.get("origin") or "",
            user_guid=root.get("creatingUserGUID"),
            created=root.get("creationDateTime"),
            modified=root.get("modifiedDateTime"),
            users=[
                RefiUser(u.get("guid"), u.get("name") or "", u.get("id") or "")
                for u in (users if users is not None else [])
            ],
            codes=[_code(c) for c in (codebook if codebook is not None else [])],
            sources=reader.sources(root),
            notes=reader.notes(root),
            note_refs=_refs(root),
        )
    for tag in ("Cases", "Variables", "Sets", "Graphs", "Links"):
        if root.find(_NS + tag) is not None:
            reader.skipped.append(f"{tag} (Realist does not read them)")
    project.skipped = reader.skipped
    _fix_inclusive_ends(project)
    return project
