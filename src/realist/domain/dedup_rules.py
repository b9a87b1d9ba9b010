"""The rules that decide whether two records are the same work.

A pair is *certain* only when the titles agree and nothing contradicts it: the rules ask for
more corroboration the weaker the title evidence is, and any hard conflict (different DOIs, an
erratum against its article, a meeting abstract against the full paper, years apart, different
numbers in the title, different pages or volumes) sends the pair to a person instead. A false
merge silently loses a record from a review, so every doubt errs towards review. The queue is
where a person finds what the rules would not merge: a notice and its article (the setting
dedup_merge_errata), a conference abstract and its article, the same title by the same
authors whatever the source says (docs/ARCHITECTURE.md, "Deduplication").
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from realist.domain.dedup_keys import journals_compatible, pages_relation, title_numbers
from realist.domain.dedup_prepare import (
    PARTIAL_MIN,
    STOP_WORDS,
    TITLE_SAME,
    Prepared,
    author_agreement,
    author_match,
    prepare,
    title_similarity,
)

__all__ = [
    "CERTAIN",
    "DEFAULT_RULES",
    "NONE",
    "PENDING",
    "FieldEvidence",
    "Prepared",
    "Rules",
    "compare",
    "conflicts",
    "evidence",
    "hard_conflict",
    "kept_apart_by_setting",
    "prepare",
    "same_coordinates",
]

NONE, PENDING, CERTAIN = 0, 1, 2

# Title similarity (normalised Indel, rapidfuzz's ratio / 100) thresholds: the defaults of
# Rules below (TITLE_SAME, 0.95, is in dedup_prepare). bench/dedup.py --loso chose them by
# leave-one-set-out over the labelled sets (bench/README.md, docs/ARCHITECTURE.md).
TITLE_CLOSE = 0.88  # enough with agreeing authors and one more agreeing source field
TITLE_REVIEW = 0.80  # below this, only identifiers make a pair worth a person's time
CUT_AT_LIMIT = 200  # a title this long that is a prefix of another may be cut at a limit
# Notices that the setting dedup_merge_errata merges into their article (when their authors
# are the article's). A retraction never is: it must stay in sight.
MERGEABLE_NOTICES = frozenset(("erratum", "reply", "comment"))
ERRATA_SETTING = "dedup_merge_errata"


@dataclass(frozen=True)
class Rules:
    """The thresholds and the review's choices that one deduplication run applies.

    ``title_same``: title similarity that is enough with agreeing authors; ``title_close``:
    enough with agreeing authors and an agreeing source field (and what puts a pair with
    conflicts in the queue); ``title_review``: below it, a pair needs an identifier or the
    same journal coordinates to be compared at all. ``merge_errata``: merge an erratum, or a
    reply or comment by the article's own authors, into the article it repeats (the setting
    dedup_merge_errata; off by default, and the pair then waits in the queue saying so).
    """

    title_same: float = TITLE_SAME
    title_close: float = TITLE_CLOSE
    title_review: float = TITLE_REVIEW
    merge_errata: bool = False


DEFAULT_RULES = Rules()
KEPT_APART = f"kept apart by setting {ERRATA_SETTING}"


def kept_apart_by_setting(reason: str) -> bool:
    """Whether a queued pair's reason says the setting dedup_merge_errata kept it apart."""
    return reason.endswith(KEPT_APART)


@dataclass(frozen=True)
class FieldEvidence:
    """How one field of two records compares: similarity 0..1 (None if missing) and a verdict.

    Verdicts: 'same', 'similar', 'different', 'missing' (one side or both lack the field).
    """

    similarity: float | None
    verdict: str


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


def _reports_differ(a: Prepared, b: Prepared, partial: bool) -> bool:
    """'...: protocol for a randomised trial' against '...: a randomised trial', or '...: a
    pilot study' against '...' (the word is what a shorter title lacks). Past the cut of a
    title that an export cut at its field's limit, words are unknown: there only the kept
    part's words count."""
    short, long = (a, b) if len(a.title) <= len(b.title) else (b, a)
    if partial and len(short.title) >= CUT_AT_LIMIT:
        return not short.report <= long.report
    return True


def _year_gap(a: Prepared, b: Prepared) -> int:
    return abs(a.year - b.year) if a.year is not None and b.year is not None else 0


def conflicts(
    a: Prepared,
    b: Prepared,
    tsim: float,
    partial: bool,
    coordinates: bool | None = None,
    rules: Rules = DEFAULT_RULES,
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
        and not (a.pages and b.pages and a.pages[:2] == b.pages[:2])
        and (
            journals_differ
            or gap
            or pages == "different"
            or _long_article(a)
            or _long_article(b)
            or a.volume != b.volume
            or _regular_against_supplement(a, b)
        )
    ):
        # One side is a meeting abstract or conference paper, and neither the first page
        # (an abstract's page S365 inside an article's 364-383 is chance) nor the volume
        # show the other to be a second database's record of the same abstract (one that
        # does not mark it as such), or one is in a supplement and the other, with pages,
        # in a regular issue: the other may be the full paper.
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
        if pages == "different" and not (_paged_alone(a) or _paged_alone(b)):
            found.append("different pages")
        # with the same pages a differing volume is a typo or a placeholder
        if pages != "same" and a.volume and b.volume and a.volume != b.volume:
            found.append("different volumes")
        if (a.generic or b.generic) and a.issue and b.issue and a.issue != b.issue:
            # issue numbers are noisy, but they are what tells two "Editor's comments" apart
            found.append("different issues")
        if (
            a.report != b.report
            and _reports_differ(a, b, partial)
            and not (same_coordinates(a, b) if coordinates is None else coordinates)
        ):
            # a trial's protocol and its report (the same pages would make them one paper
            # whose title names a treatment protocol)
            found.append("different reports (" + ", ".join(sorted(a.report ^ b.report)) + ")")
        if (
            tsim < rules.title_review
            and a.title
            and b.title
            and not (same_coordinates(a, b) if coordinates is None else coordinates)
        ):
            found.append("different titles")
    return found


def _regular_against_supplement(a: Prepared, b: Prepared) -> bool:
    """One record in a supplement issue, the other in a regular issue with its pages."""
    if a.supplement == b.supplement or not (a.issue and b.issue):
        return False
    regular = b if a.supplement else a
    return regular.pages is not None


def _paged_alone(p: Prepared) -> bool:
    """Pages numbered from 1 in a record with no volume or issue: an article published
    online before print numbers its own pages, so they cannot contradict the printed ones."""
    return p.online and p.pages is not None and p.pages[1] == 1


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
        and (not a.authors or not b.authors or author_match(a, 0, b, 0))
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


def hard_conflict(a: Prepared, b: Prepared, rules: Rules = DEFAULT_RULES) -> bool:
    """Whether two records must never share a group (the guard against chaining): a
    conflict that no rule for certain pairs overrides."""
    tsim, partial = title_similarity(a, b)
    if not conflicts(a, b, tsim, partial, rules=rules):
        return False
    return compare(a, b, rules)[0] != CERTAIN


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


def compare(a: Prepared, b: Prepared, rules: Rules = DEFAULT_RULES) -> tuple[int, float, str]:
    """Decide a candidate pair: (NONE | PENDING | CERTAIN, score 0..1, reason)."""
    same_doi = bool(a.doi) and a.doi == b.doi
    same_pmid = bool(a.pmid) and a.pmid == b.pmid
    untitled = not a.title or not b.title
    if a.notice != b.notice and not untitled:
        decided = _notice_pair(a, b, rules)
        if decided is not None:
            return decided
    tsim, partial = title_similarity(a, b)
    coordinates = same_coordinates(a, b)
    if tsim < rules.title_review and not (same_doi or same_pmid or coordinates or untitled):
        if a.generic != b.generic and _same_issue(a, b):
            return _generic_in_issue(a, b)
        # different titles and nothing else to tie the records: most candidate pairs end
        # here, before the costlier author comparison
        return NONE, 0.0, ""
    authors = author_agreement(a, b)
    score = _score(a, b, tsim, authors)
    # A supplement's or an issue's DOI given to every abstract in it links nothing by itself.
    related = tsim >= rules.title_close or (
        (same_doi or same_pmid) and (tsim >= 0.5 or (authors is not None and authors[0]))
    )
    found = conflicts(a, b, tsim, partial, coordinates, rules)
    if found:
        return _conflicting(a, b, tsim, partial, authors, score, related, found, rules)
    if same_doi or same_pmid:
        label = "same DOI" if same_doi else "same PMID"
        if tsim >= rules.title_close:
            return CERTAIN, max(score, 0.95), label
        if untitled and _one_team(authors) and not (a.venue or b.venue):
            # nothing to contradict the identifier, and the authors confirm it
            return CERTAIN, max(score, 0.9), f"{label} and authors, a title missing"
        if related:
            return PENDING, min(score, 0.89), f"{label}, titles differ"
        return NONE, score, ""
    if coordinates and tsim < rules.title_close:
        # without authors to confirm it the titles must be close
        trusted = tsim >= 0.6 if authors is None else authors[1] >= 0.5
        if trusted and not (a.generic or b.generic):
            return (
                CERTAIN,
                max(score, 0.9),
                "same journal, volume and pages" + ("" if authors is None else " and authors"),
            )
        return PENDING, min(score, 0.89), "same journal, volume and pages, titles differ"
    if untitled:
        return _untitled(a, b, authors, score)
    pages_same = pages_relation(a.pages, b.pages) == "same"
    volume_same = bool(a.volume) and a.volume == b.volume
    journal_same = bool(a.journal and b.journal) and journals_compatible(a.journal, b.journal)
    year_same = a.year is not None and a.year == b.year
    authors_ok = authors is not None and (authors[0] or authors[1] >= 0.5)
    if a.generic or b.generic:
        # different works share short titles: ask for the full bibliographic match
        if tsim >= rules.title_same and pages_same and volume_same and (journal_same or year_same):
            return CERTAIN, score, "same short title, volume and pages"
    elif tsim >= rules.title_same and not partial:
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
    elif tsim >= rules.title_close and authors_ok:
        reason = "title partly matches" if partial else "similar title"
        short = len(min(a.title, b.title, key=len))
        # A team's companion papers in one journal differ in a word ("... on depressive
        # symptoms ..." and "... on anxiety symptoms ..."): below title_same only the same
        # pages tell a reworded title from another paper.
        swapped = not pages_same and not partial and _swapped_word(a, b)
        if swapped:
            return PENDING, min(score, 0.89), f"{reason}, a word differs"
        if (pages_same or volume_same or (journal_same and year_same)) and (
            not partial or pages_same or short >= PARTIAL_MIN
        ):
            return CERTAIN, score, f"{reason}, same authors and source"
        if (
            journal_same
            and (a.online or b.online)
            and _one_team(authors)
            and not partial
            and (not (a.generic or b.generic))
        ):
            # the version published online first: a year earlier (or the same), no volume,
            # issue or pages yet; the years differ by one at most (else: "years apart")
            return CERTAIN, score, f"{reason}, same authors and journal; early online version"
    if tsim >= rules.title_review:
        reason = (
            "authors differ"
            if authors is not None and not authors_ok
            else ("title partly matches" if partial else "similar title")
        )
        return PENDING, min(score, 0.89), reason
    return NONE, score, ""


def _swapped_word(a: Prepared, b: Prepared) -> bool:
    """Each title has a content word that the other has in no spelling ('depressive' against
    'anxiety'), where a typo, 'randomised' and 'randomized', or 'worker' and 'workers' match."""
    words_a = {w for w in a.title.split() if len(w) > 3 and w not in STOP_WORDS}
    words_b = {w for w in b.title.split() if len(w) > 3 and w not in STOP_WORDS}
    only_a, only_b = words_a - words_b, words_b - words_a
    if not only_a or not only_b:
        return False

    def alike(x: str, y: str) -> bool:
        return (
            x.startswith(y)
            or y.startswith(x)
            or Indel.normalized_similarity(x, y, score_cutoff=0.75) >= 0.75
        )

    return any(not any(alike(x, y) for y in only_b) for x in only_a) and any(
        not any(alike(y, x) for x in only_a) for y in only_b
    )


def _one_team(authors: tuple[bool, float] | None) -> bool:
    """The first authors match and at least half of the shorter list is in the other."""
    return authors is not None and authors[0] and authors[1] >= 0.5


def _conflicting(
    a: Prepared,
    b: Prepared,
    tsim: float,
    partial: bool,
    authors: tuple[bool, float] | None,
    score: float,
    related: bool,
    found: list[str],
    rules: Rules,
) -> tuple[int, float, str]:
    """Decide a pair with conflicts: certain only when the conflicts are the pages (and the
    journal's name) of one long article; queued when one thing disagrees and the rest is
    strong, or when title and authors agree whatever the source says; else nothing. (A
    yearly "Editorial notes" differs in DOI, year, volume and pages all at once.)"""
    generic = a.generic or b.generic
    if (
        set(found) <= {"different pages", "different journals"}
        and tsim >= rules.title_same
        and not partial
        and not generic
        and a.year == b.year
        and a.volume
        and a.volume == b.volume
        and _long_article(a)
        and _long_article(b)
        and _whole_team(a, b, authors, journal_same="different journals" not in found)
    ):
        # One long article: same title, all its authors, year and volume. Pages that still
        # differ are a database's error, or the same paper printed twice (a supplement, a
        # journal's edition in another language): one work for a review either way.
        return (
            CERTAIN,
            min(score, 0.9),
            "same title, authors, year and volume; " + ("; ".join(found)),
        )
    if generic:
        return NONE, score, ""
    if len(found) == 1 and related:
        return PENDING, min(score, 0.89), found[0]
    if (
        tsim >= rules.title_close
        and _one_team(authors)
        and "different numbers in title" not in found
        and not any(f.startswith("different reports") for f in found)
    ):
        # the same title by the same authors: a conference abstract and its article, a
        # paper printed twice, a review's versions; a person decides
        return PENDING, min(score, 0.89), "; ".join(found)
    return NONE, score, ""


def _whole_team(
    a: Prepared, b: Prepared, authors: tuple[bool, float] | None, journal_same: bool
) -> bool:
    """Every author of the shorter list is in the other, first authors alike; a single
    author is enough only within one journal."""
    if authors is None or not authors[0] or authors[1] < 0.999:
        return False
    return journal_same or min(len(a.authors), len(b.authors)) >= 2


def _generic_in_issue(a: Prepared, b: Prepared) -> tuple[int, float, str]:
    """A generic title ('Editorial') against a full one by the same team (two authors or
    more, all alike) in the same issue of the same journal: often one editorial that one
    database titles by its kind. Never certain: editors write more than one piece."""
    authors = author_agreement(a, b)
    if (
        authors is None
        or not _whole_team(a, b, authors, journal_same=False)
        or not (a.journal and b.journal and journals_compatible(a.journal, b.journal))
    ):
        return NONE, 0.0, ""
    score = _score(a, b, 0.0, authors)
    return PENDING, min(score, 0.89), "a generic title by the same authors in the same issue"


def _untitled(
    a: Prepared, b: Prepared, authors: tuple[bool, float] | None, score: float
) -> tuple[int, float, str]:
    """A record without a title against another: worth a person's time when the first
    authors, the year (give or take one) and the journal agree; never certain on that."""
    if not _one_team(authors) or _year_gap(a, b) > 1:
        return NONE, score, ""
    if not (a.journal and b.journal and journals_compatible(a.journal, b.journal)):
        return NONE, score, ""
    # (pages or volumes that differ are conflicts, decided before)
    return PENDING, min(score, 0.89), "a title missing; same authors, year and journal"


def _notice_pair(a: Prepared, b: Prepared, rules: Rules) -> tuple[int, float, str] | None:
    """A notice (erratum, comment, reply, retraction) against the article it is about.

    None when neither is an article, or the notice is about another article: the ordinary
    rules then keep them apart. An erratum, reply or comment by the article's authors merges
    into it only under the setting dedup_merge_errata; otherwise the pair is queued, saying
    why it was kept apart.
    """
    notice, article = (a, b) if a.notice else (b, a)
    if article.notice or not notice.core:
        return None
    core = Indel.normalized_similarity(notice.core, article.title)
    if core < rules.title_close and not (
        len(article.title) >= PARTIAL_MIN and article.title in notice.core
    ):
        return None
    authors = author_agreement(a, b)
    score = _score(a, b, core, authors)
    kind = notice.notice
    if kind not in MERGEABLE_NOTICES:
        return PENDING, min(score, 0.89), f"{kind} of this article: kept apart (never merged)"
    own = _one_team(authors) or (
        kind == "erratum"
        and authors is None
        and bool(a.journal and b.journal)
        and journals_compatible(a.journal, b.journal)
    )
    if not own:
        return PENDING, min(score, 0.89), f"{kind} by other authors: kept apart"
    if not rules.merge_errata:
        return (
            PENDING,
            min(score, 0.89),
            f"{kind} of this article: {KEPT_APART}",
        )
    if _year_gap(a, b) > 2 or (
        a.journal and b.journal and not journals_compatible(a.journal, b.journal)
    ):
        return PENDING, min(score, 0.89), f"{kind} of this article? other journal or years"
    return CERTAIN, min(score, 0.9), f"{kind} merged into its article by setting {ERRATA_SETTING}"


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
