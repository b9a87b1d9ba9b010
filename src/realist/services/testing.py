"""Testing each configuration against its evidence, and recording the reviewer's verdict."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from realist.domain.testing import EvidenceSummary, Proposal, VerdictRule, propose_verdict
from realist.domain.theory import CMOConfiguration, Standing, Verdict, standing
from realist.errors import InvalidInput, NotFound
from realist.services.theories import snapshot
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.evidence import coders_of, evidence_items

RULE_SETTING = "verdict_rule"


def _rule(connection: Connection) -> VerdictRule:
    value = reviews_repo.get_setting(connection, RULE_SETTING)
    return VerdictRule.from_json(dict(value)) if isinstance(value, dict) else VerdictRule()


def verdict_rule(store: Store) -> VerdictRule:
    """The review's rule for proposing verdicts (a default until a reviewer sets one)."""
    with store.reading() as connection:
        return _rule(connection)


def set_verdict_rule(store: Store, rule: VerdictRule, reviewer: str | None) -> None:
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        reviews_repo.set_setting(connection, RULE_SETTING, rule.as_json())
        append_event(connection, "verdict_rule.set", key, "review", rule.as_json())


@dataclass(frozen=True)
class Dispute:
    """An excerpt coded to one configuration with opposite stances: who said what."""

    excerpt_id: int
    label: str
    stances: dict[str, list[str]]  # stance -> coders

    def describe(self) -> str:
        """ "excerpt 12: supports (ann), refutes (ben)"."""
        said = ", ".join(f"{s} ({', '.join(who)})" for s, who in self.stances.items())
        return f"excerpt {self.label or self.excerpt_id}: {said}"


@dataclass
class TestedConfiguration:
    """A configuration, its evidence, what the rule proposes, and what the reviewer said."""

    configuration: CMOConfiguration
    summary: EvidenceSummary
    proposal: Proposal
    disputes: list[Dispute] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return self.configuration.verdict is self.proposal.verdict

    @property
    def standing(self) -> Standing:
        """Untested, awaiting a verdict, or the verdict given."""
        return standing(self.configuration.verdict, self.summary.excerpts)


def weigh_evidence(store: Store, identifier: str | None = None) -> list[TestedConfiguration]:
    """Every configuration (or one) with its evidence summary and proposed verdict."""
    with store.reading() as connection:
        rule = _rule(connection)
        evidence = evidence_items(connection, identifier)
        configurations = theory_repo.list_configurations(connection)
        if identifier is not None:
            configurations = [c for c in configurations if c.identifier == identifier]
            if not configurations:
                raise NotFound(f"no configuration '{identifier}' in this review")
        tested = []
        for c in configurations:
            summary = EvidenceSummary(c.identifier, evidence.get(c.identifier, []))
            disputes = _disputes(connection, c.identifier, summary.contested)
            proposal = propose_verdict(summary.items, rule)
            tested.append(TestedConfiguration(c, summary, proposal, disputes))
    return tested


def _disputes(connection: Connection, identifier: str, excerpts: list[int]) -> list[Dispute]:
    said: dict[tuple[int, str], dict[str, list[str]]] = {}
    for excerpt_id, label, stance, coder in coders_of(connection, identifier, excerpts):
        said.setdefault((excerpt_id, label), {}).setdefault(stance, []).append(coder)
    return [Dispute(e, label, stances) for (e, label), stances in said.items()]


def set_verdict(
    store: Store,
    identifier: str,
    reviewer: str | None,
    rationale: str,
    verdict: Verdict | None = None,
    *,
    untested: bool = False,
) -> TestedConfiguration:
    """Confirm the proposed verdict (``verdict=None``) or override it, or with ``untested``
    take a verdict back; a rationale is required, and the previous verdict is kept in the
    configuration's history.

    A verdict needs evidence: a configuration without any coded is untested (an initial
    one is struck through as not supported by evidence), so supported, refined and not
    supported are refused for it. Confirming is refused while excerpts are coded to it
    with opposite stances: the coders reconcile them first (or the reviewer overrides with
    a verdict and a rationale)."""
    if not rationale.strip():
        raise InvalidInput("a verdict needs a rationale")
    tested = weigh_evidence(store, identifier)[0]
    if not untested and not tested.summary.items:
        raise InvalidInput(
            f"configuration {identifier} has no evidence coded: it is untested, and a verdict "
            "needs evidence (code excerpts to it first)"
        )
    if verdict is None and not untested and tested.disputes:
        listed = "; ".join(d.describe() for d in tested.disputes)
        raise InvalidInput(
            f"configuration {identifier} has evidence coded with opposite stances ({listed}): "
            "reconcile the codings first, or choose a verdict with a rationale"
        )
    chosen = None if untested else verdict or tested.proposal.verdict
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        version = theory_repo.current_version(connection, current.id)
        why = f"verdict {chosen.value if chosen else 'taken back (untested)'}: {rationale}"
        theory_repo.insert_version(connection, current.id, version, snapshot(current), who, why)
        changed = dataclasses.replace(current, verdict=chosen, rationale=rationale)
        theory_repo.update_configuration(connection, current.id, changed, version + 1)
        append_event(
            connection, "configuration.verdict", key, f"configuration:{identifier}",
            {"verdict": chosen.value if chosen else None,
             "proposed": tested.proposal.verdict.value if tested.proposal.verdict else None,
             "rationale": rationale},
        )  # fmt: skip
    return weigh_evidence(store, identifier)[0]
