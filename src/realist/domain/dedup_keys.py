"""Normalised keys for duplicate matching: titles, authors, journals, pages and identifiers.

Importers already normalise records, but databases disagree in ways that only matter when two
records are compared (``J Affect Disord`` against ``Journal of Affective Disorders``, ``Smith
JA`` against ``Smith, John A.``, ``1001-20`` against ``1001--1020``), so matching keeps its own
folding here rather than depending on the importers' choices.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz.distance import Indel

# Letters NFKD leaves alone, and Greek letters that other databases spell out (TNF-α, TNF-alpha).
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "α": "alpha",
        "β": "beta",
        "γ": "gamma",
        "δ": "delta",
        "ε": "epsilon",
        "ζ": "zeta",
        "η": "eta",
        "θ": "theta",
        "ι": "iota",
        "κ": "kappa",
        "λ": "lambda",
        "μ": "mu",
        "ν": "nu",
        "ξ": "xi",
        "π": "pi",
        "ρ": "rho",
        "σ": "sigma",
        "ς": "sigma",
        "τ": "tau",
        "υ": "upsilon",
        "φ": "phi",
        "χ": "chi",
        "ψ": "psi",
        "ω": "omega",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "’": "'",
        "‘": "'",
    }
)
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TAGS = re.compile(r"<[^<>]{0,200}>")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, keeping non-Latin letters (Cyrillic titles)."""
    if text.isascii():
        return text.lower()
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.lower().translate(_SPECIAL)


def clean_markup(text: str) -> str:
    """Drop HTML/XML tags and entities that some exports leave in titles."""
    if "<" in text:
        text = _TAGS.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


# Notes that databases append to a title about *other* records (Ovid's "[Erratum appears in
# ...]", "[Review] [42 refs]", DARE's "(Structured abstract)"): the record is still the article.
_ANNOTATIONS = re.compile(
    r"\s*\[\s*(?:review|\d+\s*refs?|see comments?|published erratum|errat(?:um|a) appears?"
    r"|retraction (?:in|of)|comment (?:in|on)|update (?:in|of)|summary for patients"
    r"|republished|corrected and republished|expression of concern in|reprint)\b[^\]]*(?:\]|$)"
    r"|\s*\((?:structured|provisional) abstract\)",
    re.IGNORECASE,
)
# A second title in another language: "English [Original]", "Original; English",
# "English. <ORIGINAL> ORIGINAL".
_SECOND_TITLE = re.compile(
    r"^(.{15,}?)\s*(?:\[(.{15,})\]?\s*[.*]*|<original>(.{15,})"
    r"|;\s+(.{15,}))$",
    re.IGNORECASE | re.DOTALL,
)


def clean_title(title: str) -> str:
    """The title without database annotations about other records."""
    if "[" in title or "(" in title:
        title = _ANNOTATIONS.sub("", title)
    return title.strip()


def title_key(title: str) -> str:
    """Title folded to lower-case words separated by single spaces (digits kept)."""
    return " ".join(_NON_WORD.split(fold(clean_markup(title)))).strip()


def title_variants(title: str) -> tuple[str, ...]:
    """Keys of the parts of a title that carries a second title in another language."""
    if not ("[" in title or ";" in title or "<" in title):
        return ()
    match = _SECOND_TITLE.match(title.strip())
    if not match:
        return ()
    second = next(g for g in match.groups()[1:] if g)
    return tuple(k for k in (title_key(match.group(1)), title_key(second)) if len(k) >= 15)


# Parts, phases and types numbered in Roman numerals or letters ('part ii', 'phase i ii',
# 'type b'): 'Part I' and 'Part II' of one paper share all but one letter of their titles.
_NUMBERED = re.compile(
    r"\b(?:(?:part|phase|type|stage|grade|class|section|chapter|experiment|study|trial|series"
    r"|volume|vol|paper|report|step|level|cohort|wave)\s+([ivx]{1,5})"
    r"|(?:part|phase|type|section|experiment)\s+([a-h]))\b"
)
_ROMAN = {"i": 1, "v": 5, "x": 10}


def _roman(numeral: str) -> int:
    value = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        digit = _ROMAN[char]
        value += -digit if following and _ROMAN[following] > digit else digit
    return value


def title_numbers(key: str) -> str:
    """The numbers of a title in order: 'type 1' and 'type 2' differ, '10 000' and '10000'
    not, and 'part ii' reads as 2 ('phase i ii' as 1, 'type b' as 2)."""
    digits = "".join(_DIGITS.findall(key))
    if " " not in key:
        return digits
    numbered = _NUMBERED.findall(key)
    if not numbered:
        return digits
    marks = "".join(
        f"r{_roman(roman)}" if roman else f"l{ord(letter) - 96}" for roman, letter in numbered
    )
    return digits + marks


# --- notices and venues -------------------------------------------------------------------

# One pattern per kind, run on the folded title with punctuation kept. A notice (erratum,
# retraction, comment, reply) shares its article's title words, so it must never merge into
# the article. The kinds are alternatives of one regular expression: one search per title.
_NOTICE = re.compile(
    r"(?P<erratum>\b(?:errat(?:um|a)|corrigend(?:um|a))\b"
    r"|^\W*(?:correction|addendum|notice of correction|author correction|publisher correction)"
    r"\s*(?:to\b|for\b|of\b(?= [\"'“]|.*\bvol\b)|[:\-.\[])"
    r"|\(\s*vol\.?\s*\d+[^)]*\bpg\.?\s*\d+"
    r"|^\W*correction\W*$)"
    r"|(?P<retraction>^\W*(?:retraction|retracted|withdrawn|notice of retraction"
    r"|retraction note|expression of concern|editorial expression of concern)\b"
    r"|\bretraction (?:note|notice) (?:to|for)\b|\[retracted\]|\bexpression of concern\b)"
    r"|(?P<reply>^\W*(?:re|reply|in reply|rejoinder)\s*[:\-]"
    r"|^\W*(?:a )?(?:reply|rejoinder) (?:to|from|on)\b|^\W*in reply\b"
    r"|\b(?:author'?s'?|authors'?|the authors) (?:reply|respond|response)\b"
    r"|[:.\-]\s*(?:reply|response|authors'? reply)\W*$"
    r"|^\W*response to (?:the )?(?:comments?|letter|commentary|critique|editorial|reviewers?"
    r"|criticism|concerns?|[a-z\-]+ (?:et al|and colleagues))\b)"
    r"|(?P<comment>^\W*(?:comment|commentary|comments|letter|editorial comment)"
    r"\s*(?:on|to|:|-)|\bcomment(?:ary)? on\b)"
)


# Every notice pattern needs one of these: most titles are ruled out by a substring search.
_NOTICE_HINTS = (
    "errat",
    "corrig",
    "correction",
    "addend",
    "pg",
    "retract",
    "withdrawn",
    "concern",
    "re:",
    "re -",
    "re :",
    "reply",
    "rejoinder",
    "respon",
    "comment",
    "letter",
)


# Words that make up the notice part of a notice's title ("Erratum to:", "Authors' reply",
# "[Retracted]"); what is left is the title of the article the notice is about.
_NOTICE_WORDS = frozenset(
    (
        "erratum",
        "errata",
        "corrigendum",
        "corrigenda",
        "correction",
        "corrections",
        "addendum",
        "notice",
        "author",
        "authors",
        "publisher",
        "publishers",
        "comment",
        "comments",
        "commentary",
        "letter",
        "re",
        "reply",
        "response",
        "rejoinder",
        "retraction",
        "retracted",
        "note",
        "withdrawn",
        "expression",
        "concern",
        "editorial",
        "s",
    )
)
_NOTICE_LINKS = frozenset(("of", "to", "for", "on", "in", "regarding", "about"))


def notice_core(key: str) -> str:
    """A notice's title key without its notice words at either end: the article's title."""
    words = key.split()
    start, end = 0, len(words)
    while (
        start < end
        and start < 8
        and (words[start] in _NOTICE_WORDS or (start and words[start] in _NOTICE_LINKS))
    ):
        start += 1
    while end > start and len(words) - end < 4 and words[end - 1] in _NOTICE_WORDS:
        end -= 1
    return " ".join(words[start:end])


def notice_kind(title: str) -> str:
    """'erratum', 'retraction', 'reply' or 'comment' when the title marks a notice, else ''."""
    folded = fold(clean_markup(title)).strip()
    if not any(hint in folded for hint in _NOTICE_HINTS):
        return ""
    match = _NOTICE.search(folded)
    return match.lastgroup or "" if match else ""


_MEETING_WORDS = re.compile(
    r"\b(abstracts?|meetings?|congress|conference|symposium|colloquium|workshop"
    r"|scientific sessions?|posters?)\b"
)
_SUPPLEMENT = re.compile(r"\bsuppl|\bsupplement|^\s*s\d")
_PAGE_SPAN = re.compile(r"\d+\s*(?:-+|–|to)\s*[a-z]*\d+")


def supplement_issue(volume: str, issue: str) -> bool:
    """Whether volume or issue names a supplement ('Suppl 2', '32 (Supplement 3)', 'S1')."""
    return bool(_SUPPLEMENT.search(fold(volume)) or _SUPPLEMENT.search(fold(issue)))


def venue_kind(kind: str, journal: str, volume: str, issue: str, pages: str) -> str:
    """'abstract' for a meeting abstract, 'proceedings' for a conference paper, else ''.

    A meeting abstract and the full article that follows it share title and authors but are
    different reports. RIS type tells them apart when the database gives it; otherwise a
    meeting-like container, or a supplement issue with a single page ('A123'), marks the
    abstract. Supplements alone are not enough: they also carry full articles ('S157-63').
    """
    kind = kind.upper()
    if kind == "ABST":
        return "abstract"
    if kind in {"CONF", "CPAPER"}:
        return "proceedings"
    if _meeting(journal):
        return "abstract"
    supplement = supplement_issue(volume, issue)
    if supplement and not _PAGE_SPAN.search(fold(pages)):
        return "abstract"
    return ""


@lru_cache(maxsize=1 << 16)
def _meeting(journal: str) -> bool:
    return bool(_MEETING_WORDS.search(fold(journal)))


# --- authors ------------------------------------------------------------------------------

_INITIALS = re.compile(r"^(?:[^\W\d_]\.?-?){1,3}$")
_AUTHOR_NOISE = re.compile(
    r"\b(et al|and others|others|jr|sr|ii|iii|iv|anonymous|anon|no authorship indicated)\b\.?"
)


_NO_AUTHOR = frozenset(("na", "n/a", "nan", "none", "null", "unknown", "-", "--"))


@lru_cache(maxsize=1 << 17)
def _split_name(author: str) -> tuple[str, str]:
    """(surname, first given name) of one author string in any of the usual shapes.

    'Smith, John A.', 'Smith JA', 'Smith J. A.', 'John A. Smith' and 'J.A. Smith' all give
    surname 'smith'; particles and hyphens are squeezed ('van der Berg' -> 'vanderberg'). The
    given name is '' when only initials are known.
    """
    author = _AUTHOR_NOISE.sub(" ", fold(author)).strip(" .,;")
    if not author or author in _NO_AUTHOR:
        return "", ""
    if "," in author:
        head, rest = author.split(",", 1)
        given = rest.split()
    else:
        tokens = author.split()
        cut = len(tokens)
        # MEDLINE and ASySD put initials after the surname: 'smith ja', 'el hachmane m.'
        while (
            cut > 1 and _INITIALS.match(tokens[cut - 1]) and len(tokens[cut - 1].strip(".-")) <= 3
        ):
            cut -= 1
        if cut < len(tokens):
            head, given = " ".join(tokens[:cut]), tokens[cut:]
        else:
            # 'john a smith': the surname is the last word
            head, given = tokens[-1], tokens[:-1]
    first = next((n for n in (_NON_WORD.sub("", g) for g in given) if len(n) > 2), "")
    # surnames repeat across records: one string object for each
    return sys.intern(_NON_WORD.sub("", head)), sys.intern(first)


def _split_author_field(authors: Sequence[str]) -> list[str]:
    """One string holding a whole author list is split on ';' or ' and '."""
    if len(authors) == 1 and (";" in authors[0] or " and " in authors[0]):
        return [a for a in re.split(r";|\s+and\s+", authors[0][:2000]) if a.strip()]
    return list(authors)


def parse_authors(
    authors: Sequence[str],
    limit: int = 12,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Surnames and first given names (or '') of the first ``limit`` authors, in order."""
    surnames: list[str] = []
    given: list[str] = []
    for author in _split_author_field(authors)[:limit]:
        surname, first = _split_name(author)
        if surname:
            surnames.append(surname)
            given.append(first)
    return tuple(surnames), tuple(given)


def author_keys(authors: Sequence[str], limit: int = 12) -> tuple[str, ...]:
    """Surname keys of the first ``limit`` authors, in order, blanks dropped."""
    return parse_authors(authors, limit)[0]


# --- journals -----------------------------------------------------------------------------

_JOURNAL_STOP = frozenset(
    (
        "the",
        "of",
        "and",
        "for",
        "in",
        "on",
        "a",
        "an",
        "de",
        "la",
        "le",
        "les",
        "el",
        "der",
        "die",
        "das",
        "und",
        "fur",
        "et",
        "des",
        "du",
        "di",
        "della",
        "y",
        "official",
        "publication",
        "organ",
    )
)

_WILDCARD = "\u0294"  # a letter no journal name uses
_LOST_LETTER = re.compile(r"(?<=[^\W\d_])[?\ufffd](?=[^\W\d_])")
_CONFERENCE_SUFFIX = re.compile(r"\.?\s*\bconference\s*:.*$")


@lru_cache(maxsize=1 << 16)
def journal_tokens(journal: str) -> tuple[str, ...]:
    """Journal name as content words, '&' read as 'and', parenthesised places dropped."""
    text = fold(clean_markup(journal)).replace("&", " and ")
    if "?" in text or "\ufffd" in text:
        # an export that lost its accents ('r?animation'): keep the word whole, with a
        # letter that matches any other (see _abbreviates)
        text = _LOST_LETTER.sub(_WILDCARD, text)
    # Embase: "Heart. Conference: British Atherosclerosis Society ..." is the journal Heart
    text = _CONFERENCE_SUFFIX.sub(" ", text)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    return tuple(sys.intern(t) for t in _NON_WORD.split(text) if t and t not in _JOURNAL_STOP)


def _same_letter(x: str, y: str) -> bool:
    return x == y or _WILDCARD in (x, y)


def _abbreviates(short: str, full: str) -> bool:
    """'affect' abbreviates 'affective'; 'natl' abbreviates 'national' (letters in order)."""
    if full.startswith(short):
        return True
    if len(short) > len(full) or not _same_letter(short[0], full[0]):
        return False
    if (_WILDCARD in short or _WILDCARD in full) and all(
        _same_letter(x, y) for x, y in zip(short, full, strict=False)
    ):
        return True
    position = 0
    for char in short:
        while position < len(full) and not _same_letter(char, full[position]):
            position += 1
        if position == len(full):
            return False
        position += 1
    return True


def _abbreviation_of(short: Sequence[str], full: Sequence[str]) -> bool:
    """Every word of ``short`` abbreviates a word of ``full``, in order."""
    j = 0
    for token in short:
        while j < len(full) and not _abbreviates(token, full[j]):
            j += 1
        if j == len(full):
            return False
        j += 1
    return True


@lru_cache(maxsize=1 << 16)
def journals_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two journal names (as ``journal_tokens``) can name the same journal.

    Handles ISO and MEDLINE abbreviations ('j affect disord', 'dtsch med wochenschr'),
    initialisms ('bmj'), a name with a prefix or subtitle ('jpen journal parenteral enteral
    nutrition'), and small spelling differences.
    """
    if not a or not b or a == b:
        return True
    if _abbreviation_of(a, b) or _abbreviation_of(b, a):
        return True
    for short, full in ((a, b), (b, a)):
        # 'bmj' for British Medical Journal, 'icis ...' for International Conference on ...
        initials = "".join(t[0] for t in full)
        if any(len(t) >= 3 and t == initials for t in short[:2]):
            return True
    # a container that adds a leading acronym, a subtitle or a transliteration: common words
    common = set(a) & set(b)
    if len(common) >= 2 and len(common) >= 0.8 * min(len(a), len(b)):
        return True
    return Indel.normalized_similarity("".join(a), "".join(b)) >= 0.85


# --- pages, volumes, identifiers ----------------------------------------------------------

# A page field we trust: '123', '123-9', 'S12-S19', 'e0123', 'A128', 'viii108', '811a'.
# Anything else ('Suppl-29', 'Pt 2', '01-Jun', 'P63 [tp 104]') is a mangled value: treating
# it as missing is safer than letting it contradict a clean one.
# MEDLINE appends related pages after a semicolon: '2243-5; author reply 2243-5'.
_PAGES = re.compile(
    r"^\s*([a-z]{0,4})0*(\d{1,7})([a-z]?)\s*(?:(?:-+|–|to)\s*([a-z]{0,4})0*(\d{1,7})[a-z]?\s*)?"
    r"(?:$|[;,]\s*\D)"
)


def page_span(pages: str) -> tuple[str, int, int] | None:
    """(prefix letters, first, last) of a clean page field; '1001-20' ends at 1020."""
    match = _PAGES.match(fold(pages))
    if not match:
        return None
    prefix, start_text = match.group(1), match.group(2)
    start = int(start_text)
    end_text = match.group(5)
    if end_text is None:
        return prefix, start, start
    if len(end_text) < len(start_text):
        end_text = start_text[: len(start_text) - len(end_text)] + end_text
    end = int(end_text)
    return prefix, start, end if end >= start else start


def first_page(pages: str) -> str:
    """The first page's digits ('e0123' -> '123'), '' when the field is not clean."""
    span = page_span(pages)
    return str(span[1]) if span else ""


def pages_relation(a: tuple[str, int, int] | None, b: tuple[str, int, int] | None) -> str:
    """'same', 'different' or 'unknown' for two page spans.

    Spans that share a page agree ('487-488' and '488' are one article cited two ways).
    Different numbering schemes (article number 'e12724' against '1-6') cannot contradict.
    """
    if a is None or b is None:
        return "unknown"
    if a[0] != b[0] and not (a[0] in {"", "s"} and b[0] in {"", "s"}):
        return "unknown"
    if a[1] <= b[2] and b[1] <= a[2]:
        return "same"
    return "different"


def number_key(value: str) -> str:
    """The leading number of a volume or issue ('Suppl 2' -> '2', '020' -> '20')."""
    match = _DIGITS.search(value)
    return sys.intern(match.group().lstrip("0") or "0") if match else ""


_DOI_PREFIX = re.compile(
    r"^\s*(?:doi\s*:?\s*|https?\s*:\s*/+\s*(?:dx\.)?(?:www\.)?doi\.org/+|(?:dx\.)?doi\.org/+)",
    re.IGNORECASE,
)
_DOI_BODY = re.compile(r"10\.\d{3,9}/\S+")


def normalise_doi(doi: str) -> str:
    """A DOI lower-cased, without URL or 'doi:' prefix, %-escapes or trailing punctuation.

    Returns '' when the text does not contain a DOI.
    """
    text = doi.strip()
    if not text:
        return ""
    if "%" in text:
        text = re.sub(r"%([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    text = _DOI_PREFIX.sub("", text)
    match = _DOI_BODY.search(text.lower())
    if not match:
        return ""
    return match.group().rstrip(".,;:)]}>'\"")


def normalise_pmid(pmid: str) -> str:
    """Digits of a PubMed id ('PMID: 0123' -> '123'); '' if there are none."""
    match = _DIGITS.search(pmid)
    return (match.group().lstrip("0") or "") if match else ""
