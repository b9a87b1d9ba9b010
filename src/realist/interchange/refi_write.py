"""Writing a :class:`~realist.interchange.refi_model.RefiProject` as a ``.qdpx`` file.

``project.qde`` is built with lxml in the element order the REFI-QDA schema prescribes;
each source's text goes to ``sources/<guid>.txt`` (UTF-8, no byte-order mark), referenced as
``internal://<guid>.txt``. The zip is deterministic (see :mod:`realist.interchange.zips`).

XML 1.0 cannot hold most control characters (a form feed from a PDF, say); in names,
descriptions and notes they become U+FFFD. Source texts are files, not XML, and keep them.
"""

from __future__ import annotations

import re

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from realist.interchange.refi_model import (
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
)
from realist.interchange.zips import deterministic_zip

__all__ = ["NAMESPACE", "project_xml", "write_qdpx"]

NAMESPACE = "urn:QDA-XML:project:1.0"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _element(parent: object, tag: str, **attributes: str | None) -> object:
    shown = {k: _clean(v) for k, v in attributes.items() if v is not None}
    return etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", shown)


def _text_element(parent: object, tag: str, text: str) -> None:
    if text:
        _element(parent, tag).text = _clean(text)  # type: ignore[attr-defined]


def _note_refs(parent: object, guids: list[str]) -> None:
    for guid in guids:
        _element(parent, "NoteRef", targetGUID=guid)


def _code(parent: object, code: RefiCode) -> None:
    node = _element(
        parent,
        "Code",
        guid=code.guid,
        name=code.name,
        isCodable="true" if code.codable else "false",
    )
    _text_element(node, "Description", code.description)
    _note_refs(node, code.note_refs)
    for child in code.children:
        _code(node, child)


def _coding(parent: object, coding: RefiCoding) -> None:
    node = _element(
        parent,
        "Coding",
        guid=coding.guid,
        creatingUser=coding.user_guid,
        creationDateTime=coding.created,
    )
    _element(node, "CodeRef", targetGUID=coding.code_guid)
    _note_refs(node, coding.note_refs)


def _selection(parent: object, selection: RefiSelection) -> None:
    node = _element(
        parent,
        "PlainTextSelection",
        guid=selection.guid,
        name=selection.name,
        startPosition=str(selection.start),
        endPosition=str(selection.end),
        creatingUser=selection.user_guid,
        creationDateTime=selection.created,
    )
    _text_element(node, "Description", selection.description)
    for coding in selection.codings:
        _coding(node, coding)
    _note_refs(node, selection.note_refs)


def source_path(source: RefiSource) -> str:
    """The member name of a source's plain text inside the ``.qdpx``."""
    return f"sources/{source.guid}.txt"


def _source(parent: object, source: RefiSource) -> None:
    node = _element(
        parent,
        "TextSource",
        guid=source.guid,
        name=source.name,
        plainTextPath=f"internal://{source.guid}.txt",
        creatingUser=source.user_guid,
        creationDateTime=source.created,
    )
    _text_element(node, "Description", source.description)
    for selection in source.selections:
        _selection(node, selection)
    _note_refs(node, source.note_refs)


def _note(parent: object, note: RefiNote) -> None:
    node = _element(
        parent,
        "Note",
        guid=note.guid,
        name=note.name,
        creatingUser=note.user_guid,
        creationDateTime=note.created,
    )
    # PlainTextContent, not a file: notes are short and the schema allows either.
    _element(node, "PlainTextContent").text = _clean(note.text)  # type: ignore[attr-defined]


def project_xml(project: RefiProject) -> bytes:
    """``project.qde``: UTF-8 XML, elements in schema order, pretty-printed."""
    root = etree.Element(
        f"{{{NAMESPACE}}}Project",
        {
            k: _clean(v)
            for k, v in (
                ("name", project.name),
                ("origin", project.origin),
                ("creatingUserGUID", project.user_guid),
                ("creationDateTime", project.created),
                ("modifiedDateTime", project.modified),
            )
            if v
        },
        nsmap={None: NAMESPACE},
    )
    if project.users:
        users = _element(root, "Users")
        for user in project.users:
            _element(users, "User", guid=user.guid, name=user.name, id=user.id or None)
    if project.codes:
        codes = _element(_element(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code(codes, code)
    if project.sources:
        sources = _element(root, "Sources")
        for source in project.sources:
            _source(sources, source)
    if project.notes:
        notes = _element(root, "Notes")
        for note in project.notes:
            _note(notes, note)
    _note_refs(root, project.note_refs)
    data: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True, standalone=True
    )
    return data


def write_qdpx(project: RefiProject) -> bytes:
    """The ``.qdpx`` file: ``project.qde`` first, then each source's text."""
    members = [("project.qde", project_xml(project))]
    members += [(source_path(s), s.text.encode("utf-8")) for s in project.sources]
    return deterministic_zip(members)
