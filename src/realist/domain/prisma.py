"""PRISMA 2020 flow-diagram counts and the arithmetic that ties them together.

The model holds every box of the PRISMA 2020 flow diagram for new (and, optionally, updated)
systematic reviews that searched databases, registers and other sources (Page et al., BMJ
2021;372:n71). Field names are those of the PRISMA2020 R package and Shiny app (Haddaway et al.,
Campbell Systematic Reviews 2022;18:e1230), so a CSV written from it opens in that tool.

``None`` always means *unknown*, never zero: a review reported from a paper often gives only a
few of the counts, and a diagram must not invent the rest. Two fields are Realist's own
(``website_specific_results`` and ``organisations_contacted``): the R package has nowhere to
name the websites searched or say how many organisations were asked, and PRISMA 2020 item 7 asks
for both.
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
    duplicates: int | None = None
    excluded_automatic: int | None = None
    excluded_other: int | None = None
    records_screened: int | None = None
    records_excluded: int | None = None
    dbr_sought_reports: int | None = None
    dbr_notretrieved_reports: int | None = None
    dbr_assessed: int | None = None
    dbr_excluded: Breakdown | None = None
    other_sought_reports: int | None = None
    other_notretrieved_reports: int | None = None
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


def consistency_problems(counts: PrismaCounts) -> list[str]:
    """Arithmetic in the flow that does not add up, one sentence per problem.

    A rule is checked only when every number it uses is known: an unknown count is a gap in
    the report, not an error. An empty list means nothing known contradicts anything else.
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
    ):
        parts: Breakdown = getattr(c, parts_name)
        if parts:
            equal(
                f"{total_name}",
                _sum_known(parts.values()),
                getattr(c, total_name),
                f"the sum of {parts_name}",
            )

    identified = _sum_known([c.database_results, c.register_results])
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
            c.records_screened - c.records_excluded,
            c.dbr_sought_reports,
            "records_screened minus records_excluded",
        )
    for col in ("dbr", "other"):
        sought = getattr(c, f"{col}_sought_reports")
        not_retrieved = getattr(c, f"{col}_notretrieved_reports")
        assessed = getattr(c, f"{col}_assessed")
        excluded = breakdown_total(getattr(c, f"{col}_excluded"))
        at_most(f"{col}_notretrieved_reports", not_retrieved, f"{col}_sought_reports", sought)
        if sought is not None and not_retrieved is not None:
            equal(
                f"{col}_assessed",
                sought - not_retrieved,
                assessed,
                f"{col}_sought_reports minus {col}_notretrieved_reports",
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
