"""Interventions: the cases and their attributes as one sheet (NVivo's classification sheet).

Rows are interventions, columns their attributes; a cell is edited in place (an empty value
takes the attribute off that intervention), a column is added, renamed or removed, an
intervention added or deleted, documents linked and unlinked. Every change is one service
call and one event. A column exists while an intervention has a value for it, so a new
column is shown (``?add=NAME``) until its first value is saved.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realist.domain.documents import AttributeValue, Document, Intervention
from realist.errors import InvalidInput
from realist.reports.wording import counted, document_label
from realist.services import interventions as service
from realist.store import Store
from realist.web.auth import Actor, Editor, Reader, StoreDep
from realist.web.params import Id
from realist.web.templating import is_htmx, render

router = APIRouter()

Value = str | int | float | bool


class LinkedDocument(BaseModel):
    key: str
    label: str = Field(description='a short citation, e.g. "Dennis 2009 [64]"')
    title: str


class InterventionRow(BaseModel):
    number: int
    name: str
    attributes: dict[str, Value] = Field(description="by name; values keep their type")
    documents: list[LinkedDocument]


class DocumentChoice(BaseModel):
    key: str
    label: str


class InterventionsPage(BaseModel):
    attributes: list[str] = Field(description="every attribute name, sorted: the columns")
    interventions: list[InterventionRow]
    documents: list[DocumentChoice] = Field(description="documents that can be linked")
    next_number: int
    message: str = ""


def _row(item: Intervention, documents: dict[str, Document]) -> InterventionRow:
    return InterventionRow(
        number=item.number,
        name=item.name,
        attributes=dict(sorted(item.attributes.items())),
        documents=[
            LinkedDocument(key=k, label=document_label(documents[k]), title=documents[k].title)
            for k in item.document_keys
            if k in documents
        ],
    )


def interventions_data(store: Store, message: str = "") -> InterventionsPage:
    items, documents = service.list_interventions(store)
    return InterventionsPage(
        attributes=sorted({a for i in items for a in i.attributes}),
        interventions=[_row(i, documents) for i in items],
        documents=[DocumentChoice(key=k, label=document_label(d)) for k, d in documents.items()],
        next_number=max((i.number for i in items), default=0) + 1,
        message=message,
    )


def shown(value: AttributeValue | None) -> str:
    """A value as the sheet's input shows it (what :func:`service.parse_value` reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- pages ----------------------------------------------------------------------------------


def _page(request: Request, page: InterventionsPage, adding: str = "") -> Response:
    columns = list(page.attributes)
    if adding and adding not in columns:
        columns.append(adding)
    context = {"page": page, "columns": columns, "adding": adding, "shown": shown}
    template = "interventions/_sheet.html" if is_htmx(request) else "interventions/index.html"
    return render(request, template, context)


@router.get("/interventions", include_in_schema=False)
def interventions_page(
    request: Request,
    _: Reader,
    store: StoreDep,
    add: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    adding = ""
    if add.strip():
        try:
            adding = service.attribute_name(add)
        except InvalidInput as error:
            return _page(request, interventions_data(store, str(error)))
    return _page(request, interventions_data(store), adding)


def _done(request: Request, store: Store, message: str) -> Response:
    """After a change: the sheet again (htmx), or back to the page (no script)."""
    if is_htmx(request):
        return _page(request, interventions_data(store, message))
    return RedirectResponse("/interventions", status_code=303)


NumberField = Annotated[int, Form(ge=1, le=1_000_000)]
NameField = Annotated[str, Form(max_length=1000)]
AttributeField = Annotated[str, Form(min_length=1, max_length=100)]
ValueField = Annotated[str, Form(max_length=10_000)]
KeyField = Annotated[str, Form(min_length=1, max_length=200)]


def _set_cell(store: Store, actor: Actor, number: int, attribute: str, value: str) -> str:
    if value.strip():
        service.set_intervention(
            store, number, actor.key, attributes={attribute: service.parse_value(value)}
        )
        return f"#{number}: {attribute} saved."
    items, _ = service.list_interventions(store)
    if any(i.number == number and attribute in i.attributes for i in items):
        service.unset_attribute(store, number, attribute, actor.key)
        return f"#{number}: {attribute} removed."
    return f"#{number}: {attribute} left empty."


@router.post("/interventions/{number}/cell", include_in_schema=False)
def cell_form(
    request: Request,
    actor: Editor,
    store: StoreDep,
    number: Id,
    attribute: AttributeField,
    value: ValueField = "",
) -> Response:
    """One cell: a value sets the attribute, an empty value takes it off (the cell alone
    comes back, so the reviewer's place in the sheet is kept)."""
    message = _set_cell(store, actor, number, service.attribute_name(attribute), value)
    if not is_htmx(request):
        return RedirectResponse("/interventions", status_code=303)
    items, _ = service.list_interventions(store)
    current = next((i for i in items if i.number == number), None)
    context = {
        "row": current,
        "column": attribute,
        "value": shown(current.attributes.get(attribute)) if current else "",
        "message": message,
    }
    return render(request, "interventions/_cell.html", context)


@router.post("/interventions/{number}/name", include_in_schema=False)
def name_form(
    request: Request, actor: Editor, store: StoreDep, number: Id, name: NameField = ""
) -> Response:
    service.set_intervention(store, number, actor.key, name=name.strip())
    return _done(request, store, f"#{number}: name saved.")


@router.post("/interventions", include_in_schema=False)
def add_form(
    request: Request, actor: Editor, store: StoreDep, number: NumberField, name: NameField = ""
) -> Response:
    items, _ = service.list_interventions(store)
    if any(i.number == number for i in items):
        raise InvalidInput(f"there is already an intervention #{number}")
    service.set_intervention(store, number, actor.key, name=name.strip())
    return _done(request, store, f"Intervention #{number} added.")


@router.post("/interventions/{number}/delete", include_in_schema=False)
def delete_form(request: Request, actor: Editor, store: StoreDep, number: Id) -> Response:
    gone = service.delete_intervention(store, number, actor.key)
    return _done(request, store, _deleted(gone))


def _deleted(gone: service.DeletedIntervention) -> str:
    message = (
        f"Intervention #{gone.number} deleted with {counted(len(gone.attributes), 'attribute')};"
        f" {counted(len(gone.documents), 'document')} and "
        f"{counted(len(gone.configurations), 'configuration')} unlinked (they stay)."
    )
    if gone.excerpts:
        message += (
            f" {counted(len(gone.excerpts), 'excerpt')} case-coded to it now speak for "
            "their documents' interventions."
        )
    return message


@router.post("/interventions/{number}/documents", include_in_schema=False)
def link_form(
    request: Request, actor: Editor, store: StoreDep, number: Id, key: KeyField
) -> Response:
    service.set_intervention(store, number, actor.key, documents=[key])
    return _done(request, store, f"#{number}: {key} linked.")


@router.post("/interventions/{number}/documents/unlink", include_in_schema=False)
def unlink_form(
    request: Request, actor: Editor, store: StoreDep, number: Id, key: KeyField
) -> Response:
    service.unlink_document(store, number, key, actor.key)
    return _done(request, store, f"#{number}: {key} unlinked.")


@router.post("/interventions/attributes/rename", include_in_schema=False)
def rename_form(
    request: Request, actor: Editor, store: StoreDep, attribute: AttributeField, to: AttributeField
) -> Response:
    count = service.rename_attribute(store, attribute, to, actor.key)
    new = service.attribute_name(to)
    return _done(request, store, f"{attribute} renamed {new} on {counted(count, 'intervention')}.")


@router.post("/interventions/attributes/remove", include_in_schema=False)
def remove_form(
    request: Request, actor: Editor, store: StoreDep, attribute: AttributeField
) -> Response:
    count = service.remove_attribute(store, attribute, actor.key)
    return _done(request, store, f"{attribute} removed from {counted(count, 'intervention')}.")


# --- API ------------------------------------------------------------------------------------


class InterventionChange(BaseModel):
    number: int = Field(ge=1, le=1_000_000)
    name: str | None = Field(default=None, max_length=1000)
    attributes: dict[str, Value] = Field(default_factory=dict)
    documents: list[str] = Field(default_factory=list, description="document keys to link")


class CellChange(BaseModel):
    attribute: str = Field(min_length=1, max_length=100)
    value: Value | None = Field(description="null takes the attribute off the intervention")


class DocumentLink(BaseModel):
    key: str = Field(min_length=1, max_length=200)


class AttributeRename(BaseModel):
    attribute: str = Field(min_length=1, max_length=100)
    to: str = Field(min_length=1, max_length=100)


class AttributeRemoval(BaseModel):
    attribute: str = Field(min_length=1, max_length=100)


class Deleted(BaseModel):
    number: int
    name: str
    attributes: dict[str, Value]
    documents: list[str]
    configurations: list[str] = Field(description="unlinked; the configurations stay")
    excerpts: list[int] = Field(description="case-coded to it; they now speak for their "
                                "documents' interventions")  # fmt: skip


@router.get("/api/interventions", tags=["interventions"])
def interventions_api(_: Reader, store: StoreDep) -> InterventionsPage:
    """The interventions as a classification sheet: attribute columns, one row per
    intervention with its typed values and documents."""
    return interventions_data(store)


@router.post("/api/interventions", tags=["interventions"])
def change_api(actor: Editor, store: StoreDep, body: InterventionChange) -> InterventionsPage:
    """Create an intervention or change it: name, attributes (typed as given), documents."""
    service.set_intervention(
        store,
        body.number,
        actor.key,
        name=body.name,
        attributes=dict(body.attributes),
        documents=body.documents,
    )
    return interventions_data(store)


@router.post("/api/interventions/{number}/attributes", tags=["interventions"])
def cell_api(actor: Editor, store: StoreDep, number: Id, body: CellChange) -> InterventionsPage:
    """Set one attribute of one intervention, or take it off (``value: null``)."""
    if body.value is None:
        service.unset_attribute(store, number, body.attribute, actor.key)
    else:
        service.set_intervention(store, number, actor.key, attributes={body.attribute: body.value})
    return interventions_data(store)


@router.delete("/api/interventions/{number}", tags=["interventions"])
def delete_api(actor: Editor, store: StoreDep, number: Id) -> Deleted:
    """Delete an intervention with its attributes and links; returns what went with it."""
    gone = service.delete_intervention(store, number, actor.key)
    return Deleted(**gone.__dict__)


@router.post("/api/interventions/{number}/documents", tags=["interventions"])
def link_api(actor: Editor, store: StoreDep, number: Id, body: DocumentLink) -> InterventionsPage:
    """Link a document to an intervention."""
    service.set_intervention(store, number, actor.key, documents=[body.key])
    return interventions_data(store)


@router.delete("/api/interventions/{number}/documents/{key}", tags=["interventions"])
def unlink_api(actor: Editor, store: StoreDep, number: Id, key: str) -> InterventionsPage:
    """Unlink a document from an intervention (both stay)."""
    service.unlink_document(store, number, key, actor.key)
    return interventions_data(store)


@router.post("/api/attributes/rename", tags=["interventions"])
def rename_api(actor: Editor, store: StoreDep, body: AttributeRename) -> InterventionsPage:
    """Rename an attribute on every intervention (refused if a value would be lost)."""
    service.rename_attribute(store, body.attribute, body.to, actor.key)
    return interventions_data(store)


@router.post("/api/attributes/remove", tags=["interventions"])
def remove_api(actor: Editor, store: StoreDep, body: AttributeRemoval) -> InterventionsPage:
    """Remove an attribute from every intervention (its values go into the event)."""
    service.remove_attribute(store, body.attribute, actor.key)
    return interventions_data(store)
