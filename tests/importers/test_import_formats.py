"""MEDLINE, Web of Science, BibTeX, CSV, CSL-JSON and EndNote XML exports."""

from pathlib import Path

from realist.importers import ParseResult, parse

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def load(name: str, fmt: str) -> ParseResult:
    result = parse((FIXTURES / name).read_bytes(), name)
    assert result.format == fmt
    return result


def test_pubmed_nbib() -> None:
    result = load("pubmed.nbib", "medline")
    assert result.problems == []
    review, concept = result.records
    assert review.pmid == "37553615" and review.source_line == 2
    assert review.authors == ["McLeish, Jenny", "Ayers, Susan", "McCourt, Christine"]  # FAU
    assert (review.year, review.volume, review.issue, review.pages) == (2023, "23", "1", "570")
    assert review.journal == "BMC pregnancy and childbirth"  # JT, not TA
    assert review.doi == "10.1186/s12884-023-05843-8"  # from LID "... [doi]", not "570"
    assert review.issn == "1471-2393"
    assert review.abstract.startswith("BACKGROUND: Perinatal") and "serious consequences" in (
        review.abstract
    )
    assert "*Peer Group" in review.keywords and "Realist review" in review.keywords
    # Six-space continuation lines are joined with a space, in raw too.
    assert dict(review.raw)["AD"].endswith("London, UK. jenny.mcleish@city.ac.uk.")
    assert concept.pages == "321-332"  # "321-32" expanded
    assert concept.doi == "10.1016/s0020-7489(02)00092-5"  # AID [doi] after AID [pii]
    assert concept.source_line == 53


def test_wos_plain_text() -> None:
    result = load("wos_plain.txt", "wos")
    assert result.problems == []
    first, second = result.records
    assert first.title.startswith("Mothers' accounts") and first.title.endswith("study")
    assert "organised peer support in pregnancy" in first.title  # wrapped line joined
    assert first.authors == ["McLeish, Jenny", "Redshaw, Maggie"]  # AF before AU
    assert [v for t, v in first.raw if t == "AU"] == ["McLeish, J", "Redshaw, M"]
    assert (first.pmid, first.pages, first.year) == ("28086827", "28", 2017)
    assert first.keywords == ["Peer support", "Pregnancy", "Emotional wellbeing",
                              "POSTNATAL DEPRESSION", "SOCIAL SUPPORT"]  # fmt: skip
    assert second.pages == "115-124" and second.source_line == 29


def test_wos_tab_delimited_with_a_lone_quote() -> None:
    result = load("wos_tab.txt", "csv")
    assert result.problems == []
    first, second = result.records
    assert first.title.startswith("Mothers' accounts of the \"impact")
    assert first.authors == ["McLeish, Jenny", "Redshaw, Maggie"]
    assert (first.doi, first.pmid, first.pages) == ("10.1186/s12884-017-1220-0", "28086827", "28")
    assert second.pages == "115-124" and second.kind == "JOUR"
    assert ("UT", "WOS:000181396200007") in second.raw


def test_bibtex_latex_strings_and_duplicate_keys() -> None:
    result = load("references.bib", "bibtex")
    article, german, chapter, thesis, duplicate = result.records
    assert article.journal == "BMC Pregnancy and Childbirth"  # @string resolved
    assert article.keywords == ["peer support", "realist review"]
    assert ("ID", "mcleish2023") in article.raw and ("ENTRYTYPE", "article") in article.raw
    assert german.title == "Gesundheitsförderung für Mütter: Ärztliche Begleitung & Peer-Support"
    assert german.authors == ["Müller, Jörg", "García, María", "World Health Organization"]
    assert (german.pages, german.pmid, german.year) == ("709-724", "31234567", 2019)
    assert dict(german.raw)["Title"].startswith('Gesundheitsf{\\"o}rderung')  # raw: LaTeX
    assert (chapter.kind, chapter.journal, chapter.pages) == ("CHAP", "Doing realist research",
                                                              "131-146")  # fmt: skip
    assert thesis.kind == "THES"
    assert duplicate.title == "A second entry that reuses the key"  # kept, not lost
    assert ("title", "A second entry that reuses the key") in duplicate.raw
    (problem,) = result.problems
    assert problem.line == 50 and "could not be read" in problem.reason


def test_scopus_csv() -> None:
    result = load("scopus.csv", "csv")
    assert result.problems == []
    review, concept, conference = result.records
    assert review.authors == ["McLeish J.", "Ayers S.", "McCourt C."]
    assert (review.journal, review.pages, review.pmid) == ("BMC Pregnancy and Childbirth",
                                                           "570", "37553615")  # fmt: skip
    assert review.abstract == "Background: Perinatal mental health difficulties are common. " \
        "Methods: A realist review."  # fmt: skip
    assert review.keywords[:2] == ["Peer support", "Perinatal mental health"]
    assert "Female" in review.keywords  # index keywords too
    assert review.issn == "1471-2393" and review.kind == "JOUR"
    assert ("EID", "2-s2.0-85167612345") in review.raw
    assert concept.pages == "321-332" and concept.source_line == 4  # row 1 spans two lines
    assert conference.kind == "CPAPER" and conference.doi == ""


def test_generic_csv_by_column_names() -> None:
    result = load("generic.csv", "csv")
    first, second, third = result.records
    assert first.doi == "10.1016/j.midw.2021.103000"
    assert first.authors == ["Smith, John", "Jones, Kate"]
    assert second.authors == ["Brown A.", "White B."]
    assert third.year is None and third.source_line == 5  # the blank row 4 is skipped
    assert ("Included", "maybe") in third.raw


def test_rayyan_csv_authors_joined_with_and() -> None:
    records = load("rayyan.csv", "csv").records
    assert records[0].authors == ["Smith, J", "Jones, K"]
    assert records[0].pages == "105-112"


def test_csl_json() -> None:
    result = load("zotero.json", "csl-json")
    review, report, book = result.records
    assert review.authors == ["McLeish, Jenny", "Ayers, Susan", "van den Berg, Anna"]
    assert (review.year, review.pmid, review.issn) == (2023, "37553615", "1471-2393")
    assert review.kind == "JOUR" and review.source_line == 1
    assert ("issued", '{"date-parts":[[2023,8,8]]}') in review.raw
    authors = [v for k, v in review.raw if k == "author"]
    assert authors[0] == '{"family":"McLeish","given":"Jenny"}'
    assert (report.kind, report.authors, report.year) == ("RPRT", ["National Childbirth Trust"],
                                                          2016)  # fmt: skip
    assert (book.kind, book.year, book.volume, book.source_line) == ("BOOK", 1997, "1", 4)
    (problem,) = result.problems
    assert problem.line == 3 and "not a JSON object" in problem.reason


def test_endnote_xml() -> None:
    result = load("endnote.xml", "endnote-xml")
    assert result.problems == []
    review, thesis = result.records
    assert review.title == "Community-based perinatal mental health peer support: a realist review"
    assert review.authors == ["McLeish, Jenny", "Ayers, Susan"]  # not the secondary author
    assert ("contributors/secondary-authors/author", "Editor, Ed") in review.raw
    assert ("ref-type@name", "Journal Article") in review.raw
    assert (review.journal, review.year, review.pages) == ("BMC Pregnancy and Childbirth", 2023,
                                                           "570")  # fmt: skip
    assert (review.doi, review.pmid, review.issn) == ("10.1186/s12884-023-05843-8", "37553615",
                                                      "1471-2393")  # fmt: skip
    assert review.keywords == ["Peer support", "Realist review"]
    assert "\n\nMethods" in dict(review.raw)["abstract"]
    assert (thesis.kind, thesis.source_line) == ("THES", 2)


def test_endnote_xml_cut_off_keeps_what_came_before() -> None:
    result = load("malformed.xml", "endnote-xml")
    assert [r.title for r in result.records] == ["First record is fine"]
    (problem,) = result.problems
    assert problem.line == 2 and "malformed" in problem.reason
