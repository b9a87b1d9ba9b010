"""The pure normalisation functions that importers and deduplication share."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realist.domain.bibliography import (
    collapse_whitespace,
    normalise_doi,
    normalise_issn,
    normalise_pages,
    normalise_pmid,
    parse_year,
    split_authors,
    strip_markup,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.1186/S12884-023-05843-8", "10.1186/s12884-023-05843-8"),
        ("https://doi.org/10.1186/s12884-023-05843-8", "10.1186/s12884-023-05843-8"),
        ("http://dx.doi.org/10.1111/JAN.14133", "10.1111/jan.14133"),
        ("doi:10.1037/a0012345.", "10.1037/a0012345"),
        ("DOI: 10.1037/a0012345;", "10.1037/a0012345"),
        ("10.1186/s12884-023-05843-8 [doi]", "10.1186/s12884-023-05843-8"),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
        ("10.1016/0140-6736(93)90001-X", "10.1016/0140-6736(93)90001-x"),
        ("(see doi:10.1000/abc)", "10.1000/abc"),
        ("https://www.scopus.com/inward/record.uri?eid=2-s2.0-1", ""),
        ("", ""),
        ("not a doi", ""),
    ],
)
def test_normalise_doi(value: str, expected: str) -> None:
    assert normalise_doi(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31752778", "31752778"),
        ("PMID: 31752778", "31752778"),
        ("NLM31752778", "31752778"),
        ("https://pubmed.ncbi.nlm.nih.gov/31752778/", "31752778"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/31752778", "31752778"),
        ("031752778", "31752778"),
        ("PMC6868792", ""),
        ("", ""),
    ],
)
def test_normalise_pmid(value: str, expected: str) -> None:
    assert normalise_pmid(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1471-2393", "1471-2393"),
        ("14712393 (ISSN)", "1471-2393"),
        ("0140-673x (Print)", "0140-673X"),
        ("1471-2393 (Electronic)\n1471-2393 (Linking)", "1471-2393"),
        ("978-0-7619-5009-9", ""),
        ("0761950087", ""),
        ("", ""),
    ],
)
def test_normalise_issn(value: str, expected: str) -> None:
    assert normalise_issn(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2019", 2019), ("2019///", 2019), ("2019 Nov 21", 2019), ("05/2019", 2019),
     ("Y2020", 2020), ("in press", None), ("vol 123", None), ("12345", None), ("", None),
     ("1499", None), ("2100", None)],
)  # fmt: skip
def test_parse_year(value: str, expected: int | None) -> None:
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("709-24", "", "709-724"),
        ("709", "24", "709-724"),
        ("321-32", "", "321-332"),
        ("1234–56", "", "1234-1256"),
        ("709--724", "", "709-724"),
        ("131", "146", "131-146"),
        ("e1234", "", "e1234"),
        ("S1-S9", "", "S1-S9"),
        ("651", "651", "651"),
        ("pp. 12-19", "", "12-19"),
        ("", "12", "12"),
        ("", "", ""),
    ],
)
def test_normalise_pages(start: str, end: str, expected: str) -> None:
    assert normalise_pages(start, end) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("The <i>BMJ</i> &amp; H<sub>2</sub>O", "The BMJ & H2O"),
        ("10<sup>6</sup> cells", "106 cells"),
        ("&lt;i&gt;in vitro&lt;/i&gt;", "in vitro"),
        ('<span class="x" data-id=1>text</span><br/>', "text"),
        ("<jats:p>Background</jats:p>", "Background"),
        ("<mml:math><mml:mi>x</mml:mi></mml:math>", "x"),
        ("p<0.05 and a <b and c> d", "p<0.05 and a <b and c> d"),
        ("AT&T  and\nR&D", "AT&T and R&D"),
        ("Caf&eacute; &#8211; &#x2019;", "Café – ’"),
    ],
)
def test_strip_markup(value: str, expected: str) -> None:
    assert strip_markup(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Smith, J.; Jones, K.", ["Smith, J.", "Jones, K."]),
        ("Smith J., Jones K., Brown A.B.", ["Smith J.", "Jones K.", "Brown A.B."]),
        ("Smith, John and Jones, Kate and others", ["Smith, John", "Jones, Kate"]),
        ("{Smith and Jones Ltd} and Brown, A", ["{Smith and Jones Ltd}", "Brown, A"]),
        ("Smith, J., Jones, K.", ["Smith, J.", "Jones, K."]),
        ("de la Cruz, M. A., Smith J.", ["de la Cruz, M. A.", "Smith J."]),
        ("van der Berg, Anna", ["van der Berg, Anna"]),
        ("Smith John, Jones Kate", ["Smith John", "Jones Kate"]),
        ("World Health Organization", ["World Health Organization"]),
        ("Smith, J\nJones, K", ["Smith, J", "Jones, K"]),
        ("Smith, J.; et al.", ["Smith, J."]),
        ("", []),
    ],
)
def test_split_authors(value: str, expected: list[str]) -> None:
    assert split_authors(value) == expected


# Every whitespace character str.split() knows, and printable neighbours, so the fast path
# of collapse_whitespace meets each case it must hand on to split().
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


@given(st.text(alphabet=st.sampled_from(_SPACES + "ab\u00e9\x00\u200b"), max_size=40))
def test_collapse_whitespace_is_split_and_join(text: str) -> None:
    assert collapse_whitespace(text) == " ".join(text.split())


@pytest.mark.parametrize(
    "text", ["", " ", "a  b", " a", "a ", "a\tb", "a\u00a0b", "a\u2028b", "a\x1fb", "clean text"]
)
def test_collapse_whitespace_edge_cases(text: str) -> None:
    assert collapse_whitespace(text) == " ".join(text.split())
