"""A small review for prioritised screening tests: a few obviously relevant records (teacher
mentoring) among many that are not, in an order where the relevant ones are not first."""

from __future__ import annotations

from pathlib import Path

from realist.domain.review import Reviewer
from realist.domain.screening import Stage
from realist.services import imports, prioritising, screening
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import reviews as reviews_repo

TA = Stage.TITLE_ABSTRACT
RELEVANT = [
    "Mentoring new teachers in primary schools",
    "A mentoring programme for beginning teachers",
    "Teacher mentoring and retention in rural schools",
]
OTHER = [
    "Soil bacteria in arable farms",
    "Road traffic noise and sleep quality",
    "Tax policy for small firms",
    "Ocean temperature records since 1900",
    "Bird migration routes over the Alps",
    "Hospital cleaning rotas and infection",
    "Volcanic ash and aviation safety",
    "Coffee prices on world markets",
    "Glacier retreat in the Andes",
    "Parking charges in city centres",
    "Honey bee colony losses",
    "Wind turbine noise complaints",
]
# Record n (1-based) is TITLES[n - 1]: the relevant ones are records 6, 11 and 15.
TITLES = OTHER[:5] + RELEVANT[:1] + OTHER[5:9] + RELEVANT[1:2] + OTHER[9:12] + RELEVANT[2:]
RELEVANT_IDS = {TITLES.index(t) + 1 for t in RELEVANT}


def ris(titles: list[str]) -> str:
    return "".join(
        f"TY  - JOUR\nAU  - Author, A{n}\nTI  - {title}\nPY  - 2020\n"
        f"AB  - This study looks at {title.lower()}.\nER  - \n\n"
        for n, title in enumerate(titles)
    )


def make_review(target: str, folder: Path, titles: list[str] | None = None) -> Store:
    """The review, with ann (owner) and bob (reviewer), records imported from a RIS file."""
    store = init_review(target, "Mentoring", "ann")
    with store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Bob"))
    path = folder / "search.ris"
    path.write_text(ris(titles or TITLES), encoding="utf-8")
    imports.import_file(store, path, source_name="ERIC")
    return store


def ranked(store: Store, reviewer: str | None = None, stage: Stage = TA) -> list[int]:
    """The record ids in the order the reviewer's queue ranks them now."""
    order = prioritising.queue_order(store, stage, reviewer)
    assert order.ranking is not None
    return [int(r) for r in order.ranking.ranked]


def next_id(store: Store, reviewer: str | None = None, after: int | None = None) -> int | None:
    found = screening.next_record(store, TA, reviewer, after).record
    return None if found is None else found.id
