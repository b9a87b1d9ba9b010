"""Find duplicate records: certain groups to merge, uncertain pairs for a person to review.

The engine runs in four steps, each near-linear in the number of records:

1. *Prepare* every record once into compact keys (``dedup_keys``).
2. *Block*: records that share a DOI or PMID, the first or last characters of a title (or of
   either language of a bilingual title), two of their three rarest title words, first
   author + year + first page, year + volume + first page, the first author with the
   title's first letters or a rare title word, or the first author within one issue become
   candidate pairs; a record without a title, or without volume and issue, meets its first
   author's records of the same journal and year (±1). Several passes catch what one misses
   (a typo in the first words, a truncated or missing title, a translated title, a title
   respelt at both ends); a block too big to compare in full is walked as a sorted
   neighbourhood instead.
3. *Compare* each candidate pair field by field (``dedup_rules``): certain, pending or neither.
4. *Group* certain pairs with union-find, refusing any union that would put two records with a
   hard conflict (different DOIs, an erratum and its article, years apart, ...) in one group, so
   one bad link cannot chain different works together. Refused links go to the review queue.

Everything is ordered by record id, so the same records give the same result in any order.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from realist.domain.dedup_prepare import STOP_WORDS
from realist.domain.dedup_rules import (
    CERTAIN,
    DEFAULT_RULES,
    PENDING,
    FieldEvidence,
    Prepared,
    Rules,
    compare,
    evidence,
    hard_conflict,
    prepare,
)
from realist.domain.records import Record

__all__ = ["DedupResult", "FieldEvidence", "Group", "Pair", "Rules", "find_duplicates"]

Progress = Callable[[int, int], None]

# A block of up to this many records is compared in full; a bigger one (a generic title such
# as "Editorial", a very common word pair) is walked as a sorted neighbourhood of WINDOW.
BLOCK_LIMIT = 48
WINDOW = 12
# Rarest-words blocking skips words that occur in more than this share of titles.
COMMON_WORD_SHARE = 0.02
# The union guard checks every cross pair of two small groups, a sample of big ones.
GUARD_SAMPLE = 40
# Rare-word blocking pairs up a title's this many rarest words.
RARE_WORDS = 3
# A record without a title (or without volume and issue) is compared with at most this many
# of one first author's records in a journal and year.
INCOMPLETE_LIMIT = 200


@dataclass(frozen=True)
class Group:
    """Records judged certainly the same work; ``keeper_id`` is the most complete one."""

    keeper_id: int
    member_ids: tuple[int, ...]  # all members, keeper included, ascending
    confidence: float  # 0..1: the weakest link that holds the group together
    reason: str


@dataclass(frozen=True)
class Pair:
    """Two records that may be the same work, for a person to decide."""

    a_id: int
    b_id: int
    score: float  # 0..1, higher is more likely the same work
    reason: str
    evidence: Mapping[str, FieldEvidence] = field(default_factory=dict)


@dataclass
class DedupResult:
    """Certain duplicate groups and the uncertain pairs left for review."""

    groups: list[Group]
    pending: list[Pair]

    def removed_ids(self) -> set[int]:
        """Ids that merging the certain groups removes (every member but the keeper)."""
        return {m for g in self.groups for m in g.member_ids if m != g.keeper_id}

    def keeper_of(self) -> dict[int, int]:
        """Map from each grouped record id to its group's keeper id."""
        return {m: g.keeper_id for g in self.groups for m in g.member_ids}


def find_duplicates(
    records: Sequence[Record],
    progress: Progress | None = None,
    rules: Rules = DEFAULT_RULES,
) -> DedupResult:
    """Find duplicate records.

    Returns certain groups (to merge automatically) and pending pairs (for a person). Every
    record needs a unique integer ``id``. ``progress(done, total)`` is called now and then;
    the first half of ``total`` is preparing records, the second half comparing pairs.
    ``rules`` holds the thresholds and the review's choices (errata merged or kept apart).
    The result depends only on the records (and the rules), not on their order.
    """
    # Matching allocates many small objects that live until it ends. The cyclic collector
    # would scan the caller's records again and again while they pile up (a third of the
    # time at 50,000 records); set the objects already there aside until the end. None of
    # them is freed meanwhile. Left alone when someone else has frozen objects already.
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        return _find_duplicates(records, progress, rules)
    finally:
        if freeze:
            gc.unfreeze()


def _find_duplicates(
    records: Sequence[Record], progress: Progress | None, rules: Rules
) -> DedupResult:
    ordered = sorted(records, key=_record_id)
    ids = [_record_id(r) for r in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("record ids must be unique")
    n = len(ordered)
    total = 2 * n
    prepared: list[Prepared] = []
    for i, record in enumerate(ordered):
        prepared.append(prepare(record))
        if progress is not None and i % 5000 == 4999:
            progress(i + 1, total)
    if progress is not None:
        progress(n, total)

    candidates = sorted(_candidate_pairs(prepared))
    certain: list[tuple[float, int, int, str]] = []
    maybe: list[tuple[float, int, int, str]] = []
    step = max(1, len(candidates) // 50)
    for done, code in enumerate(candidates):
        i, j = divmod(code, n)
        decision, score, reason = compare(prepared[i], prepared[j], rules)
        if decision == CERTAIN:
            certain.append((score, i, j, reason))
        elif decision == PENDING:
            maybe.append((score, i, j, reason))
        if progress is not None and done % step == step - 1:
            progress(n + (n * (done + 1)) // len(candidates), total)

    clusters, refused = _cluster(prepared, certain, rules)
    maybe.extend(refused)
    groups = _groups(prepared, ids, clusters, certain)
    pending = _pending(prepared, ids, clusters, maybe)
    if progress is not None:
        progress(total, total)
    return DedupResult(groups=groups, pending=pending)


def _record_id(record: Record) -> int:
    if record.id is None:
        raise ValueError("every record needs an id to be deduplicated")
    return record.id


# --- blocking -----------------------------------------------------------------------------


def _candidate_pairs(prepared: Sequence[Prepared]) -> set[int]:
    """Candidate pairs from all blocking passes, each encoded as ``i * n + j`` with i < j."""
    n = len(prepared)
    pairs: set[int] = set()
    rare = _rarest_words(prepared)
    passes: tuple[Callable[[], Iterator[tuple[str, ...]]], ...] = (
        lambda: _identifier_keys(prepared),
        lambda: _title_keys(prepared),
        lambda: _rare_word_keys(rare),
        lambda: _source_keys(prepared),
        lambda: _author_keys(prepared, rare),
        lambda: _author_keys(prepared),
        lambda: _issue_keys(prepared),
    )
    for keys in passes:
        blocks: dict[str, list[int]] = defaultdict(list)
        for i, record_keys in enumerate(keys()):
            for key in record_keys:
                blocks[key].append(i)
        for members in blocks.values():
            if len(members) > 1:
                _block_pairs(prepared, members, n, pairs)
        del blocks
    _incomplete_pairs(prepared, pairs)
    return pairs


def _identifier_keys(prepared: Sequence[Prepared]) -> Iterator[tuple[str, ...]]:
    for p in prepared:
        yield tuple(k for k in ("d" + p.doi if p.doi else "", "p" + p.pmid if p.pmid else "") if k)


def _title_keys(prepared: Sequence[Prepared]) -> Iterator[tuple[str, ...]]:
    """The first and the last characters of the title, and of each language of it."""
    for p in prepared:
        keys = []
        for title in (p.title, *p.variants):
            compact = title.replace(" ", "")
            if len(compact) >= 12:
                keys.append("<" + compact[:24])
            if len(compact) >= 30:
                keys.append(">" + compact[-24:])
        yield tuple(keys)


def _rarest_words(prepared: Sequence[Prepared]) -> list[tuple[str, ...]]:
    """Each title's three rarest words (of three letters or more), rarest first."""
    frequency: Counter[str] = Counter()
    for p in prepared:
        frequency.update(set(p.title.split()))
    limit = max(50, int(COMMON_WORD_SHARE * len(prepared)))
    rarest = []
    for p in prepared:
        words = sorted(
            {
                w
                for w in p.title.split()
                if len(w) > 2 and frequency[w] <= limit and w not in STOP_WORDS
            },
            key=lambda w: (frequency[w], w),
        )
        # one string per word, not one per title that has it
        rarest.append(tuple(sys.intern(w) for w in words[:RARE_WORDS]))
    return rarest


def _rare_word_keys(rarest: Sequence[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Each pair of a title's three rarest words: robust to typos, truncation, word order,
    and to one rare word that only one of two spellings of a title has."""
    for words in rarest:
        if len(words) < 2:
            yield ()
        else:
            yield tuple({" ".join(sorted(pair)) for pair in combinations(words, 2)})


def _author_keys(
    prepared: Sequence[Prepared], rarest: Sequence[tuple[str, ...]] | None = None
) -> Iterator[tuple[str, ...]]:
    """The first author's surname with one of the title's two rarest words or, without
    ``rarest``, with the title's first letters: these meet a title cut short, or one whose
    both ends differ (a year and the spelling of a word changed with them), by the same
    first author. (Two passes, so that neither holds three keys per record at once.)"""
    for i, p in enumerate(prepared):
        if not p.authors or not p.title:
            yield ()
        elif rarest is not None:
            yield tuple(f"{p.authors[0]}|{w}" for w in rarest[i][:2])
        else:
            compact = p.title.replace(" ", "")
            yield (f"{p.authors[0]}<{compact[:12]}",) if len(compact) >= 12 else ()


def _source_keys(prepared: Sequence[Prepared]) -> Iterator[tuple[str, ...]]:
    """Where the paper is: first author, year and page; or year, volume and page.

    These meet records whose titles share nothing (a translated title); the second also
    works when one database has no authors.
    """
    for p in prepared:
        if p.pages is None or not p.year:
            yield ()
            continue
        page = f"{p.pages[0]}{p.pages[1]}"
        keys = []
        if p.authors:
            keys.append(f"a{p.authors[0]}|{p.year}|{page}")
        if p.volume:
            keys.append(f"v{p.year}|{p.volume}|{page}")
        yield tuple(keys)


def _issue_keys(prepared: Sequence[Prepared]) -> Iterator[tuple[str, ...]]:
    """The first author within one issue of a volume: meets an editorial that one database
    titles 'Editorial' and another by its full title (titles share nothing to block by)."""
    for p in prepared:
        if p.authors and p.year and p.volume and p.issue:
            yield (f"{p.authors[0]}|{p.year}|{p.volume}|{p.issue}",)
        else:
            yield ()


def _incomplete_pairs(prepared: Sequence[Prepared], pairs: set[int]) -> None:
    """A record without a title, or without volume and issue (perhaps the version published
    online first), meets the records of its first author, year (give or take one) and
    journal (by the first letter, the same in 'J Affect Disord' and 'Journal of Affective
    Disorders'): its title may block nowhere (missing, or respelt at both ends) and it has
    no source to block by. Only these records are indexed; every record looks them up."""
    n = len(prepared)
    incomplete: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for i, p in enumerate(prepared):
        if (not p.title or p.online) and p.authors and p.year is not None and p.journal:
            for year in (p.year - 1, p.year, p.year + 1):
                incomplete[(p.authors[0], year, p.journal[0][0])].append(i)
    if not incomplete:
        return
    for i, p in enumerate(prepared):
        if not p.authors or p.year is None or not p.journal:
            continue
        for j in incomplete.get((p.authors[0], p.year, p.journal[0][0]), ())[:INCOMPLETE_LIMIT]:
            if i != j:
                pairs.add(i * n + j if i < j else j * n + i)


def _block_pairs(prepared: Sequence[Prepared], members: list[int], n: int, pairs: set[int]) -> None:
    if len(members) <= BLOCK_LIMIT:
        for x, i in enumerate(members):
            base = i * n
            for j in members[x + 1 :]:
                pairs.add(base + j)
        return
    # sorted neighbourhood: near-identical titles sort next to each other
    members = sorted(members, key=lambda k: (prepared[k].title, k))
    for x, i in enumerate(members):
        for j in members[x + 1 : x + 1 + WINDOW]:
            pairs.add(i * n + j if i < j else j * n + i)


# --- grouping -----------------------------------------------------------------------------


def _cluster(
    prepared: Sequence[Prepared],
    certain: list[tuple[float, int, int, str]],
    rules: Rules,
) -> tuple[list[list[int]], list[tuple[float, int, int, str]]]:
    """Union certain pairs, strongest first, unless a union would join conflicting records."""
    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}

    def root(i: int) -> int:
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    refused: list[tuple[float, int, int, str]] = []
    for score, i, j, reason in sorted(certain, key=lambda e: (-e[0], e[1], e[2])):
        ri, rj = root(i), root(j)
        if ri == rj:
            continue
        left, right = members.get(ri, [ri]), members.get(rj, [rj])
        if _groups_conflict(prepared, left, right, rules):
            refused.append((min(score, 0.9), i, j, reason + "; would join conflicting records"))
            continue
        if len(left) < len(right):
            ri, rj, left, right = rj, ri, right, left
        parent[rj] = ri
        left.extend(right)  # the bigger list grows in place: no quadratic copying
        members[ri] = left
        members.pop(rj, None)
    clusters = [sorted(m) for m in members.values()]
    clusters.sort()
    return clusters, refused


def _groups_conflict(
    prepared: Sequence[Prepared], left: list[int], right: list[int], rules: Rules
) -> bool:
    for i in left[:GUARD_SAMPLE]:
        for j in right[:GUARD_SAMPLE]:
            if hard_conflict(prepared[i], prepared[j], rules):
                return True
    return False


def _groups(
    prepared: Sequence[Prepared],
    ids: Sequence[int],
    clusters: list[list[int]],
    certain: list[tuple[float, int, int, str]],
) -> list[Group]:
    cluster_of = {i: c for c, cluster in enumerate(clusters) for i in cluster}
    weakest: dict[int, tuple[float, str]] = {}
    for score, i, j, reason in certain:
        c = cluster_of.get(i)
        if c is None or cluster_of.get(j) != c:
            continue
        if c not in weakest or (score, reason) < weakest[c]:
            weakest[c] = (score, reason)
    groups: list[Group] = []
    for c, cluster in enumerate(clusters):
        # an erratum merged into its article (the setting) never stands for it
        keeper = max(cluster, key=lambda i: (not prepared[i].notice, prepared[i].completeness, -i))
        score, reason = weakest.get(c, (1.0, "same work"))
        groups.append(
            Group(
                keeper_id=ids[keeper],
                member_ids=tuple(ids[i] for i in cluster),
                confidence=round(score, 3),
                reason=reason,
            )
        )
    groups.sort(key=lambda g: g.member_ids)
    return groups


def _pending(
    prepared: Sequence[Prepared],
    ids: Sequence[int],
    clusters: list[list[int]],
    maybe: list[tuple[float, int, int, str]],
) -> list[Pair]:
    """One pair per two groups (or records) not already merged: the best-scoring one."""
    cluster_of = {i: c for c, cluster in enumerate(clusters) for i in cluster}
    best: dict[tuple[int, int], tuple[float, int, int, str]] = {}
    for score, i, j, reason in maybe:
        ci, cj = cluster_of.get(i, -1 - i), cluster_of.get(j, -1 - j)
        if ci == cj:
            continue
        key = (min(ci, cj), max(ci, cj))
        current = best.get(key)
        if current is None or (-score, i, j) < (-current[0], current[1], current[2]):
            best[key] = (score, i, j, reason)
    pairs = [
        Pair(
            a_id=ids[i],
            b_id=ids[j],
            score=round(score, 3),
            reason=reason,
            evidence=evidence(prepared[i], prepared[j]),
        )
        for score, i, j, reason in best.values()
    ]
    pairs.sort(key=lambda p: (-p.score, p.a_id, p.b_id))
    return pairs
