"""Correcting anything a reviewer made: ``rename``, ``change``, ``retire`` and ``delete``
(one subcommand per kind of object) and ``uncode``; the lists that show what there is to
correct are in :mod:`realist.cli.correction_lists`.

Each subcommand calls one service; the services refuse what would leave something
dangling and say why (docs/ARCHITECTURE.md, "Corrections"). Every change is an event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from realist.cli.app import ID, CliState, cli, examples
from realist.domain.coding import Stance
from realist.domain.documents import DocumentType, StudyDesign
from realist.domain.review import ReviewerRole, SourceKind
from realist.domain.screening import CriterionKind
from realist.domain.theory import Role
from realist.reports.wording import counted
from realist.services import (
    batches,
    coding,
    criteria,
    document_edits,
    excerpt_edits,
    reviewers,
    theory_edits,
)
from realist.store import Store

T = TypeVar("T")


def with_store(state: CliState, action: Callable[[Store], T]) -> T:
    store = state.open()
    try:
        return action(store)
    finally:
        store.close()


def say(state: CliState, text: str) -> None:
    state.console.print(text, markup=False, highlight=False)


# --- rename ---------------------------------------------------------------------------------


@cli.group(
    epilog=examples(
        "realist rename document thapa2020 thapa-2020",
        "realist rename criterion E-PPO E-POP",
        "realist rename configuration 9 N9",
        "realist rename topic harms risks",
    )
)
def rename() -> None:
    """Give a document, criterion, configuration or topic a new key or identifier.

    Everything that refers to it follows (they refer to it by id); the event links the
    old name to the new one."""


@rename.command("document", epilog=examples("realist rename document thapa2020 thapa-2020"))
@click.argument("key")
@click.argument("new_key")
@click.pass_obj
def rename_document(state: CliState, key: str, new_key: str) -> None:
    """A document's key: letters, digits, '.', '_' and '-' (e.g. thapa-2020)."""
    with_store(state, lambda s: document_edits.rename_document(s, key, new_key, state.reviewer))
    say(state, f"Document {key} is now {new_key}.")


@rename.command("criterion", epilog=examples("realist rename criterion E-PPO E-POP"))
@click.argument("code")
@click.argument("new_code")
@click.pass_obj
def rename_criterion(state: CliState, code: str, new_code: str) -> None:
    """An eligibility criterion's code; decisions that cite it follow."""
    with_store(state, lambda s: criteria.edit_criterion(s, code, state.reviewer, new_code=new_code))
    say(state, f"Criterion {code} is now {new_code}.")


@rename.command("configuration", epilog=examples("realist rename configuration 9 N9"))
@click.argument("identifier")
@click.argument("new_identifier")
@click.pass_obj
def rename_configuration(state: CliState, identifier: str, new_identifier: str) -> None:
    """A configuration's identifier; its codings, memo and history follow."""
    with_store(
        state,
        lambda s: theory_edits.rename_configuration(s, identifier, new_identifier, state.reviewer),
    )
    say(state, f"Configuration {identifier} is now {new_identifier}.")


@rename.command("topic", epilog=examples("realist rename topic harms risks"))
@click.argument("key")
@click.argument("new_key")
@click.pass_obj
def rename_topic(state: CliState, key: str, new_key: str) -> None:
    """A topic's key (its display name: `realist change topic KEY --name`)."""
    with_store(state, lambda s: theory_edits.edit_topic(s, key, state.reviewer, new_key=new_key))
    say(state, f"Topic {key} is now {new_key}.")


# --- change ---------------------------------------------------------------------------------


@cli.group(
    epilog=examples(
        'realist change criterion E-POP --text "Not about hypertension"',
        "realist change document thapa-2020 --type thesis --design qualitative",
        "realist change excerpt 12 --label E101",
        "realist change coding 40 --stance refutes --role mechanism --part 2",
        "realist change topic harms --name 'Negative impact' --position 0",
        "realist change reviewer ann --name 'Ann Smith' --role viewer",
        "realist change batch 3 --source Scopus --source-kind database",
    )
)
def change() -> None:
    """Correct what a criterion, document, excerpt, coding, topic, reviewer or import
    batch says. Each change is an event with the values before and after."""


@change.command(
    "criterion",
    epilog=examples('realist change criterion E-POP --text "Not about hypertension"'),
)
@click.argument("code")
@click.option("--dimension", help="e.g. population, setting, design.")
@click.option("--text", help="The criterion's wording.")
@click.option("--exclusion/--inclusion", default=None, help="Its kind.")
@click.pass_obj
def change_criterion(
    state: CliState, code: str, dimension: str | None, text: str | None, exclusion: bool | None
) -> None:
    """An eligibility criterion's dimension, text or kind (a criterion exclusions cite
    stays an exclusion criterion)."""
    kind = None if exclusion is None else CriterionKind("exclusion" if exclusion else "inclusion")
    item = with_store(
        state,
        lambda s: criteria.edit_criterion(
            s, code, state.reviewer, dimension=dimension, text=text, kind=kind
        ),
    )
    say(state, f"Criterion {item.code} ({item.kind.value}, {item.dimension}): {item.text}")


@change.command(
    "document",
    epilog=examples(
        "realist change document thapa-2020 --title 'Home visits in Nepal' --type report"
    ),
)
@click.argument("key")
@click.option("--title")
@click.option("--type", "document_type", type=click.Choice([t.value for t in DocumentType]))
@click.option("--design", type=click.Choice([d.value for d in StudyDesign]))
@click.option("--unknown-design", is_flag=True, help="The study design is not known.")
@click.pass_obj
def change_document(
    state: CliState,
    key: str,
    title: str | None,
    document_type: str | None,
    design: str | None,
    unknown_design: bool,
) -> None:
    """A document's title, type or study design (its key: `realist rename document`)."""
    item = with_store(
        state,
        lambda s: document_edits.edit_document(
            s,
            key,
            state.reviewer,
            title=title,
            document_type=DocumentType(document_type) if document_type else None,
            study_design=StudyDesign(design) if design else None,
            unknown_design=unknown_design,
        ),
    )
    design_text = item.study_design.value if item.study_design else "design unknown"
    say(state, f"{item.key}: {item.title} ({item.document_type.value}, {design_text})")


@change.command("excerpt", epilog=examples("realist change excerpt 12 --label E101"))
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.option("--label", required=True, help="A label such as E101 ('' removes it).")
@click.pass_obj
def change_excerpt(state: CliState, excerpt_ref: str, label: str) -> None:
    """An excerpt's label (its appraisal: `realist excerpt ID --rigour ...`)."""
    item = with_store(
        state, lambda s: excerpt_edits.label_excerpt(s, excerpt_ref, label, state.reviewer)
    )
    say(state, f"Excerpt {item.id} is labelled {item.label!r}.")


@change.command(
    "coding", epilog=examples("realist change coding 40 --stance refutes --role mechanism --part 2")
)
@click.argument("coding_id", metavar="CODING", type=ID)
@click.option("--stance", type=click.Choice([s.value for s in Stance]))
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    help="What it points at: the configuration as a whole, or one kind of part.",
)
@click.option("--part", type=ID, help="Which context/mechanism/outcome.")
@click.pass_obj
def change_coding(
    state: CliState, coding_id: int, stance: str | None, role: str | None, part: int | None
) -> None:
    """A coding's stance, or the part of its configuration it points at. Coding ids are
    shown by `realist excerpt EXCERPT --show`."""
    item = with_store(
        state,
        lambda s: excerpt_edits.recode(
            s,
            coding_id,
            state.reviewer,
            stance=Stance(stance) if stance else None,
            role=Role(role) if role else None,
            position=part - 1 if part else None,
        ),
    )
    where = item.role.value + (
        f" {item.component_position + 1}" if item.component_position is not None else ""
    )
    say(state, f"Coding {coding_id}: {item.configuration_identifier} ({where}, {item.stance})")


@change.command(
    "topic",
    epilog=examples("realist change topic harms --name 'Negative impact' --negative --position 3"),
)
@click.argument("key")
@click.option("--name", help="Its display name.")
@click.option("--negative/--positive", default=None, help="Whether it explains harms.")
@click.option("--position", type=ID, help="Its place among the topics.")
@click.pass_obj
def change_topic(
    state: CliState, key: str, name: str | None, negative: bool | None, position: int | None
) -> None:
    """A topic's name, whether its configurations explain harms, or its order."""
    item = with_store(
        state,
        lambda s: theory_edits.edit_topic(
            s,
            key,
            state.reviewer,
            name=name,
            negative=negative,
            position=position - 1 if position else None,
        ),
    )
    harms = ", explains harms" if item.negative else ""
    say(state, f"Topic {item.key}: {item.name} (number {item.position + 1}{harms})")


@change.command(
    "reviewer", epilog=examples("realist change reviewer ann --name 'Ann Smith' --role viewer")
)
@click.argument("key")
@click.option("--name", help="Their display name (the key never changes).")
@click.option("--role", type=click.Choice([r.value for r in ReviewerRole]))
@click.pass_obj
def change_reviewer(state: CliState, key: str, name: str | None, role: str | None) -> None:
    """A person's display name or role (a review keeps an active owner)."""
    item = with_store(
        state,
        lambda s: reviewers.edit_reviewer(
            s, key, state.reviewer, name=name, role=ReviewerRole(role) if role else None
        ),
    )
    say(state, f"{item.key}: {item.name} ({item.role.value})")


@change.command(
    "batch", epilog=examples("realist change batch 3 --source Scopus --source-kind database")
)
@click.argument("batch_id", metavar="BATCH", type=ID)
@click.option("--source", "source_name", help="The source it came from (default: its own).")
@click.option("--source-kind", type=click.Choice([k.value for k in SourceKind]))
@click.pass_obj
def change_batch(
    state: CliState, batch_id: int, source_name: str | None, source_kind: str | None
) -> None:
    """Move an import batch to another source, or correct its source's kind; PRISMA
    counts follow. (See `realist batches` for the numbers.)"""

    def move(store: Store) -> batches.BatchMove:
        name = source_name
        if name is None:
            name = next(b.source for b in batches.list_batches(store) if b.id == batch_id)
        kind = SourceKind(source_kind) if source_kind else None
        return batches.move_batch(store, batch_id, name, state.reviewer, kind=kind)

    if source_name is None and source_kind is None:
        raise click.UsageError("give --source or --source-kind")
    done = with_store(state, move)
    gone = "; the old source had nothing else and was removed" if done.old_source_removed else ""
    say(
        state,
        f"Batch {batch_id} ({done.records} records) is in {done.source} "
        f"({done.source_kind.value}){gone}.",
    )


# --- retire ---------------------------------------------------------------------------------


@cli.group(
    epilog=examples(
        "realist retire criterion E-PPO",
        "realist retire reviewer ann",
        "realist retire reviewer ann --undo",
    )
)
def retire() -> None:
    """Keep a criterion or a person for the work that cites them, but stop using them:
    a retired criterion is not offered for new decisions, a retired reviewer can no
    longer act or sign in."""


@retire.command("criterion", epilog=examples("realist retire criterion E-PPO"))
@click.argument("code")
@click.option("--undo", is_flag=True, help="Offer it for new decisions again.")
@click.pass_obj
def retire_criterion(state: CliState, code: str, undo: bool) -> None:
    """An eligibility criterion; decisions that cite it keep it (Table 1 marks it)."""
    with_store(
        state, lambda s: criteria.retire_criterion(s, code, state.reviewer, retired=not undo)
    )
    say(state, f"Criterion {code} is {'offered again' if undo else 'retired'}.")


@retire.command("reviewer", epilog=examples("realist retire reviewer ann"))
@click.argument("key")
@click.option("--undo", is_flag=True, help="Let them act again.")
@click.pass_obj
def retire_reviewer(state: CliState, key: str, undo: bool) -> None:
    """A person; their work stays attributed to them."""
    with_store(state, lambda s: reviewers.retire_reviewer(s, key, state.reviewer, retired=not undo))
    say(state, f"{key} is {'active again' if undo else 'retired'}.")


# --- delete ---------------------------------------------------------------------------------


@cli.group(
    epilog=examples(
        "realist delete criterion E-PPO --replace-with E-POP",
        "realist delete term 'nurse*'",
        "realist delete topic harms --move-to risks",
        "realist delete configuration N9 --force",
        "realist delete document smith-2019 --force",
        "realist delete excerpt E042",
        "realist delete coding 40",
        "realist delete batch 3",
        "realist delete reviewer zed",
    )
)
def delete() -> None:
    """Delete something, with what depends on it, or be told why not.

    \b
    criterion      when no decision cites it; else --replace-with CODE moves them
    term           a highlight term
    topic          when empty; else --move-to TOPIC moves its configurations
    configuration  with its parts and codings (--force when it has codings)
    document       with its texts, files, excerpts, codings, links (--force with excerpts)
    excerpt        with its codings
    coding         one coding (as `realist uncode`)
    batch          with its records and their decisions; refused while documents use them
    reviewer       when they did no work; else retire them
    """


@delete.command("criterion", epilog=examples("realist delete criterion E-PPO --replace-with E-POP"))
@click.argument("code")
@click.option("--replace-with", metavar="CODE", help="The criterion its decisions cite instead.")
@click.pass_obj
def delete_criterion(state: CliState, code: str, replace_with: str | None) -> None:
    """An eligibility criterion (decisions that cite it need --replace-with)."""
    done = with_store(
        state,
        lambda s: criteria.delete_criterion(s, code, state.reviewer, replace_with=replace_with),
    )
    moved = (
        f"; {counted(len(done.moved), 'decision')} now cite {done.replaced_by}"
        if done.moved
        else ""
    )
    say(state, f"Deleted criterion {code}{moved}.")


@delete.command("term", epilog=examples("realist delete term inpatient 'nurse*'"))
@click.argument("terms", nargs=-1, required=True)
@click.pass_obj
def delete_term(state: CliState, terms: tuple[str, ...]) -> None:
    """Highlight terms (inclusion or exclusion)."""
    n = with_store(state, lambda s: criteria.remove_highlight_terms(s, list(terms), state.reviewer))
    say(state, f"Removed {counted(n, 'highlight term')}.")


@delete.command("topic", epilog=examples("realist delete topic harms --move-to risks"))
@click.argument("key")
@click.option("--move-to", metavar="TOPIC", help="Where its configurations go.")
@click.pass_obj
def delete_topic(state: CliState, key: str, move_to: str | None) -> None:
    """A topic (one with configurations needs --move-to)."""
    moved = with_store(
        state, lambda s: theory_edits.delete_topic(s, key, state.reviewer, move_to=move_to)
    )
    also = f"; {', '.join(moved)} moved to {move_to}" if moved else ""
    say(state, f"Deleted topic {key}{also}.")


@delete.command("configuration", epilog=examples("realist delete configuration N9 --force"))
@click.argument("identifier")
@click.option("--force", is_flag=True, help="Delete its codings too.")
@click.pass_obj
def delete_configuration(state: CliState, identifier: str, force: bool) -> None:
    """A configuration; its history, memo and codings are kept in the event."""
    n = with_store(
        state,
        lambda s: theory_edits.delete_configuration(s, identifier, state.reviewer, force=force),
    )
    say(state, f"Deleted configuration {identifier} and {counted(n, 'coding')}.")


@delete.command("document", epilog=examples("realist delete document smith-2019 --force"))
@click.argument("key")
@click.option("--force", is_flag=True, help="Delete its excerpts and codings too.")
@click.pass_obj
def delete_document(state: CliState, key: str, force: bool) -> None:
    """A document with its texts, files, excerpts, codings, appraisals and intervention
    links (the record it was attached to stays)."""
    done = with_store(
        state, lambda s: document_edits.delete_document(s, key, state.reviewer, force=force)
    )
    say(
        state,
        f"Deleted document {key}: {counted(done.versions, 'text version')}, "
        f"{counted(done.files, 'file')}, {counted(done.excerpts, 'excerpt')}, "
        f"{counted(done.codings, 'coding')}, {counted(done.appraisals, 'MMAT appraisal')}"
        + (
            f"; unlinked from interventions {', '.join(map(str, done.interventions))}"
            if done.interventions
            else ""
        )
        + ".",
    )


@delete.command("excerpt", epilog=examples("realist delete excerpt E042"))
@click.argument("excerpt_ref", metavar="EXCERPT")
@click.pass_obj
def delete_excerpt(state: CliState, excerpt_ref: str) -> None:
    """An excerpt (by id or label) with its codings."""
    n = with_store(state, lambda s: excerpt_edits.delete_excerpt(s, excerpt_ref, state.reviewer))
    say(state, f"Deleted excerpt {excerpt_ref} and {counted(n, 'coding')}.")


@delete.command("coding", epilog=examples("realist delete coding 40"))
@click.argument("coding_id", metavar="CODING", type=ID)
@click.pass_obj
def delete_coding(state: CliState, coding_id: int) -> None:
    """One coding (ids: `realist excerpt EXCERPT --show`)."""
    with_store(state, lambda s: coding.uncode(s, coding_id, state.reviewer))
    say(state, f"Removed coding {coding_id}.")


@cli.command(epilog=examples("realist uncode 40", "realist excerpt E042 --show   # coding ids"))
@click.argument("coding_id", metavar="CODING", type=ID)
@click.pass_obj
def uncode(state: CliState, coding_id: int) -> None:
    """Remove one coding of an excerpt (the event log keeps what it was)."""
    with_store(state, lambda s: coding.uncode(s, coding_id, state.reviewer))
    say(state, f"Removed coding {coding_id}.")


@delete.command("batch", epilog=examples("realist delete batch 3"))
@click.argument("batch_id", metavar="BATCH", type=ID)
@click.pass_obj
def delete_batch(state: CliState, batch_id: int) -> None:
    """An import batch with its records, their screening decisions and duplicate-group
    places; records of other batches merged into its records stand again."""
    done = with_store(state, lambda s: batches.delete_batch(s, batch_id, state.reviewer))
    say(
        state,
        f"Deleted batch {batch_id} ({done.filename}, {done.source}): "
        f"{counted(done.records, 'record')}, {counted(done.decisions, 'screening decision')}, "
        f"{counted(done.groups_removed, 'duplicate group')}.",
    )
    for keeper, merged in done.stood_up.items():
        also = f" (with {', '.join(map(str, merged))} merged into it)" if merged else ""
        say(
            state,
            f"Record {keeper} stands again in place of a deleted duplicate{also}: screen it again.",
        )
    if done.source_removed:
        say(state, f"Source {done.source} had no other batch and was removed.")


@delete.command("reviewer", epilog=examples("realist delete reviewer zed"))
@click.argument("key")
@click.pass_obj
def delete_reviewer(state: CliState, key: str) -> None:
    """A person who did no work (else: `realist retire reviewer KEY`)."""
    with_store(state, lambda s: reviewers.delete_reviewer(s, key, state.reviewer))
    say(state, f"Deleted reviewer {key}.")
