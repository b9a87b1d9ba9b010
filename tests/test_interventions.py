"""Interventions and their attributes can be undone: unset, renamed, removed, unlinked,
deleted; each change one event, nothing left pointing at what went."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from realist.cli import cli
from realist.domain.documents import Intervention
from realist.errors import InvalidInput, NotFound
from realist.services import interventions
from realist.services.queries import matrix
from realist.services.reporting import phrasings
from realist.services.theories import list_theories
from realist.store import Store
from realist.store.events import list_events
from realist.store.schema_analysis import configuration, configuration_intervention, intervention


def _by_number(store: Store) -> dict[int, Intervention]:
    found, _ = interventions.list_interventions(store)
    return {i.number: i for i in found}


def _last_event(store: Store) -> tuple[str, str, dict[str, object]]:
    with store.reading() as connection:
        event = list_events(connection, limit=1)[0]
    return event.action, event.subject, dict(event.detail)


def test_unset_one_attribute_of_one_intervention(demo_store: Store) -> None:
    before = _by_number(demo_store)
    assert before[8].attributes["format"] == "group_in_person"
    interventions.unset_attribute(demo_store, 8, "format", "jm")
    after = _by_number(demo_store)
    assert "format" not in after[8].attributes
    assert after[9].attributes["format"] == before[9].attributes["format"]  # others keep it
    assert _last_event(demo_store) == (
        "intervention.attribute_unset",
        "intervention:8",
        {"attribute": "format", "value": "group_in_person"},
    )
    with pytest.raises(NotFound, match="has no attribute 'format'"):
        interventions.unset_attribute(demo_store, 8, "format", "jm")
    with pytest.raises(NotFound, match="no intervention #99"):
        interventions.unset_attribute(demo_store, 99, "format", "jm")


def test_rename_an_attribute_everywhere_with_its_wording(demo_store: Store) -> None:
    holders = [n for n, i in _by_number(demo_store).items() if "country" in i.attributes]
    assert interventions.rename_attribute(demo_store, "country", "Country of delivery", "jm") == (
        len(holders)
    )
    after = _by_number(demo_store)
    assert all("country" not in i.attributes for i in after.values())
    assert sorted(n for n, i in after.items() if "Country of delivery" in i.attributes) == holders
    # The summary's wording follows the attribute: the demo still says "took place in".
    worded = {p.attribute: p for p in phrasings(demo_store)}
    assert "country" not in worded and worded["Country of delivery"].verb == "took place"
    action, subject, detail = _last_event(demo_store)
    assert (action, subject) == ("intervention.attribute_renamed", "attribute:country")
    assert detail["interventions"] == holders
    # A name one of them already has would lose a value: refused, nothing changed.
    interventions.set_intervention(demo_store, holders[0], "jm", attributes={"region": "north"})
    with pytest.raises(InvalidInput, match=rf"already an attribute of #{holders[0]}"):
        interventions.rename_attribute(demo_store, "Country of delivery", "region", "jm")
    with pytest.raises(InvalidInput, match="names a column"):
        interventions.rename_attribute(demo_store, "region", "documents", "jm")
    with pytest.raises(NotFound):
        interventions.rename_attribute(demo_store, "no such thing", "x", "jm")


def test_remove_an_attribute_column(demo_store: Store) -> None:
    values = {n: i.attributes["population"] for n, i in _by_number(demo_store).items()
              if "population" in i.attributes}  # fmt: skip
    assert interventions.remove_attribute(demo_store, "population", "jm") == len(values)
    assert all("population" not in i.attributes for i in _by_number(demo_store).values())
    assert all(p.attribute != "population" for p in phrasings(demo_store))
    action, _, detail = _last_event(demo_store)
    assert action == "intervention.attribute_removed"
    assert detail["values"] == {str(n): v for n, v in values.items()}  # the record keeps them
    assert isinstance(detail["phrasing"], dict)


def test_unlink_a_document(demo_store: Store) -> None:
    assert _by_number(demo_store)[2].document_keys == ["cust-2016", "carter-2018"]
    interventions.unlink_document(demo_store, 2, "cust-2016", "jm")
    assert _by_number(demo_store)[2].document_keys == ["carter-2018"]
    assert _last_event(demo_store)[0] == "intervention.document_unlinked"
    with pytest.raises(NotFound, match="not linked"):
        interventions.unlink_document(demo_store, 2, "cust-2016", "jm")


def test_delete_an_intervention_keeps_the_configurations(demo_store: Store) -> None:
    with demo_store.transaction() as connection:
        ids = {
            r.identifier: r.id
            for r in connection.execute(sa.select(configuration.c.identifier, configuration.c.id))
        }
        number_id = connection.execute(
            sa.select(intervention.c.id).where(intervention.c.number == 21)
        ).scalar_one()
        connection.execute(
            configuration_intervention.insert().values(
                configuration_id=ids["1"], intervention_id=number_id
            )
        )
    before = {t.configuration.identifier for t in list_theories(demo_store)}
    assert "#21" in matrix(demo_store, "intervention").columns
    gone = interventions.delete_intervention(demo_store, 21, "jm")
    assert gone.documents == ["fairbairn-2020"] and gone.configurations == ["1"]
    assert gone.excerpts and gone.attributes["format"] == "one_to_one_paid_in_person"
    assert 21 not in _by_number(demo_store)
    theories = {t.configuration.identifier: t for t in list_theories(demo_store)}
    assert set(theories) == before  # every configuration keeps its identity
    assert 21 not in theories["1"].configuration.intervention_numbers
    assert "#21" not in matrix(demo_store, "intervention").columns
    action, subject, detail = _last_event(demo_store)
    assert (action, subject) == ("intervention.deleted", "intervention:21")
    assert detail["documents"] == ["fairbairn-2020"] and detail["excerpts"] == gone.excerpts
    with pytest.raises(NotFound):
        interventions.delete_intervention(demo_store, 21, "jm")


def _cli(store: Store, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--db", store.target, *args], env={"COLUMNS": "200"}, catch_exceptions=False
    )
    return result.exit_code, result.output


def test_the_commands(demo_store: Store) -> None:
    sets = ("--set", "country=UK", "--set", "sessions=6", "--set", "bp_device=yes")
    code, out = _cli(demo_store, "intervention", "23", "--name", "Mums [Together]", *sets)
    assert code == 0, out
    assert "Intervention #23 (Mums [Together]): bp_device=True, country=UK, sessions=6" in out
    code, out = _cli(demo_store, "intervention", "23", "--unset", "sessions",
                     "--document", "lynch-2019")  # fmt: skip
    assert code == 0 and "sessions" not in out and "documents lynch-2019" in out
    code, out = _cli(demo_store, "intervention", "23", "--remove-document", "lynch-2019")
    assert code == 0 and "lynch-2019" not in out
    code, out = _cli(demo_store, "attribute", "bp_device", "--rename", "bp device")
    assert code == 0 and "Renamed 'bp_device' to 'bp device' on 1 intervention." in out
    listed = json.loads(_cli(demo_store, "interventions", "--json")[1])
    assert listed[-1]["attributes"] == {"bp device": True, "country": "UK"}
    code, out = _cli(demo_store, "attribute", "bp device", "--remove")
    assert code == 0 and "Removed 'bp device' from 1 intervention." in out
    code, out = _cli(demo_store, "intervention", "23", "--delete")
    assert code == 0
    assert "Deleted intervention #23 (Mums [Together]) with 1 attribute" in out
    code, out = _cli(demo_store, "intervention", "23", "--delete", "--name", "x")
    assert code == 2 and "--delete takes no other change" in out
    code, out = _cli(demo_store, "attribute", "country")
    assert code == 2 and "give --rename NEW or --remove" in out
    for command in ("intervention", "attribute"):
        helped = _cli(demo_store, command, "--help")[1]
        assert "Examples:" in helped
