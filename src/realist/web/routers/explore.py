"""Explore: the matrix query with drill-down to excerpts, and the framework matrix.

The questions in plain words ("what applies here", full-text search) are in
``explore_ask.py``. Every page is a thin shell over ``services.queries`` (the same calls as
``realist matrix`` and ``realist search``); excerpts come from ``services.coding``.
"""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from realist.domain.coding import Excerpt
from realist.services import coding, queries
from realist.services.documents import list_documents
from realist.services.interventions import list_interventions
from realist.services.theories import list_theories
from realist.store import Store
from realist.web.auth import Reader, StoreDep
from realist.web.templating import is_htmx, label, render

router = APIRouter()

HEAT_LEVELS = 4  # cells are shaded heat-1 .. heat-4 (heat-0: no excerpt)
DOCUMENT_LABELS = {"document_type": "Document type", "study_design": "Study design",
                   "key": "Each document"}  # fmt: skip


def reader_href(document_key: str, start: int, end: int, excerpt: int | None = None) -> str:
    """Where the Documents reader shows this span of a document (and the excerpt, if it
    is one: the reader opens an excerpt's codings with ``excerpt=ID``)."""
    also = f"&excerpt={excerpt}" if excerpt is not None else ""
    return f"/documents/{quote(document_key, safe='')}?start={start}&end={end}{also}"


# --- the matrix --------------------------------------------------------------------------


class DimensionChoice(BaseModel):
    """Something configurations can be crossed with: ``attribute:NAME``,
    ``document:FIELD`` or ``intervention``."""

    value: str
    label: str
    group: str


class MatrixColumn(BaseModel):
    value: str
    label: str


class MatrixCell(BaseModel):
    """Excerpts coded to the row's configuration that come from the column's value."""

    value: str
    count: int
    level: int = Field(description=f"shade 0-{HEAT_LEVELS}, relative to the largest cell")
    href: str = Field(description="the page listing the cell's excerpts (empty when none)")


class MatrixRow(BaseModel):
    identifier: str
    title: str
    cells: list[MatrixCell]


class MatrixTopic(BaseModel):
    """The configurations of one topic, in the review's order."""

    key: str
    name: str
    negative: bool
    rows: list[MatrixRow]


class MatrixPage(BaseModel):
    """``realist matrix DIMENSION`` with the configurations grouped by topic."""

    dimension: str
    dimension_label: str
    dimensions: list[DimensionChoice]
    columns: list[MatrixColumn]
    topics: list[MatrixTopic]
    largest: int = Field(description="the largest count in any cell")
    filled: int = Field(description="how many cells have at least one excerpt")


def dimension_choices(store: Store) -> list[DimensionChoice]:
    """The interventions' attributes, the documents' fields, and the interventions."""
    interventions, _ = list_interventions(store)
    names = sorted({name for item in interventions for name in item.attributes})
    return [
        *(DimensionChoice(value=f"attribute:{n}", label=label(n), group="Intervention attribute")
          for n in names),
        *(DimensionChoice(value=f"document:{f}", label=DOCUMENT_LABELS.get(f, label(f)),
                          group="Document") for f in queries.DOCUMENT_FIELDS),
        DimensionChoice(value="intervention", label="Each intervention", group="Interventions"),
    ]  # fmt: skip


def _default_dimension(choices: list[DimensionChoice]) -> str:
    values = [c.value for c in choices]
    return "attribute:format" if "attribute:format" in values else values[0]


def _dimension_label(dimension: str, choices: list[DimensionChoice]) -> str:
    return next((f"{c.group}: {c.label}" for c in choices if c.value == dimension), dimension)


def cell_href(dimension: str, configuration: str, value: str) -> str:
    query = urlencode({"dimension": dimension, "configuration": configuration, "value": value})
    return f"/explore/cell?{query}"


def matrix_data(store: Store, dimension: str | None) -> MatrixPage:
    """The matrix of ``dimension`` (default: the interventions' format, if they have one)."""
    choices = dimension_choices(store)
    chosen = dimension or _default_dimension(choices)
    found = queries.matrix(store, chosen)
    largest = max(found.cells.values(), default=0)
    theories = {t.configuration.identifier: t for t in list_theories(store)}
    topics: dict[str, MatrixTopic] = {}
    for identifier in found.rows:
        view = theories[identifier]
        topic = topics.setdefault(
            view.topic.key,
            MatrixTopic(key=view.topic.key, name=view.topic.name,
                        negative=view.topic.negative, rows=[]),
        )  # fmt: skip
        cells = []
        for column in found.columns:
            count = found.count(identifier, column)
            cells.append(
                MatrixCell(
                    value=column,
                    count=count,
                    level=math.ceil(HEAT_LEVELS * count / largest) if count else 0,
                    href=cell_href(chosen, identifier, column) if count else "",
                )
            )
        topic.rows.append(
            MatrixRow(identifier=identifier, title=view.configuration.title, cells=cells)
        )
    return MatrixPage(
        dimension=chosen,
        dimension_label=_dimension_label(chosen, choices),
        dimensions=choices,
        columns=[MatrixColumn(value=c, label=label(c)) for c in found.columns],
        topics=list(topics.values()),
        largest=largest,
        filled=sum(1 for n in found.cells.values() if n),
    )


@router.get("/explore", include_in_schema=False)
def matrix_page(
    request: Request,
    _: Reader,
    store: StoreDep,
    dimension: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    page = matrix_data(store, dimension or None)
    return render(request, "explore/index.html", {"page": page})


@router.get("/api/explore/matrix", tags=["explore"])
def matrix_api(
    _: Reader,
    store: StoreDep,
    dimension: Annotated[
        str,
        Query(max_length=200, description="attribute:NAME, document:FIELD or intervention"),
    ] = "",
) -> MatrixPage:
    """Configurations × the values of one dimension, each cell counting the excerpts coded
    to the configuration that come from that value (as ``realist matrix``)."""
    return matrix_data(store, dimension or None)


# --- one cell's excerpts -----------------------------------------------------------------


class ExcerptItem(BaseModel):
    """An excerpt with its document and where the reader shows it."""

    id: int
    label: str
    text: str
    document_key: str
    document_title: str
    start: int
    end: int
    stance: str | None = Field(description="its stance toward the configuration asked about")
    relevance: str | None
    rigour: str | None
    reader_href: str


class CellPage(BaseModel):
    """The excerpts behind one cell of a matrix (``realist matrix DIMENSION --cell``)."""

    dimension: str
    dimension_label: str
    configuration: str
    configuration_title: str
    value: str
    value_label: str
    excerpts: list[ExcerptItem]


def excerpt_item(found: Excerpt, titles: dict[str, str], configuration: str) -> ExcerptItem:
    assert found.id is not None
    stance = next(
        (c.stance.value for c in found.codings if c.configuration_identifier == configuration),
        None,
    )
    return ExcerptItem(
        id=found.id,
        label=found.label or str(found.id),
        text=found.text,
        document_key=found.document_key,
        document_title=titles.get(found.document_key, found.document_key),
        start=found.start,
        end=found.end,
        stance=stance,
        relevance=found.relevance.value if found.relevance else None,
        rigour=found.rigour.value if found.rigour else None,
        reader_href=reader_href(found.document_key, found.start, found.end, found.id),
    )


def document_titles(store: Store) -> dict[str, str]:
    return {d.key: d.title for d in list_documents(store)}


def cell_data(store: Store, dimension: str, configuration: str, value: str) -> CellPage:
    ids = queries.matrix_cell(store, dimension, configuration, value)
    titles = document_titles(store)
    theory = next(
        (t for t in list_theories(store) if t.configuration.identifier == configuration), None
    )
    return CellPage(
        dimension=dimension,
        dimension_label=_dimension_label(dimension, dimension_choices(store)),
        configuration=configuration,
        configuration_title=theory.configuration.title if theory else "",
        value=value,
        value_label=label(value),
        excerpts=[excerpt_item(coding.get_excerpt(store, i), titles, configuration) for i in ids],
    )


Dimension = Annotated[str, Query(max_length=200)]
Configuration = Annotated[str, Query(max_length=100)]
Value = Annotated[str, Query(max_length=500)]


@router.get("/explore/cell", include_in_schema=False)
def cell_page(
    request: Request,
    _: Reader,
    store: StoreDep,
    dimension: Dimension,
    configuration: Configuration,
    value: Value,
) -> Response:
    page = cell_data(store, dimension, configuration, value)
    name = "explore/_cell.html" if is_htmx(request) else "explore/cell.html"
    return render(request, name, {"cell": page})


@router.get("/api/explore/cell", tags=["explore"])
def cell_api(
    _: Reader, store: StoreDep, dimension: Dimension, configuration: Configuration, value: Value
) -> CellPage:
    """The excerpts behind one cell of a matrix, each with its document and span."""
    return cell_data(store, dimension, configuration, value)


# --- the framework matrix ----------------------------------------------------------------


class FrameworkExcerpt(BaseModel):
    label: str
    text: str


class FrameworkRow(BaseModel):
    """One configuration: the text coded to it, document by document (same order as
    ``documents``; an empty list where a document has none)."""

    identifier: str
    title: str
    cells: list[list[FrameworkExcerpt]]


class FrameworkDocument(BaseModel):
    key: str
    title: str
    href: str


class FrameworkPage(BaseModel):
    """Documents × configurations with the coded text in each cell (framework analysis)."""

    documents: list[FrameworkDocument]
    rows: list[FrameworkRow]


def framework_data(store: Store) -> FrameworkPage:
    documents, configurations, cells = queries.framework_matrix(store)
    found = {(c.configuration, c.document): c.excerpts for c in cells}
    titles = {t.configuration.identifier: t.configuration.title for t in list_theories(store)}
    names = document_titles(store)
    return FrameworkPage(
        documents=[
            FrameworkDocument(key=d, title=names.get(d, d), href=f"/documents/{quote(d, safe='')}")
            for d in documents
        ],
        rows=[
            FrameworkRow(
                identifier=c,
                title=titles.get(c, ""),
                cells=[
                    [FrameworkExcerpt(label=lbl, text=text) for lbl, text in found.get((c, d), [])]
                    for d in documents
                ],
            )
            for c in configurations
        ],
    )


@router.get("/explore/framework", include_in_schema=False)
def framework_page(request: Request, _: Reader, store: StoreDep) -> Response:
    return render(request, "explore/framework.html", {"page": framework_data(store)})


@router.get("/api/explore/framework", tags=["explore"])
def framework_api(_: Reader, store: StoreDep) -> FrameworkPage:
    """Configurations (rows) × documents (columns) with the text coded in each cell."""
    return framework_data(store)
