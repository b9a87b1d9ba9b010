"""Property tests of duplicate detection: copies are found, order does not matter, notices
never merge into their article."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from realist.domain.dedup import find_duplicates
from realist.domain.records import Record

# Made-up words keep titles of different works apart, as real titles mostly are.
WORDS = [
    a + b + c
    for a in ("pra", "nol", "vek", "sti", "mur", "qua", "del", "zor")
    for b in ("ten", "gal", "mis", "rop", "bex", "fyl")
    for c in ("a", "on", "ist", "ure")
]
SURNAMES = [
    "Müller",
    "Østergaard",
    "García",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Smith",
    "Ndlovu",
    "Yamamoto",
    "Larsen",
    "Dubois",
    "Rossi",
    "Öztürk",
    "Haddad",
]
GIVEN = ["Anna", "José", "Wei", "Ingrid", "Kwame", "Chloé", "Ahmed", "Sara"]
JOURNALS = [
    ("Journal of Affective Disorders", "J Affect Disord"),
    ("British Medical Journal", "BMJ"),
    ("Current Opinion in Lipidology", "Curr Opin Lipidol"),
    ("International Journal of Nursing Studies", "Int J Nurs Stud"),
    ("Social Science & Medicine", "Soc Sci Med"),
]


@st.composite
def works(draw: st.DrawFn) -> Record:
    """One journal article with a distinctive title."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=6, max_size=12, unique=True))
    authors = [
        f"{draw(st.sampled_from(SURNAMES))}, {draw(st.sampled_from(GIVEN))}"
        for _ in range(draw(st.integers(1, 4)))
    ]
    start = draw(st.integers(1, 2000))
    return Record(
        title=" ".join(words).capitalize(),
        authors=authors,
        year=draw(st.integers(1990, 2024)),
        journal=draw(st.sampled_from(JOURNALS))[0],
        volume=str(draw(st.integers(1, 300))),
        issue=str(draw(st.integers(1, 12))),
        pages=f"{start}-{start + draw(st.integers(1, 30))}",
        doi=draw(st.sampled_from(["", f"10.1000/x{start}.{len(words)}"])),
        kind="JOUR",
    )


def _strip_accents(text: str) -> str:
    return (
        "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        .replace("Ø", "O")
        .replace("ø", "o")
    )


@st.composite
def copies(draw: st.DrawFn, work: Record) -> Record:
    """The same work as another database exports it."""
    title = work.title
    if draw(st.booleans()):
        title = draw(st.sampled_from([title.upper(), title.lower(), title.title()]))
    if draw(st.booleans()):
        title = title + "."
    if draw(st.booleans()) and len(title) > 50:
        i = draw(st.integers(5, len(title) - 5))
        title = title[:i] + title[i + 1 :]  # one typo
    abbreviations = dict(JOURNALS)
    journal = abbreviations[work.journal] if draw(st.booleans()) else work.journal
    authors = work.authors
    if draw(st.booleans()):
        authors = [f"{a.split(', ')[0]} {a.split(', ')[1][0]}" for a in authors]  # Smith J
    if draw(st.booleans()):
        authors = [_strip_accents(a) for a in authors]
    doi = work.doi
    if doi and draw(st.booleans()):
        doi = draw(st.sampled_from(["", "https://doi.org/" + doi.upper(), "doi:" + doi]))
    pages = work.pages if draw(st.booleans()) else ""
    return Record(
        title=title,
        authors=authors,
        year=work.year,
        journal=journal,
        volume=work.volume,
        issue="" if draw(st.booleans()) else work.issue,
        pages=pages,
        doi=doi,
        kind="JOUR",
    )


@st.composite
def work_and_copy(draw: st.DrawFn) -> tuple[Record, Record]:
    work = draw(works())
    return work, draw(copies(work))


@settings(max_examples=150, deadline=None)
@given(work_and_copy())
def test_a_record_and_its_corrupted_copy_are_grouped(pair: tuple[Record, Record]) -> None:
    work, copy = pair
    work.id, copy.id = 1, 2
    result = find_duplicates([work, copy])
    assert [g.member_ids for g in result.groups] == [(1, 2)], (work, copy)


@st.composite
def collections(draw: st.DrawFn) -> list[Record]:
    """A few works, some with copies, some with an erratum, shuffled, with ids."""
    records: list[Record] = []
    for work in draw(st.lists(works(), min_size=1, max_size=6)):
        records.append(work)
        for _ in range(draw(st.integers(0, 2))):
            records.append(draw(copies(work)))
        if draw(st.booleans()):
            records.append(
                Record(
                    title="Erratum: " + work.title,
                    authors=work.authors,
                    year=work.year,
                    journal=work.journal,
                    volume=work.volume,
                    pages=str(draw(st.integers(2100, 2200))),
                    kind="JOUR",
                )
            )
    records = draw(st.permutations(records))
    for number, record in enumerate(records):
        record.id = 100 + number
    return records


@settings(max_examples=60, deadline=None)
@given(collections(), st.randoms(use_true_random=False))
def test_grouping_is_invariant_under_input_order(records: list[Record], rng: object) -> None:
    first = find_duplicates(records)
    shuffled = list(records)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    again = find_duplicates(shuffled)
    assert again.groups == first.groups
    assert again.pending == first.pending


@settings(max_examples=60, deadline=None)
@given(collections())
def test_an_erratum_never_joins_its_article(records: list[Record]) -> None:
    result = find_duplicates(records)
    by_id = {r.id: r for r in records}
    for group in result.groups:
        notices = {by_id[m].title.startswith("Erratum") for m in group.member_ids}
        assert len(notices) == 1, [by_id[m].title for m in group.member_ids]
