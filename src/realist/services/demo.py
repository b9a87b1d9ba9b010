"""Building the bundled demo review from its data files."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from realist.demo import CREDIT, DEFAULT_DEMO_DB, load_demo_files, load_demo_phrasings
from realist.domain.appraisal import Grade
from realist.domain.coding import Coding, Excerpt, Stance, span_problems
from realist.domain.documents import Document, DocumentType, Intervention, StudyDesign
from realist.domain.records import Record
from realist.domain.review import (
    ConceptBlock,
    Review,
    Reviewer,
    ReviewerRole,
    SearchStrategy,
    Source,
    SourceKind,
)
from realist.domain.screening import (
    CriterionKind,
    Decision,
    EligibilityCriterion,
    ScreeningDecision,
    Stage,
)
from realist.domain.stated import CountRule
from realist.domain.testing import VerdictRule
from realist.domain.theory import (
    CMOConfiguration,
    Component,
    MechanismKind,
    MiddleRangeTheory,
    Origin,
    Role,
    Topic,
    Verdict,
)
from realist.errors import InvalidInput, NotAReview, ReviewExists
from realist.reports.summary import Phrasing
from realist.services.expectations import EXPECTED_ATTRIBUTES
from realist.services.interventions import PHRASES_SETTING
from realist.services.testing import RULE_SETTING
from realist.store import Store, create_store, open_store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.screening import insert_decision

PAPER_KEY = "mcleish-2023"
RIS_TYPES = {"peer_reviewed_article": "JOUR", "thesis": "THES", "report": "RPRT"}


def open_demo(target: str | None = None) -> tuple[Store, bool]:
    """Open the demo review at ``target``, creating it first if the store is empty.

    Returns the store and whether it was created now. A store holding some other review is
    refused, so the demo never overwrites a reviewer's own work.
    """
    target = target or DEFAULT_DEMO_DB
    try:
        store = create_store(target)
    except ReviewExists:
        store = open_store(target)
        with store.reading() as connection:
            if not reviews_repo.get_review(connection).is_demo:
                store.close()
                raise NotAReview(
                    f"{store.describe()} holds a review that is not the demo; "
                    "choose another --db for the demo"
                ) from None
        with store.transaction() as connection:
            _refresh(connection)
        return store, False
    try:
        with store.transaction() as connection:
            build_demo(connection)
    except Exception:
        store.close()
        raise
    return store, True


def build_demo(connection: Connection) -> None:
    """Write the whole demo review in the caller's transaction."""
    data = load_demo_files()
    review = data["review"]
    reviews_repo.insert_review(
        connection,
        Review(
            title=review["title"],
            question=review["question"],
            authors=list(review["authors"]),
            licence=review["licence"],
            licence_url=review["licence_url"],
            citation=review["citation"],
            doi=str(review["doi"]),
            is_demo=True,
        ),
        last_search=str(review["search"]["last_search"]),
    )
    for person in review["reviewers"]:
        reviews_repo.insert_reviewer(
            connection,
            Reviewer(key=person["key"], name=person["name"], role=ReviewerRole(person["role"])),
        )
    owner = review["reviewers"][0]["key"]
    _build_search_and_criteria(connection, review)
    _build_documents(connection, data["documents"], data["paper"], owner)
    _build_interventions(connection, data["interventions"])
    _build_theories(connection, data["theories"])
    _build_excerpts(connection, data["excerpts"], data["paper"])
    append_event(connection, "review.created", owner, "review", {"demo": True, "credit": CREDIT})


def _build_search_and_criteria(connection: Connection, review: dict[str, Any]) -> None:
    search = review["search"]
    reviews_repo.insert_search(
        connection,
        SearchStrategy(
            concept_blocks=[
                ConceptBlock(name=b["name"], terms=[str(t) for t in b["terms"]])
                for b in search["concept_blocks"]
            ],
            sources=[
                Source(
                    name=s["name"],
                    kind=SourceKind(s["kind"]),
                    searched=str(s["searched"]) if s.get("searched") else None,
                    note=s.get("note") or "",
                )
                for s in search["sources"]
            ],
        ),
    )
    reviews_repo.insert_criteria(
        connection,
        [
            EligibilityCriterion(
                code=c["code"],
                dimension=c["dimension"],
                kind=CriterionKind(c["kind"]),
                text=c["text"],
            )
            for c in review["eligibility"]
        ],
    )
    reviews_repo.set_flow_counts(connection, dict(review["flow"]))
    reviews_repo.insert_stated_counts(connection, _stated_counts(review))
    reviews_repo.insert_text_notes(connection, review.get("notes") or [])
    reviews_repo.set_setting(
        connection, EXPECTED_ATTRIBUTES, [str(a) for a in review.get("expected_attributes") or []]
    )
    reviews_repo.set_setting(connection, PHRASES_SETTING, _phrasings())
    if review.get("verdict_rule"):
        rule = VerdictRule.from_json(review["verdict_rule"])
        reviews_repo.set_setting(connection, RULE_SETTING, rule.as_json())


def _stated_counts(review: dict[str, Any]) -> list[dict[str, Any]]:
    """The demo's stated counts, each rule checked as it is read (a bad one is a bug)."""
    counts = []
    for item in review.get("stated_counts") or []:
        rule = item.get("rule")
        counts.append({**item, "rule": CountRule.from_json(rule).as_json() if rule else None})
    return counts


def _phrasings() -> list[dict[str, Any]]:
    """The wording of the demo's intervention summary (demo/data/phrasings.yaml)."""
    return [Phrasing.from_json(p).as_json() for p in load_demo_phrasings()]


def _refresh(connection: Connection) -> bool:
    """Give a demo built by an earlier Realist what its data now says about checking it:
    stated counts' rules, the expected intervention attributes, the summary's wording.
    Whether it changed."""
    review = load_demo_files()["review"]
    wanted = {(c["what"], c.get("quote", "")): c["rule"] for c in _stated_counts(review)}
    changed = False
    for stated in reviews_repo.list_stated_counts(connection):
        rule = wanted.get((str(stated["what"]), str(stated["quote"])))
        if stated["rule"] is None and rule is not None:
            reviews_repo.set_stated_count_rule(connection, int(str(stated["id"])), rule)
            changed = True
    if reviews_repo.get_setting(connection, EXPECTED_ATTRIBUTES) is None:
        expected = [str(a) for a in review.get("expected_attributes") or []]
        reviews_repo.set_setting(connection, EXPECTED_ATTRIBUTES, expected)
        changed = True
    if reviews_repo.get_setting(connection, PHRASES_SETTING) is None:
        reviews_repo.set_setting(connection, PHRASES_SETTING, _phrasings())
        changed = True
    if changed:
        owner, _ = reviews_repo.resolve_reviewer(connection, None)
        append_event(connection, "demo.refreshed", owner, "review",
                     {"why": "settings an earlier Realist kept in code"})  # fmt: skip
    return changed


def _record_for(item: dict[str, Any]) -> Record:
    kind = RIS_TYPES[item["document_type"]]
    fields = {
        "TY": kind,
        "TI": item["title"],
        "T2": item.get("journal"),
        "PY": str(item["year"]) if item.get("year") else None,
        "VL": item.get("volume"),
        "IS": item.get("issue"),
        "SP": item.get("pages"),
        "DO": item.get("doi"),
        "UR": item.get("url"),
        "N1": item.get("reference_text"),
    }
    raw = [("TY", kind)] + [("AU", str(a)) for a in item["authors"]]
    raw += [(tag, str(value)) for tag, value in fields.items() if value and tag != "TY"]
    return Record(
        title=item["title"],
        authors=[str(a) for a in item["authors"]],
        year=int(item["year"]) if item.get("year") else None,
        journal=item.get("journal") or "",
        volume=str(item.get("volume") or ""),
        issue=str(item.get("issue") or ""),
        pages=str(item.get("pages") or ""),
        doi=str(item.get("doi") or "").lower(),
        kind=kind,
        raw=raw,
    )


def _build_documents(
    connection: Connection, documents: list[dict[str, Any]], paper: str, owner: str
) -> None:
    owner_id = reviews_repo.reviewer_id(connection, owner)
    for item in documents:
        record_id = records_repo.insert_record(connection, _record_for(item))
        for stage in Stage:
            insert_decision(
                connection,
                ScreeningDecision(record_id, stage, Decision.INCLUDE, owner),
                owner_id,
            )
        documents_repo.insert_document(
            connection,
            Document(
                key=item["key"],
                title=item["title"],
                document_type=DocumentType(item["document_type"]),
                study_design=StudyDesign(item["study_design"])
                if item.get("study_design")
                else None,
                study_design_basis=item.get("study_design_basis") or "",
                citation=item.get("reference_text") or "",
                reference_number=item["ref"],
                record_id=record_id,
            ),
        )
    documents_repo.insert_document(
        connection,
        Document(
            key=PAPER_KEY,
            title="Community-based perinatal mental health peer support: a realist review",
            document_type=DocumentType.PEER_REVIEWED_ARTICLE,
            citation=CREDIT,
            included=False,  # the review's own report, coded for the demo, not a study in it
            text=paper,
        ),
    )


def _build_interventions(connection: Connection, interventions: list[dict[str, Any]]) -> None:
    keys = {d.reference_number: d.key for d in documents_repo.list_documents(connection)}
    for item in interventions:
        attributes = {
            str(name): value if isinstance(value, bool | int | float) else str(value)
            for name, value in (item.get("attributes") or {}).items()
        }
        documents_repo.insert_intervention(
            connection,
            Intervention(
                number=item["number"],
                name=item.get("name") or "",
                attributes=attributes,
                document_keys=[keys[ref] for ref in item["documents"]],
            ),
        )


def _components(item: dict[str, Any]) -> list[Component]:
    parts = [Component(Role.CONTEXT, str(t), position=i) for i, t in enumerate(item["contexts"])]
    parts += [
        Component(
            Role.MECHANISM,
            str(m["text"]),
            kind=MechanismKind(m["kind"]) if m.get("kind") else None,
            position=i,
        )
        for i, m in enumerate(item["mechanisms"])
    ]
    parts += [Component(Role.OUTCOME, str(t), position=i) for i, t in enumerate(item["outcomes"])]
    return parts


def _build_theories(connection: Connection, theories: dict[str, Any]) -> None:
    for position, t in enumerate(theories["topics"]):
        theory_repo.insert_topic(
            connection,
            Topic(
                key=t["key"],
                name=t["name"],
                position=position,
                negative=bool(t.get("negative")),
            ),
        )
    for t in theories["middle_range_theories"]:
        theory_repo.insert_middle_range_theory(
            connection,
            MiddleRangeTheory(
                key=t["key"],
                name=t["name"],
                description=t.get("description") or "",
                references=[str(r) for r in t.get("refs") or []],
            ),
        )
    for position, c in enumerate(theories["configurations"]):
        theory_repo.insert_configuration(
            connection,
            CMOConfiguration(
                identifier=str(c["identifier"]),
                topic_key=c["topic"],
                title=c.get("title") or "",
                statement=c.get("statement") or "",
                components=_components(c),
                origin=Origin(c.get("origin") or "initial"),
                partial=bool(c.get("partial")),
                verdict=Verdict(c["verdict"]) if c.get("verdict") else None,
                rationale=c.get("rationale") or "",
                source_note=c.get("source_note") or "",
                middle_range_theory_keys=list(c.get("middle_range_theories") or []),
                intervention_numbers=[int(n) for n in c.get("interventions") or []],
                position=position,
            ),
        )


def _build_excerpts(connection: Connection, excerpts: list[dict[str, Any]], paper: str) -> None:
    paper_id = documents_repo.document_id(connection, PAPER_KEY)
    latest = documents_repo.latest_text(connection, paper_id)
    assert latest is not None
    text_id, text = latest
    config_ids = {c.identifier: c.id for c in theory_repo.list_configurations(connection)}
    for item in excerpts:
        problems = span_problems(text, item["start"], item["end"], item["text"])
        if problems:
            raise InvalidInput(f"demo excerpt {item['id']}: {problems[0]}")
        reviewer_key = item.get("reviewer") or "jm"
        who = reviews_repo.reviewer_id(connection, reviewer_key)
        excerpt_id = coding_repo.insert_excerpt(
            connection,
            Excerpt(
                document_key=PAPER_KEY,
                start=item["start"],
                end=item["end"],
                text=item["text"],
                reviewer_key=reviewer_key,
                relevance=Grade(item["relevance"]) if item.get("relevance") else None,
                rigour=Grade(item["rigour"]) if item.get("rigour") else None,
                label=item["id"],
            ),
            text_id,
            len(text),
            who,
        )
        coding_repo.link_cases(
            connection,
            excerpt_id,
            list(item.get("interventions") or []),
            item.get("cases_basis") or "",
        )
        for c in item["codings"]:
            identifier = str(c["configuration"])
            config_id = config_ids.get(identifier)
            if config_id is None:
                raise InvalidInput(f"demo excerpt {item['id']}: no configuration {identifier}")
            coding_repo.insert_coding(
                connection,
                excerpt_id,
                config_id,
                Coding(
                    configuration_identifier=identifier,
                    role=Role(c["role"]),
                    component_position=c.get("index"),
                    stance=Stance(c["stance"]),
                ),
                who,
            )
