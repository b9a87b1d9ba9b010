"""The rules that decide whether two records are the same work.

A pair is *certain* only when the titles agree and nothing contradicts it: the rules ask for
more corroboration the weaker the title evidence is, and any hard conflict (different DOIs, an
erratum against its article, a meeting abstract against the full paper, years apart, different
numbers in the title, different pages or volumes) sends the pair to a person instead. A false
merge silently loses a record from a review, so every doubt errs towards review.
"""

from __future__ import annotations

from dataclasses import dataclass

# Blocking leaves a sparse set of pairs, so one C call per pair (with a score cutoff) does
# better than rapidfuzz.process.cdist's dense matrices, which would also need numpy.
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from realist.domain.dedup_keys import (
    clean_title,
    journal_tokens,
    journals_compatible,
    normalise_doi,
    normalise_pmid,
    notice_kind,
    number_key,
    page_span,
    pages_relation,
    parse_authors,
    title_key,
    title_numbers,
    title_variants,
    venue_kind,
)
from realist.domain.records import Record

NONE, PENDING, CERTAIN = 0, 1, 2

# Title similarity (normalised Indel, rapidfuzz's ratio / 100) thresholds.
TITLE_SAME = 0.95  # enough with agreeing authors
TITLE_CLOSE = 0.90  # enough with agreeing authors and one more agreeing source field
TITLE_REVIEW = 0.80  # below this, only identifiers make a pair worth a person's time
PARTIAL_MIN = 30  # characters a cut-short or bilingual title part must keep to be compared

_STOP = frozenset(
    (
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "and",
        "or",
        "for",
        "to",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "its",
    )
)
# Words of editorial matter: a title made only of these (and the journal's own name) is one
# that many different works share.
_EDITORIAL = frozenset(
    (
        "editorial",
        "editor",
        "editors",
        "comments",
        "comment",
        "commentary",
        "introduction",
        "preface",
        "foreword",
        "letter",
        "letters",
        "reply",
        "response",
        "news",
        "review",
        "reviews",
        "book",
        "books",
        "correspondence",
        "announcement",
        "announcements",
        "erratum",
        "errata",
        "correction",
        "corrections",
        "acknowledgement",
        "acknowledgements",
        "acknowledgment",
        "acknowledgments",
        "reviewers",
        "contents",
        "issue",
        "index",
        "remarks",
        "notes",
        "note",
        "abstracts",
        "obituary",
        "memoriam",
        "message",
        "president",
        "column",
        "highlights",
        "update",
        "special",
        "section",
        "guest",
        "from",
        "desk",
    )
)
_NOT_CONTENT = _STOP | _EDITORIAL
# Values that exports write for "no value" (R's NA, pandas' nan, "[No abstract available]").
_MISSING = frozenset(
    ("na", "n/a", "nan", "none", "null", "unknown", "-", "--", "[no abstract available]")
)


@dataclass(frozen=True)
class FieldEvidence:
    """How one field of two records compares: similarity 0..1 (None if missing) and a verdict.

    Verdicts: 'same', 'similar', 'different', 'missing' (one side or both lack the field).
    """

    similarity: float | None
    verdict: str


def _given(value: str) -> str:
    """The value, or '' when it is an export's placeholder for a missing value."""
    if len(value) > 24:
        return value
    return "" if value.strip().lower() in _MISSING else value


class Prepared:
    """One record's matching keys, computed once."""

    __slots__ = (
        "authors",
        "completeness",
        "doi",
        "generic",
        "given",
        "issue",
        "journal",
        "notice",
        "numbers",
        "pages",
        "pmid",
        "title",
        "variants",
        "venue",
        "volume",
        "year",
    )

    def __init__(self, record: Record) -> None:
        # Imported data is untrusted: a 200 MB "title" or 100,000 authors must not make
        # matching slow, and no real title, journal or page field is this long.
        title = clean_title(_given(record.title[:1000]))
        self.title = title_key(title)
        self.variants = title_variants(title)
        self.numbers = title_numbers(self.title)
        self.authors, self.given = parse_authors([a[:200] for a in record.authors[:12]])
        self.year = record.year
        journal, volume = _given(record.journal[:300]), _given(record.volume[:50])
        issue, pages = _given(record.issue[:50]), _given(record.pages[:100])
        self.journal = journal_tokens(journal)
        content = set(self.title.split()).difference(_NOT_CONTENT, self.journal)
        self.generic = sum(1 for w in content if len(w) > 2) < 2
        self.volume = number_key(volume)
        if self.year is not None and self.volume == str(self.year):
            self.volume = ""  # the year exported into the volume field
        self.issue = number_key(issue)
        self.pages = page_span(pages)
        self.doi = normalise_doi(record.doi[:300])
        self.pmid = normalise_pmid(record.pmid[:50])
        self.notice = notice_kind(title)
        self.venue = venue_kind(record.kind, journal, volume, issue, pages)
        self.completeness = (
            sum(
                map(
                    bool,
                    (
                        self.doi,
                        self.pmid,
                        _given(record.abstract[:30]),
                        self.pages,
                        self.volume,
                        self.issue,
                        self.journal,
                        self.year,
                        _given(record.issn[:30]),
                    ),
                )
            )
            + min(len(self.authors), 10) / 10
            + min(len(self.title), 300) / 1000
        )


def prepare(record: Record) -> Prepared:
    """Compute a record's matching keys."""
    return Prepared(record)


def title_similarity(a: Prepared, b: Prepared) -> tuple[float, bool]:
    """Similarity of two titles 0..1, and whether it comes from only part of one title.

    Parts are a title cut short (exports truncate at 255 characters), a title inside a longer
    one (a subtitle dropped), or one language of a bilingual title.
    """
    if a.title == b.title:
        return 1.0, False
    if not a.title or not b.title:
        return 0.0, False
    full = Indel.normalized_similarity(a.title, b.title)
    if full >= TITLE_SAME:
        return full, False
    best = 0.0
    short, long = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    if len(short) >= 15 and short.count(" ") >= 2 and long.startswith(short + " "):
        # a subtitle dropped: "Infrastructure in the wild" and "... in the wild: what ..."
        return max(full, TITLE_SAME), True
    if len(short) >= PARTIAL_MIN and len(long) > len(short):
        best = Indel.normalized_similarity(short, long[: len(short)])
        if best < TITLE_SAME and _mostly_within(short, long):
            best = max(best, fuzz.partial_ratio(short, long, score_cutoff=TITLE_SAME * 100) / 100)
    if (a.variants or b.variants) and best < TITLE_SAME:
        for x in a.variants or (a.title,):
            for y in b.variants or (b.title,):
                best = max(best, Indel.normalized_similarity(x, y))
        for x in a.variants:
            best = max(best, Indel.normalized_similarity(x, b.title))
        for y in b.variants:
            best = max(best, Indel.normalized_similarity(a.title, y))
    if best >= TITLE_SAME:
        return max(full, best), True
    return full, False


def _mostly_within(short: str, long: str) -> bool:
    """Most words of one title occur in the other: worth a (costlier) substring alignment."""
    words = set(short.split())
    return len(words & set(long.split())) >= 0.8 * len(words)


def _surnames_match(x: str, y: str) -> bool:
    """'smith' and 'smith', 'vanderberg' and 'berg', 'muller' and 'mueller'."""
    if x == y:
        return True
    shortest = min(len(x), len(y))
    if x[0] != y[0]:
        # a dropped particle or first letter ('ostensson' and 'stensson'); most pairs of
        # different names stop here, before the costlier checks
        return shortest >= 3 and (x.endswith(y) or y.endswith(x))
    if shortest >= 3 and (x.startswith(y) or y.startswith(x)):
        return True
    return shortest >= 4 and Indel.normalized_similarity(x, y, score_cutoff=0.8) >= 0.8


def _author_match(a: Prepared, i: int, b: Prepared, j: int) -> bool:
    """One author of each record: same surname, or the names swapped by one database."""
    if _surnames_match(a.authors[i], b.authors[j]):
        return True
    if not (a.given[i] or b.given[j]):
        return False
    return (a.authors[i] == b.given[j] or a.given[i] == b.authors[j]) and (
        a.given[i] == ""
        or b.given[j] == ""
        or a.given[i][0] == b.authors[j][0]
        or b.given[j][0] == a.authors[i][0]
    )


def author_agreement(a: Prepared, b: Prepared) -> tuple[bool, float] | None:
    """(first authors match, share of the shorter list found in the other); None if missing."""
    if not a.authors or not b.authors:
        return None
    first = _author_match(a, 0, b, 0)
    if len(a.authors) > len(b.authors):
        a, b = b, a
    others = set(b.authors)
    found = 0
    for i, name in enumerate(a.authors):
        if name in others or any(_author_match(a, i, b, j) for j in range(len(b.authors))):
            found += 1
    return first, found / len(a.authors)


def _numbers_differ(a: Prepared, b: Prepared, partial: bool) -> bool:
    """'Part 1' against 'Part 2'. A number on one side only may be a footnote mark."""
    if a.numbers == b.numbers or not a.numbers or not b.numbers:
        return False
    if partial:
        # numbers past a cut are unknown: compare those of the kept part only
        short, long = (a, b) if len(a.title) <= len(b.title) else (b, a)
        kept = title_numbers(long.title[: len(short.title)])
        return bool(kept) and short.numbers != kept
    return True


def _year_gap(a: Prepared, b: Prepared) -> int:
    return abs(a.year - b.year) if a.year is not None and b.year is not None else 0


def conflicts(
    a: Prepared, b: Prepared, tsim: float, partial: bool, coordinates: bool | None = None
) -> list[str]:
    """Hard reasons why two records cannot be merged without a person looking.

    ``coordinates`` is ``same_coordinates(a, b)`` when the caller already knows it.
    """
    found: list[str] = []
    identified = (a.doi and a.doi == b.doi) or (a.pmid and a.pmid == b.pmid)
    pages = pages_relation(a.pages, b.pages)
    gap = _year_gap(a, b)
    journals_differ = bool(a.journal and b.journal) and not journals_compatible(
        a.journal, b.journal
    )
    if a.notice != b.notice:
        found.append(f"{a.notice or 'article'} vs {b.notice or 'article'}")
    if (
        a.venue != b.venue
        and pages != "same"
        and (journals_differ or gap or pages == "different" or _long_article(a) or _long_article(b))
    ):
        # One side is a meeting abstract or conference paper and something else about the
        # source differs too: the other is the full paper, not a second copy of the abstract.
        found.append(f"{a.venue or 'article'} vs {b.venue or 'article'}")
    if a.doi and b.doi and a.doi != b.doi:
        found.append("different DOIs")
    if a.pmid and b.pmid and a.pmid != b.pmid:
        found.append("different PMIDs")
    if _numbers_differ(a, b, partial):
        found.append("different numbers in title")
    if not identified:
        if gap > 1:
            found.append("years apart")
        if journals_differ and pages != "same" and not _same_issue(a, b):
            # journal names vary between databases (translations, transliterations), but
            # then the volume, issue or pages still agree
            found.append("different journals")
        if pages == "different":
            found.append("different pages")
        # with the same pages a differing volume is a typo or a placeholder
        if pages != "same" and a.volume and b.volume and a.volume != b.volume:
            found.append("different volumes")
        if (a.generic or b.generic) and a.issue and b.issue and a.issue != b.issue:
            # issue numbers are noisy, but they are what tells two "Editor's comments" apart
            found.append("different issues")
        if tsim < TITLE_REVIEW and not (
            same_coordinates(a, b) if coordinates is None else coordinates
        ):
            found.append("different titles")
    return found


def _same_issue(a: Prepared, b: Prepared) -> bool:
    return bool(a.volume and a.issue) and (a.volume, a.issue) == (b.volume, b.issue)


def same_coordinates(a: Prepared, b: Prepared) -> bool:
    """Same journal, year, volume and first page of a paper of three pages or more.

    Two different papers cannot start on the same page of one journal volume, so this
    identifies a paper whose title one database translated or rewrote. Meeting abstracts
    share pages, hence the length; the first authors must agree when both are known.
    """
    if a.pages is None or b.pages is None or not a.volume or not a.year:
        return False
    if not (_long_article(a) and _long_article(b)):
        return False
    if not (
        a.pages[:2] == b.pages[:2]
        and a.volume == b.volume
        and a.year == b.year
        and bool(a.journal and b.journal)
        and journals_compatible(a.journal, b.journal)
        and (not a.authors or not b.authors or _author_match(a, 0, b, 0))
    ):
        return False
    if a.issue and b.issue and a.issue != b.issue:
        # some journals start every issue at page 1: then it takes a shared team of authors
        # or related titles (issue numbers are also often wrong, so they cannot veto alone)
        agreement = author_agreement(a, b)
        team = (
            agreement is not None
            and agreement[1] >= 0.99
            and min(len(a.authors), len(b.authors)) >= 2
        )
        return team or title_similarity(a, b)[0] >= 0.7
    return True


def _long_article(p: Prepared) -> bool:
    """A regular article of three pages or more: not what a meeting abstract looks like."""
    return not p.venue and p.pages is not None and p.pages[2] - p.pages[1] >= 2


def hard_conflict(a: Prepared, b: Prepared) -> bool:
    """Whether two records must never share a group (the guard against chaining)."""
    tsim, partial = title_similarity(a, b)
    return bool(conflicts(a, b, tsim, partial))


def _score(a: Prepared, b: Prepared, tsim: float, authors: tuple[bool, float] | None) -> float:
    """A 0..1 ordering score: mostly title, then authors, year, pages and identifiers."""
    author_part = 0.5 if authors is None else (0.5 * authors[0] + 0.5 * authors[1])
    if a.year is None or b.year is None:
        year_part = 0.5
    else:
        year_part = {0: 1.0, 1: 0.6}.get(abs(a.year - b.year), 0.0)
    page_part = {"same": 1.0, "different": 0.0}.get(pages_relation(a.pages, b.pages), 0.5)
    if (a.doi and b.doi) or (a.pmid and b.pmid):
        id_part = float((bool(a.doi) and a.doi == b.doi) or (bool(a.pmid) and a.pmid == b.pmid))
    else:
        id_part = 0.5
    return 0.55 * tsim + 0.15 * author_part + 0.1 * year_part + 0.1 * page_part + 0.1 * id_part


def compare(a: Prepared, b: Prepared) -> tuple[int, float, str]:
    """Decide a candidate pair: (NONE | PENDING | CERTAIN, score 0..1, reason)."""
    same_doi = bool(a.doi) and a.doi == b.doi
    same_pmid = bool(a.pmid) and a.pmid == b.pmid
    tsim, partial = title_similarity(a, b)
    coordinates = same_coordinates(a, b)
    if tsim < TITLE_REVIEW and not (same_doi or same_pmid or coordinates):
        # different titles and nothing else to tie the records: most candidate pairs end
        # here, before the costlier author comparison
        return NONE, 0.0, ""
    authors = author_agreement(a, b)
    score = _score(a, b, tsim, authors)
    # A supplement's or an issue's DOI given to every abstract in it links nothing by itself.
    related = tsim >= TITLE_CLOSE or (
        (same_doi or same_pmid) and (tsim >= 0.5 or (authors is not None and authors[0]))
    )
    found = conflicts(a, b, tsim, partial, coordinates)
    if found:
        # Worth a person's time only when one thing disagrees and the rest is strong: a
        # yearly "Editorial notes" differs in DOI, year, volume and pages all at once.
        if len(found) == 1 and related and not (a.generic or b.generic):
            return PENDING, min(score, 0.89), found[0]
        return NONE, score, ""
    if same_doi or same_pmid:
        label = "same DOI" if same_doi else "same PMID"
        if tsim >= TITLE_CLOSE:
            return CERTAIN, max(score, 0.95), label
        if related:
            return PENDING, min(score, 0.89), f"{label}, titles differ"
        return NONE, score, ""
    if coordinates and tsim < TITLE_CLOSE:
        # without authors to confirm it the titles must be close
        trusted = tsim >= 0.6 if authors is None else authors[1] >= 0.5
        if trusted and not (a.generic or b.generic):
            return (
                CERTAIN,
                max(score, 0.9),
                "same journal, volume and pages" + ("" if authors is None else " and authors"),
            )
        return PENDING, min(score, 0.89), "same journal, volume and pages, titles differ"
    pages_same = pages_relation(a.pages, b.pages) == "same"
    volume_same = bool(a.volume) and a.volume == b.volume
    journal_same = bool(a.journal and b.journal) and journals_compatible(a.journal, b.journal)
    year_same = a.year is not None and a.year == b.year
    authors_ok = authors is not None and (authors[0] or authors[1] >= 0.5)
    if a.generic or b.generic:
        # different works share short titles: ask for the full bibliographic match
        if tsim >= TITLE_SAME and pages_same and volume_same and (journal_same or year_same):
            return CERTAIN, score, "same short title, volume and pages"
    elif tsim >= TITLE_SAME and not partial:
        if authors_ok:
            return CERTAIN, score, "same title and authors"
        if (
            pages_same
            and volume_same
            and year_same
            and (journal_same or not (a.journal and b.journal))
        ):
            # Corporate and individual authors of one paper differ between databases; the
            # title with journal, year, volume and pages still pins the paper down.
            return CERTAIN, score, "same title, volume and pages"
        if authors is None and pages_same + volume_same + (journal_same and year_same) >= 2:
            return CERTAIN, score, "same title and source"
    elif (
        tsim >= TITLE_CLOSE
        and authors_ok
        and (pages_same or volume_same or (journal_same and year_same))
        and (not partial or pages_same or len(min(a.title, b.title, key=len)) >= PARTIAL_MIN)
    ):
        reason = "title partly matches" if partial else "similar title"
        return CERTAIN, score, f"{reason}, same authors and source"
    if tsim >= TITLE_REVIEW:
        reason = (
            "authors differ"
            if authors is not None and not authors_ok
            else ("title partly matches" if partial else "similar title")
        )
        return PENDING, min(score, 0.89), reason
    return NONE, score, ""


def _verdict(similarity: float | None) -> FieldEvidence:
    if similarity is None:
        return FieldEvidence(None, "missing")
    verdict = "same" if similarity >= 0.999 else "similar" if similarity >= 0.8 else "different"
    return FieldEvidence(round(similarity, 3), verdict)


def _exact(x: object, y: object) -> FieldEvidence:
    if not x or not y:
        return FieldEvidence(None, "missing")
    return _verdict(1.0 if x == y else 0.0)


def evidence(a: Prepared, b: Prepared) -> dict[str, FieldEvidence]:
    """Field-by-field comparison of two records, for the review queue."""
    tsim, _ = title_similarity(a, b)
    authors = author_agreement(a, b)
    if a.year is None or b.year is None:
        year = FieldEvidence(None, "missing")
    else:
        gap = abs(a.year - b.year)
        year = _verdict(1.0 if gap == 0 else 0.8 if gap == 1 else 0.0)
    if a.journal and b.journal:
        journal = _verdict(
            1.0
            if a.journal == b.journal
            else 0.9
            if journals_compatible(a.journal, b.journal)
            else 0.0
        )
    else:
        journal = FieldEvidence(None, "missing")
    pages = pages_relation(a.pages, b.pages)
    return {
        "doi": _exact(a.doi, b.doi),
        "pmid": _exact(a.pmid, b.pmid),
        "title": _verdict(tsim),
        "authors": _verdict(None if authors is None else authors[1]),
        "year": year,
        "journal": journal,
        "volume": _exact(a.volume, b.volume),
        "issue": _exact(a.issue, b.issue),
        "pages": FieldEvidence(None, "missing")
        if pages == "unknown"
        else _verdict(1.0 if pages == "same" else 0.0),
        "type": _verdict(1.0 if (a.notice, a.venue) == (b.notice, b.venue) else 0.0),
    }
