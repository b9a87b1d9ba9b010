"""A record's matching keys, computed once, and how alike two records' titles and authors are.

``dedup_rules`` decides pairs from these; ``dedup_keys`` holds the folding of each field.
"""

from __future__ import annotations

# Blocking leaves a sparse set of pairs, so one C call per pair (with a score cutoff) does
# better than rapidfuzz.process.cdist's dense matrices, which would also need numpy.
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from realist.domain.dedup_keys import (
    clean_title,
    journal_tokens,
    normalise_doi,
    normalise_pmid,
    notice_core,
    notice_kind,
    number_key,
    page_span,
    parse_authors,
    supplement_issue,
    title_key,
    title_numbers,
    title_variants,
    venue_kind,
)
from realist.domain.records import Record

TITLE_SAME = 0.95  # similarity enough with agreeing authors (the default of Rules.title_same)
PARTIAL_MIN = 30  # characters a cut-short or bilingual title part must keep to be compared
TRUNCATED_MIN = 20  # characters a title cut inside a word must keep to count as a prefix

STOP_WORDS = frozenset(
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
_NOT_CONTENT = STOP_WORDS | _EDITORIAL
# Words that name the kind of report: a trial's protocol, its pilot, its interim or baseline
# results share the final report's title and authors but one of these words.
REPORT_WORDS = frozenset(
    (
        "protocol",
        "protocols",
        "rationale",
        "design",
        "pilot",
        "feasibility",
        "preliminary",
        "interim",
        "baseline",
        "secondary",
        "extension",
        "update",
        "updated",
    )
)
_NO_WORDS: frozenset[str] = frozenset()
# Values that exports write for "no value" (R's NA, pandas' nan, "[No abstract available]").
_MISSING = frozenset(
    ("na", "n/a", "nan", "none", "null", "unknown", "-", "--", "[no abstract available]")
)


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
        "core",
        "doi",
        "generic",
        "given",
        "issue",
        "journal",
        "notice",
        "numbers",
        "online",
        "pages",
        "pmid",
        "report",
        "supplement",
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
        words = REPORT_WORDS.intersection(self.title.split())
        self.report = frozenset(words) if words else _NO_WORDS
        self.authors, self.given = parse_authors([a[:200] for a in record.authors[:12]])
        self.year = record.year
        journal, volume = _given(record.journal[:300]), _given(record.volume[:50])
        issue, pages = _given(record.issue[:50]), _given(record.pages[:100])
        self.journal = journal_tokens(journal)
        content = set(self.title.split()).difference(_NOT_CONTENT, self.journal)
        # a missing title is unknown, not one that many works share
        self.generic = bool(self.title) and sum(1 for w in content if len(w) > 2) < 2
        self.volume = number_key(volume)
        if self.year is not None and self.volume == str(self.year):
            self.volume = ""  # the year exported into the volume field
        self.issue = number_key(issue)
        self.pages = page_span(pages)
        self.doi = normalise_doi(record.doi[:300])
        self.pmid = normalise_pmid(record.pmid[:50])
        self.notice = notice_kind(title)
        # the title of the article a notice is about ("Erratum to: <title>")
        self.core = notice_core(self.title) if self.notice else self.title
        # no volume and no issue: perhaps the version published online before print
        self.online = not self.volume and not self.issue
        self.venue = venue_kind(record.kind, journal, volume, issue, pages)
        self.supplement = supplement_issue(volume, issue)
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
    if len(short) >= TRUNCATED_MIN and " " in short and long.startswith(short):
        # an export that cut the title short, inside a word: "Effects of exercise on depr"
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


def author_match(a: Prepared, i: int, b: Prepared, j: int) -> bool:
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
    first = author_match(a, 0, b, 0)
    if len(a.authors) > len(b.authors):
        a, b = b, a
    others = set(b.authors)
    found = 0
    for i, name in enumerate(a.authors):
        if name in others or any(author_match(a, i, b, j) for j in range(len(b.authors))):
            found += 1
    return first, found / len(a.authors)
