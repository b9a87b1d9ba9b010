"""Testing each configuration against its evidence, and recording the reviewer's verdict."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from realist.domain.testing import EvidenceSummary, Proposal, VerdictRule, propose_verdict
from realist.domain.theory import CMOConfiguration, Verdict
from realist.errors import InvalidInput, NotFound
from realist.services.theories import snapshot
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.evidence import evidence_items

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


@dataclass
class TestedConfiguration:
    """A configuration, its evidence, what the rule proposes, and what the reviewer said."""

    configuration: CMOConfiguration
    summary: EvidenceSummary
    proposal: Proposal

    @property
    def agrees(self) -> bool:
        return self.configuration.verdict is self.proposal.verdict


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
        tested.append(TestedConfiguration(c, summary, propose_verdict(summary.items, rule)))
    return tested


def set_verdict(
    store: Store,
    identifier: str,
    reviewer: str | None,
    rationale: str,
    verdict: Verdict | None = None,
) -> TestedConfiguration:
    """Confirm the proposed verdict (``verdict=None``) or override it; a rationale is
    required, and the previous verdict is kept in the configuration's history."""
    if not rationale.strip():
        raise InvalidInput("a verdict needs a rationale")
    tested = weigh_evidence(store, identifier)[0]
    chosen = verdict or tested.proposal.verdict
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        version = theory_repo.current_version(connection, current.id)
        why = f"verdict {chosen.value}: {rationale}"
        theory_repo.insert_version(connection, current.id, version, snapshot(current), who, why)
        changed = dataclasses.replace(current, verdict=chosen, rationale=rationale)
        theory_repo.update_configuration(connection, current.id, changed, version + 1)
        append_event(
            connection, "configuration.verdict", key, f"configuration:{identifier}",
            {"verdict": chosen.value, "proposed": tested.proposal.verdict.value,
             "rationale": rationale},
        )  # fmt: skip
    return weigh_evidence(store, identifier)[0]
