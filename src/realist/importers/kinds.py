"""Reference types of every format, mapped to RIS ``TY`` codes (``Record.kind``).

One table for all vocabularies (BibTeX entry types, CSL types, Zotero item types, EndNote
reference-type names, Scopus and Web of Science document types, PubMed publication types),
looked up by the lower-cased name without punctuation, so ``Journal Article``,
``journalArticle`` and ``journal-article`` meet in one key.
"""

from __future__ import annotations

import re

import rispy

__all__ = ["ris_kind"]

_KEY = re.compile(r"[^a-z0-9]")

_TABLE: dict[str, str] = {
    # Journal articles and their kin, in every vocabulary.
    **dict.fromkeys(
        ["article", "articlejournal", "journalarticle", "journal", "review", "letter",
         "editorial", "note", "erratum", "shortsurvey", "datapaper", "retracted",
         "editorialmaterial", "correction", "comment", "reviewbook", "articleinpress",
         "earlyaccess", "j", "newsitem", "biographicalitem", "reprint"],
        "JOUR",
    ),
    **dict.fromkeys(["book", "wholebook", "b", "mvbook", "booklet"], "BOOK"),
    **dict.fromkeys(["editedbook", "collection", "mvcollection"], "EDBOOK"),
    **dict.fromkeys(
        ["chapter", "inbook", "incollection", "booksection", "bookchapter", "suppbook"], "CHAP"
    ),
    **dict.fromkeys(
        ["inproceedings", "conferencepaper", "paperconference", "proceedingspaper",
         "conference"],
        "CPAPER",
    ),
    **dict.fromkeys(
        ["proceedings", "conferenceproceedings", "conferencereview", "c", "mvproceedings"], "CONF"
    ),
    **dict.fromkeys(["meetingabstract", "abstract", "abst"], "ABST"),
    **dict.fromkeys(["thesis", "phdthesis", "mastersthesis", "dissertation", "thes"], "THES"),
    **dict.fromkeys(["report", "techreport", "rprt", "governmentreport"], "RPRT"),
    **dict.fromkeys(["governmentdocument", "govdoc"], "GOVDOC"),
    **dict.fromkeys(["webpage", "online", "electronic", "www", "post", "elec"], "ELEC"),
    **dict.fromkeys(["postweblog", "blogpost", "blog"], "BLOG"),
    **dict.fromkeys(["electronicarticle", "ejour"], "EJOUR"),
    **dict.fromkeys(["magazinearticle", "articlemagazine", "mgzn"], "MGZN"),
    **dict.fromkeys(["newspaperarticle", "articlenewspaper", "newspaper", "news"], "NEWS"),
    **dict.fromkeys(["dataset", "data", "datafile"], "DATA"),
    **dict.fromkeys(["patent", "p", "pat"], "PAT"),
    **dict.fromkeys(["manuscript", "manscpt"], "MANSCPT"),
    **dict.fromkeys(["unpublished", "unpublishedwork", "unpb", "preprint"], "UNPB"),
    **dict.fromkeys(["misc", "generic", "document", "gen", "other", "standard"], "GEN"),
    **dict.fromkeys(["entryencyclopedia", "encyclopediaarticle", "encyc"], "ENCYC"),
    **dict.fromkeys(["entrydictionary", "dictionaryentry", "dict"], "DICT"),
    **dict.fromkeys(["software", "computerprogram", "comp"], "COMP"),
    **dict.fromkeys(["case", "legalcase"], "CASE"),
    **dict.fromkeys(["statute", "legislation", "stat"], "STAT"),
    **dict.fromkeys(["personalcommunication", "email", "letterpersonal", "pcomm"], "PCOMM"),
    **dict.fromkeys(["interview"], "PCOMM"),
    **dict.fromkeys(["motionpicture", "film", "mpct"], "MPCT"),
    **dict.fromkeys(["audiovisualmaterial", "advs"], "ADVS"),
    **dict.fromkeys(["s", "series", "ser", "bookseries"], "SER"),
    **dict.fromkeys(["map"], "MAP"),
    **dict.fromkeys(["bill"], "BILL"),
    **dict.fromkeys(["hearing", "hear"], "HEAR"),
    **dict.fromkeys(["grant"], "GRANT"),
}  # fmt: skip
# Every RIS code maps to itself, so an already-RIS kind passes through.
_TABLE.update({code.lower(): code for code in rispy.TYPE_OF_REFERENCE_MAPPING})


def ris_kind(name: str, default: str = "GEN") -> str:
    """The RIS type code for a reference type ``name`` of any vocabulary; ``default`` if
    the name is unknown or empty."""
    return _TABLE.get(_KEY.sub("", name.lower()), default)
