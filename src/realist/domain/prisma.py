"""PRISMA 2020 flow-diagram counts and the arithmetic that ties them together.

The model holds every box of the PRISMA 2020 flow diagram for new (and, optionally, updated)
systematic reviews that searched databases, registers and other sources (Page et al., BMJ
2021;372:n71). Field names are those of the PRISMA2020 R package and Shiny app (Haddaway et al.,
Campbell Systematic Reviews 2022;18:e1230), so a CSV written from it opens in that tool.

``None`` always means *unknown*, never zero: a review reported from a paper often gives only a
few of the counts, and a diagram must not invent the rest.

Some fields are Realist's own: ``website_specific_results`` and ``organisations_contacted`` (the
R package has nowhere to name the websites searched or say how many organisations were
asked, and PRISMA 2020 item 7 asks for both); ``other_sources_*`` for other methods that are
none of websites, organisations and citation searching; the other-methods arm's removals
(``other_duplicates``, ``other_records_excluded``), since Realist screens every record on title
and abstract; and the ``*_awaiting*`` boxes of a review in progress (see
:mod:`realist.domain.flow`), which are 0 when screening is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

Breakdown = Mapping[str, int | None]
"""Named parts of one box, in display order: database -> records, or reason -> reports."""

NO_REASON = ""
"""Key of an exclusion breakdown for reports excluded without a recorded reason.

The R package reads a bare number in a "Reports excluded" cell as one reason with an empty
name, so the same convention keeps a total without reasons round-tripping.
"""


def _empty() -> dict[str, int | None]:
    return {}


@dataclass(frozen=True)
class PrismaCounts:
    """Every box of the PRISMA 2020 flow diagram; ``None`` means unknown, not zero.

    ``dbr_*`` boxes belong to the databases-and-registers column, ``other_*`` to the
    other-methods column (websites, organisations, citation searching). ``dbr_excluded`` and
    ``other_excluded`` map an exclusion reason to its number of reports (``None`` for the whole
    box when even the total is unknown; ``NO_REASON`` for reports excluded without a reason).
    ``previous_*`` and ``total_*`` are for updated reviews and stay ``None`` for new ones.
    """

    previous_studies: int | None = None
    previous_reports: int | None = None
    database_results: int | None = None
    database_specific_results: Breakdown = field(default_factory=_empty)
    register_results: int | None = None
    register_specific_results: Breakdown = field(default_factory=_empty)
    website_results: int | None = None
    website_specific_results: Breakdown = field(default_factory=_empty)
    organisation_results: int | None = None
    organisations_contacted: int | None = None
    citations_results: int | None = None
    other_sources_results: int | None = None
    other_sources_specific_results: Breakdown = field(default_factory=_empty)
    duplicates: int | None = None
    excluded_automatic: int | None = None
    excluded_other: int | None = None
    records_screened: int | None = None
    records_excluded: int | None = None
    records_awaiting: int | None = None
    dbr_sought_reports: int | None = None
    dbr_notretrieved_reports: int | None = None
    dbr_awaiting_reports: int | None = None
    dbr_assessed: int | None = None
    dbr_excluded: Breakdown | None = None
    other_duplicates: int | None = None
    other_records_excluded: int | None = None
    other_records_awaiting: int | None = None
    other_sought_reports: int | None = None
    other_notretrieved_reports: int | None = None
    other_awaiting_reports: int | None = None
    other_assessed: int | None = None
    other_excluded: Breakdown | None = None
    new_studies: int | None = None
    new_reports: int | None = None
    total_studies: int | None = None
    total_reports: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Mapping):
                # A private copy: the frozen object must not change when the caller's dict does.
                object.__setattr__(self, f.name, dict(value))
                for name, n in value.items():
                    if not isinstance(name, str):
                        raise ValueError(f"{f.name}: names must be text, not {name!r}")
                    _check_count(f"{f.name}[{name!r}]", n)
            else:
                _check_count(f.name, value)

    @property
    def dbr_excluded_total(self) -> int | None:
        """Reports excluded in the databases-and-registers column, if every reason's n is known."""
        return breakdown_total(self.dbr_excluded)

    @property
    def other_excluded_total(self) -> int | None:
        """Reports excluded in the other-methods column, if every reason's n is known."""
        return breakdown_total(self.other_excluded)

    @property
    def dbr_identified(self) -> int | None:
        """Records identified from databases and registers (None if either is unknown)."""
        return _sum_known([self.database_results, self.register_results])

    @property
    def other_identified(self) -> int | None:
        """Records identified by other methods: the known kinds summed (a kind not used is
        unknown, and adds nothing); None when every kind is unknown."""
        parts = [
            self.website_results,
            self.organisation_results,
            self.citations_results,
            self.other_sources_results,
        ]
        known = [n for n in parts if n is not None]
        return sum(known) if known else None

    @property
    def has_previous(self) -> bool:
        """Whether this is an updated review (the diagram then has a previous-studies column)."""
        return self.previous_studies is not None or self.previous_reports is not None


def _check_count(name: str, value: object) -> None:
    # bool is an int subclass; True as a count is always a caller's bug.
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name}: a count must be a whole number or None, not {value!r}")
    if value < 0:
        raise ValueError(f"{name}: a count cannot be negative ({value})")


def breakdown_total(parts: Breakdown | None) -> int | None:
    """The sum of a breakdown's counts; None when the breakdown or any part is unknown."""
    if parts is None:
        return None
    return _sum_known(parts.values())


def _sum_known(values: Iterable[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _fmt(n: int) -> str:
    return f"{n:,}"


def _none_is_zero(value: int | None) -> int:
    # Realist's own awaiting and other-arm removal boxes: a count entered by hand (or a
    # published diagram) never has them, and then nothing waits and nothing was removed.
    return value or 0


def consistency_problems(counts: PrismaCounts) -> list[str]:
    """Arithmetic in the flow that does not add up, one sentence per problem.

    A rule is checked only when every number it uses is known: an unknown count is a gap in
    the report, not an error. An empty list means nothing known contradicts anything else.
    The identities, per arm (see :mod:`realist.domain.flow`): identified − removed before
    screening = screened; screened − excluded − awaiting = sought; sought − not retrieved −
    awaiting = assessed; assessed − excluded (both arms) = included.
    """
    c = counts
    problems: list[str] = []

    def equal(label: str, expected: int | None, actual: int | None, how: str) -> None:
        if expected is not None and actual is not None and expected != actual:
            problems.append(
                f"{label} is {_fmt(actual)} but {how} gives {_fmt(expected)}"
                f" (a difference of {_fmt(actual - expected)})"
            )

    def at_most(label: str, part: int | None, whole_label: str, whole: int | None) -> None:
        if part is not None and whole is not None and part > whole:
            problems.append(f"{label} ({_fmt(part)}) is more than {whole_label} ({_fmt(whole)})")

    for total_name, parts_name in (
        ("database_results", "database_specific_results"),
        ("register_results", "register_specific_results"),
        ("website_results", "website_specific_results"),
        ("other_sources_results", "other_sources_specific_results"),
    ):
        parts: Breakdown = getattr(c, parts_name)
        if parts:
            equal(
                f"{total_name}",
                _sum_known(parts.values()),
                getattr(c, total_name),
                f"the sum of {parts_name}",
            )

    identified = c.dbr_identified
    removed = _sum_known([c.duplicates, c.excluded_automatic, c.excluded_other])
    if identified is not None and removed is not None:
        equal(
            "records_screened",
            identified - removed,
            c.records_screened,
            "records identified from databases and registers minus records removed before"
            " screening",
        )
    if identified is not None:
        at_most("records removed before screening", removed, "records identified", identified)
    at_most("records_excluded", c.records_excluded, "records_screened", c.records_screened)
    if c.records_screened is not None and c.records_excluded is not None:
        equal(
            "dbr_sought_reports",
            c.records_screened - c.records_excluded - _none_is_zero(c.records_awaiting),
            c.dbr_sought_reports,
            "records_screened minus records_excluded and records awaiting a decision",
        )
    other = c.other_identified
    if other is not None and c.other_duplicates is not None:
        gone = c.other_duplicates + _none_is_zero(c.other_records_excluded)
        equal(
            "other_sought_reports",
            other - gone - _none_is_zero(c.other_records_awaiting),
            c.other_sought_reports,
            "records identified by other methods minus duplicates, records excluded on title"
            " and abstract and records awaiting a decision",
        )
    for col in ("dbr", "other"):
        sought = getattr(c, f"{col}_sought_reports")
        not_retrieved = getattr(c, f"{col}_notretrieved_reports")
        waiting = _none_is_zero(getattr(c, f"{col}_awaiting_reports"))
        assessed = getattr(c, f"{col}_assessed")
        excluded = breakdown_total(getattr(c, f"{col}_excluded"))
        at_most(f"{col}_notretrieved_reports", not_retrieved, f"{col}_sought_reports", sought)
        if sought is not None and not_retrieved is not None:
            equal(
                f"{col}_assessed",
                sought - not_retrieved - waiting,
                assessed,
                f"{col}_sought_reports minus {col}_notretrieved_reports and reports awaiting a"
                " decision",
            )
        at_most(f"{col}_excluded", excluded, f"{col}_assessed", assessed)

    # Reports reaching the included box come from both columns; a column whose assessment is
    # unknown leaves the sum unknown, so the check is skipped rather than guessed.
    kept = [
        None if a is None or e is None else a - e
        for a, e in (
            (c.dbr_assessed, c.dbr_excluded_total),
            (c.other_assessed, c.other_excluded_total),
        )
    ]
    equal(
        "new_reports",
        _sum_known(kept),
        c.new_reports,
        "reports assessed minus reports excluded (both columns)",
    )
    at_most("new_studies", c.new_studies, "new_reports", c.new_reports)
    for unit in ("studies", "reports"):
        previous = getattr(c, f"previous_{unit}")
        new = getattr(c, f"new_{unit}")
        total = getattr(c, f"total_{unit}")
        if previous is not None and new is not None:
            equal(f"total_{unit}", previous + new, total, f"previous_{unit} plus new_{unit}")
    at_most("total_studies", c.total_studies, "total_reports", c.total_reports)
    return problems
