"""RIS as each database exports it, and the odd shapes real files take."""

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from realist.domain.records import Record
from realist.importers import ParseResult, parse

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def load(name: str) -> ParseResult:
    result = parse((FIXTURES / name).read_bytes(), name)
    assert result.format == "ris"
    return result


def only_records(name: str) -> list[Record]:
    result = load(name)
    assert result.problems == [], [str(p) for p in result.problems]
    return result.records


def test_scopus() -> None:
    review, concept = only_records("scopus.ris")
    assert review.title.startswith("Community-based perinatal mental health peer support")
    assert review.authors == ["McLeish, J.", "Ayers, S.", "McCourt, C."]
    assert (review.year, review.journal, review.volume, review.issue) == (
        2023, "BMC Pregnancy and Childbirth", "23", "1"
    )  # fmt: skip
    assert review.pages == "570"  # the article number (C7) stands in for pages
    assert review.doi == "10.1186/s12884-023-05843-8"
    assert review.issn == "1471-2393"  # from "14712393 (ISSN)"
    assert review.keywords == ["Peer support", "Perinatal mental health", "Realist review"]
    assert review.kind == "JOUR" and review.source_line == 1
    assert concept.pages == "321-332" and concept.doi == "10.1016/s0020-7489(02)00092-5"
    assert concept.source_line == 28


def test_scopus_repeated_tags_are_all_kept_in_order() -> None:
    review = only_records("scopus.ris")[0]
    tags = [tag for tag, _ in review.raw]
    assert tags[:4] == ["TY", "AU", "AU", "AU"]
    notes = [value for tag, value in review.raw if tag == "N1"]
    assert len(notes) == 2 and notes[1].startswith("References:")


def test_cinahl_ebsco_crlf_with_t1_a1_y1_n2() -> None:
    doula, thesis = only_records("cinahl.ris")
    assert doula.title.startswith("Volunteer doula support")
    assert doula.authors == ["Spiby, Helen", "McCourt, Christine", "Finlayson, Kenneth"]
    assert (doula.year, doula.journal, doula.pages) == (2019, "Midwifery", "105-112")
    assert doula.abstract.startswith("Objective:")
    assert doula.pmid == "31212345"  # "PMID: NLM31212345" inside the N1 note
    assert thesis.kind == "THES" and thesis.pmid == ""  # AN is CINAHL's own number


def test_ovid_medline_and_embase() -> None:
    medline, embase = only_records("ovid.ris")
    assert medline.pmid == "31752778"  # Ovid's AN is the PMID for MEDLINE records
    assert medline.doi == "10.1111/jan.14133"  # DO holds a dx.doi.org URL
    assert medline.pages == "2867-2879"
    assert medline.journal == "Journal of Advanced Nursing"  # JF before JA
    assert embase.pmid == ""  # ...but not for Embase records
    assert (embase.pages, embase.issn) == ("a3064", "1756-1833")


def test_psycinfo_continuation_lines() -> None:
    article, book = only_records("psycinfo.ris")
    assert article.journal == "Neuroscience and Biobehavioral Reviews"
    abstract = dict(article.raw)["N2"]
    assert abstract.count("\n") == 2  # raw keeps the lines
    assert article.abstract.endswith("all rights reserved)")
    assert "\n" not in article.abstract  # normalised text is one line
    assert book.kind == "BOOK" and book.issn == ""  # SN holds ISBNs here


def test_web_of_science_ris() -> None:
    article, abstract = only_records("wos.ris")
    assert article.authors == ["McLeish, J", "Redshaw, M"]
    assert (article.year, article.pages) == (2017, "28")
    assert abstract.kind == "CONF" and abstract.pages == "651"


def test_embase() -> None:
    (record,) = only_records("embase.ris")
    assert record.authors == ["Huang R.", "Yan C.", "Tian Y."]
    assert (record.year, record.pages, record.issn) == (2020, "788-796", "0165-0327")
    assert record.doi == "10.1016/j.jad.2020.06.048"
    assert record.pmid == ""


def test_zotero_markup_and_pmid_note() -> None:
    (record,) = only_records("zotero.ris")
    assert record.title == "Peer support for perinatal mental health: a realist review & synthesis"
    assert dict(record.raw)["TI"].count("<i>") == 1  # raw keeps the markup
    assert record.pmid == "37553615"


def test_endnote_alphabetical_tags_and_multiline_note() -> None:
    article, report = only_records("endnote.ris")
    assert article.pmid == "28558776"  # AN, with DP = NLM
    assert article.journal == "BMC Pregnancy Childbirth"
    note = dict(article.raw)["N1"]
    assert note.split("\n")[1:3] == ["McLeish, Jenny", "Redshaw, Maggie"]
    assert report.kind == "RPRT" and report.authors == ["National Childbirth Trust"]


def test_mendeley_empty_end_page_and_chapter() -> None:
    article, chapter = only_records("mendeley.ris")
    assert article.journal == "Community Practitioner"  # JO
    assert article.pages == "36" and ("EP", "") in article.raw
    assert chapter.kind == "CHAP" and chapter.authors == ["Wong, Geoff"]  # not the editor
    assert chapter.pages == "131-146"


def test_odd_spacing_preamble_and_stray_fields() -> None:
    result = load("odd_spacing.ris")
    titles = [r.title for r in result.records]
    assert titles == ["One space before the dash", "Three spaces, none after the dash",
                      "Lower-case type, T1 title"]  # fmt: skip
    assert result.records[1].authors == ["Smith, J.", "Jones, K.", "Smith, J."]
    assert result.records[2].kind == "JOUR"
    (problem,) = result.problems
    assert (problem.line, problem.filename) == (15, "odd_spacing.ris")
    assert "outside any record" in problem.reason


def test_missing_er_keeps_the_records_with_problems() -> None:
    result = load("missing_er.ris")
    assert [r.source_line for r in result.records] == [1, 5, 9]
    assert [r.year for r in result.records] == [None, 2019, None]
    assert [p.line for p in result.problems] == [5, 9]
    assert "no ER" in result.problems[0].reason
    assert "file ends inside" in result.problems[1].reason


def test_records_without_title_are_kept_empty_ones_skipped() -> None:
    result = load("no_title.ris")
    assert [r.title for r in result.records] == ["", "A record with a title"]
    assert result.records[0].doi == "10.1000/notitle.1"
    assert [(p.line, p.reason) for p in result.problems] == [
        (1, "record has no title"),
        (7, "record has no title, authors, DOI, PMID or abstract; skipped"),
    ]


def test_html_in_titles_is_stripped_from_normalised_fields_only() -> None:
    (record,) = only_records("html_title.ris")
    assert record.title == "Effect of Lactobacillus on CO2 & H2O: 106 cells in vitro"
    assert record.journal == "Journal of Things"
    assert record.abstract == "Background: p<0.05 when a <b and c> d."
    assert "<sub>" in dict(record.raw)["TI"]


def test_a_very_long_abstract_is_kept_whole_under_the_limit() -> None:
    long_one, next_one = only_records("long_abstract.ris")
    assert len(long_one.abstract) > 40_000
    assert next_one.title == "The next record is fine"


def test_type_names_instead_of_codes() -> None:
    result = parse(b"TY  - Journal Article\nTI  - x\nER  - \n", "x.ris")
    assert result.records[0].kind == "JOUR"
    assert result.records[0].raw[0] == ("TY", "Journal Article")


_CONTINUED = ["x", "  indented words ", "ERx", " ER", "\ufeffx", "É  - x", "A", "y" * 100]
_BLANK = ["", "   ", "\u2003"]
_DAMAGED_TAG = ["12  - z", "t#  - w"]


@given(
    st.lists(st.sampled_from(_CONTINUED + _BLANK + _DAMAGED_TAG), max_size=300),
    st.sampled_from([1_000_000, 300, 50]),
)
def test_continuation_lines_join_their_field_in_runs_of_any_shape(
    lines: list[str], limit: int
) -> None:
    """Runs of continuation lines are taken at once (issue 12, fuzz input ris|mutate|3264):
    whatever the run (blank lines in it, a damaged tag ending it, across the reader's blocks,
    which a small limit makes small), the field and the problems are those of reading one
    line at a time."""
    data = "\n".join(["TY  - JOUR", "TI  - title", *lines, "ER  - "]).encode()
    result = parse(data, "x.ris", max_field_chars=limit)
    (record,) = result.records
    joined = "\n".join(["title", *(line.strip() for line in lines if line.strip())])
    assert dict(record.raw)["TI"] == joined[:limit]
    damaged = [number for number, line in enumerate(lines, 3) if line in _DAMAGED_TAG]
    assert [p.line for p in result.problems if "is not a RIS tag" in p.reason] == damaged
    assert any("field TI has" in p.reason for p in result.problems) == (len(joined) > limit)
