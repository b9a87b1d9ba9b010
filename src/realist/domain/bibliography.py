"""Pure normalisation of bibliographic fields, shared by the importers and deduplication.

Every function takes the text a database exported and returns the canonical form Realist
stores next to the raw value (the raw value itself is never changed, so nothing is lost).
They never raise on odd input: a value that cannot be understood normalises to ``""`` (or
``None`` for years), because a record with one unreadable field is still a record.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

__all__ = [
    "collapse_whitespace",
    "labelled_pmid",
    "normalise_doi",
    "normalise_issn",
    "normalise_pages",
    "normalise_pmid",
    "parse_year",
    "source_reference",
    "split_authors",
    "strip_markup",
]

# A DOI is "10." + registrant + "/" + suffix; the suffix may hold almost anything but spaces.
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_TRAILING = ".,;:'\"]>}"
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ISSN = re.compile(r"(?<![\dXx-])(\d{4})-?(\d{3}[\dXx])(?![\dXx])")
_PMID_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(\d{1,9})")
# "\s*[:=]?\s*" would try every split of a long run of spaces between its two "\s*" (a
# PMID field of "PMID" and 20,000 spaces took 22 s); the colon and its spaces go together.
_PMID_LABEL = re.compile(r"\bPMID(?:\s*[:=])?\s*(?:NLM)?(\d{1,9})\b", re.IGNORECASE)
_DIGITS = re.compile(r"(?:NLM)?(\d{1,9})")
# Only tags that publishers really put in titles and abstracts (HTML inline tags, MathML,
# JATS), so that text such as "a<b and c>d" or "p <0.05" is never mistaken for markup.
_MARKUP = re.compile(
    r"</?(?:(?:mml|jats|xhtml|m|ali):[\w.-]+|i|b|u|em|strong|sup|sub|sc|scp|small|big|span"
    r"|p|br|div|font|inf|italic|bold|underline|a|tt|code|math|title|abstract)"
    r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s<>"']+))*\s*/?>""",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")
_INITIALS = re.compile(r"^(?:[A-Z]\.?[\s-]*){1,4}$")
# Only from the start of a run of spaces: tried from inside a long run, "\s+and" would scan
# the rest of the run at every position (quadratic). The matches found are the same.
_AND = re.compile(r"(?<!\s)\s+and\s+", re.IGNORECASE)
_NOT_AUTHORS = {"others", "et al", "et al.", "and others"}


def collapse_whitespace(text: str) -> str:
    """Turn every run of whitespace (newlines included) into one space and trim the ends."""
    # Most values (abstracts above all) are already clean. Every whitespace character but
    # the space is unprintable, so a printable text with no double, leading or trailing
    # space has nothing to collapse; checking that costs half of splitting and joining.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def strip_markup(text: str) -> str:
    """Remove HTML/XML markup and entities from a title, journal name or abstract.

    ``"The <i>BMJ</i> &amp; H<sub>2</sub>O"`` becomes ``"The BMJ & H2O"``. Entities are
    decoded first so that escaped markup (``&lt;i&gt;``, as PubMed sometimes exports it) is
    removed too. Only known inline tags are removed, so comparisons such as ``p<0.05`` or
    ``a <b and c> d`` survive. Whitespace runs collapse to one space.
    """
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _MARKUP.sub("", text)
    return collapse_whitespace(text)


def normalise_doi(value: str) -> str:
    """The DOI in ``value``, lower-cased, without URL or ``doi:`` prefix; ``""`` if none.

    Accepts ``https://doi.org/10.1/X``, ``http://dx.doi.org/10.1/X``, ``doi:10.1/X``,
    ``DOI 10.1/X``, URL-escaped DOIs (``10.1000%2Fabc``) and MEDLINE's ``10.1/X [doi]``.
    Trailing punctuation that came from the surrounding sentence is dropped. DOIs are
    case-insensitive by definition, so lower-casing loses nothing.
    """
    if "10." not in value:
        return ""
    if "%" in value:
        value = unquote(value)
    found = _DOI.search(value)
    if found is None:
        return ""
    doi = found.group(0).rstrip(_DOI_TRAILING)
    # A closing parenthesis belongs to the DOI only when the DOI opened one, e.g.
    # 10.1016/0140-6736(93)90001-x; "(see 10.1/abc)" must not keep it. So the unmatched
    # ")" at the end go, with the punctuation around them: in the tail of ")" and
    # punctuation, all but the first (count - unmatched) ")" are cut. Counted once: cutting
    # one ")" at a time and recounting took 14.6 s for a DOI followed by 150,000 ")".
    unmatched = doi.count(")") - doi.count("(")
    if unmatched > 0 and doi.endswith(")"):
        head = doi.rstrip(_DOI_TRAILING + ")")
        tail = doi[len(head) :]
        kept = tail.count(")") - unmatched
        if kept > 0:
            head += tail[: len(tail) - len(tail.split(")", kept)[-1])]
        doi = head
    return doi.lower()


def normalise_pmid(value: str) -> str:
    """The PubMed identifier in ``value`` as bare digits; ``""`` if none.

    Accepts ``12345678``, ``PMID: 12345678``, CINAHL's ``NLM12345678`` and PubMed URLs.
    Leading zeros are dropped so that the same article compares equal.
    """
    value = value.strip()
    found = _PMID_URL.search(value) or _PMID_LABEL.search(value) or _DIGITS.fullmatch(value)
    if found is None:
        return ""
    return found.group(1).lstrip("0")


def labelled_pmid(value: str) -> str:
    """The first labelled PubMed identifier in ``value`` as written (``PMID: 123``), or
    ``""``: for fields such as notes, where a bare number is something else."""
    found = _PMID_LABEL.search(value)
    return found.group(0) if found else ""


def normalise_issn(value: str) -> str:
    """The first ISSN in ``value`` as ``NNNN-NNNX``; ``""`` if none.

    Handles Scopus' ``14712393 (ISSN)``, MEDLINE's ``0140-6736 (Print)`` and fields that
    list several ISSNs or mix them with ISBNs (a 10- or 13-digit ISBN never matches, because
    an ISSN must not touch further digits). The check digit is not verified: a mistyped
    ISSN is still the best key the record has.
    """
    found = _ISSN.search(value)
    if found is None:
        return ""
    return f"{found.group(1)}-{found.group(2).upper()}"


def parse_year(value: str) -> int | None:
    """The publication year in ``value`` (``2019``, ``2019///``, ``2019 May 3``, ``05/2019``).

    Only years from 1500 to 2099 count, so page numbers and volume numbers are not
    mistaken for years. Returns ``None`` when there is no such year.
    """
    found = _YEAR.search(value)
    return int(found.group(1)) if found else None


def normalise_pages(start: str, end: str = "") -> str:
    """A page range as ``first-last`` with the last page written out in full.

    ``("709-24")`` and ``("709", "24")`` both give ``"709-724"``; ``("e1234")`` stays
    ``"e1234"``; an end page equal to the start page is dropped. Any dash (hyphen, en dash,
    minus) separates the pages. Non-numeric ranges (``"S1-S9"``) are kept as written.
    """
    start = collapse_whitespace(start).removeprefix("pp.").removeprefix("p.").strip()
    end = collapse_whitespace(end)
    if not end:
        parts = _DASHES.split(start, maxsplit=1)
        if len(parts) == 2:
            start, end = parts
    if not end or end == start:
        return start
    if not start:
        return end
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        # "1234-56": the publisher dropped the digits the two pages share.
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"


def split_authors(value: str) -> list[str]:
    """Split one field that lists several authors into one name per author.

    Understands the separators databases use: one name per line, ``;`` (Web of Science,
    new Scopus), BibTeX's ``and`` (not inside braces), and commas. Commas are ambiguous
    (``Smith, John`` is one author, ``Smith J., Jones K.`` two), so a part with no space
    in it is taken as a surname that joins the next part, and so is a part followed by
    one word or bare initials (``van der Berg, Anna``, ``de la Cruz, M. A.``). Placeholders
    such as ``et al.`` and ``others`` are dropped. Names are kept as the source wrote them.
    """
    if "\n" in value:
        parts = value.split("\n")
    elif ";" in value:
        parts = value.split(";")
    elif _AND.search(value):
        parts = _split_outside_braces(value)
    elif "," in value:
        parts = _pair_comma_parts([p.strip() for p in value.split(",") if p.strip()])
    else:
        parts = [value]
    names = (collapse_whitespace(p).strip(",;") for p in parts)
    return [n for n in names if n and n.lower() not in _NOT_AUTHORS]


def _split_outside_braces(value: str) -> list[str]:
    """Split on ``and`` the BibTeX way: ``{Smith and Jones Ltd}`` stays one name."""
    pieces: list[str] = []
    depth = 0
    start = 0  # where the current name began
    scanned = 0  # braces before this offset are already counted in depth
    for found in _AND.finditer(value):
        segment = value[scanned : found.start()]
        depth += segment.count("{") - segment.count("}")
        scanned = found.start()
        if depth == 0:
            pieces.append(value[start : found.start()])
            start = found.end()
    pieces.append(value[start:])
    return pieces


def _pair_comma_parts(parts: list[str]) -> list[str]:
    names: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        if nxt and (" " not in part or " " not in nxt or _INITIALS.match(nxt)):
            names.append(f"{part}, {nxt}")
            i += 2
        else:
            names.append(part)
            i += 1
    return names


def source_reference(
    journal: str, year: int | str | None, volume: str, issue: str, pages: str
) -> str:
    """Where a work was published, as a reference cites it: "Confl Health 2020;14(2):45-52".

    Missing parts are left out with their punctuation ("Confl Health 2020", "Confl Health
    2020;14", "(3):1-9", "Confl Health 2020:45-52"), so a record with no volume or pages
    never prints "():".
    """
    head = " ".join(p for p in (journal.strip(), str(year or "").strip()) if p)
    volume, issue, pages = volume.strip(), issue.strip(), pages.strip()
    locator = volume + (f"({issue})" if issue else "")
    if locator:
        locator += f":{pages}" if pages else ""
        return f"{head};{locator}" if head else locator
    if pages:
        return f"{head}:{pages}" if head else f"p. {pages}"
    return head
