"""Blinded dual screening, for outputs that hold every vote at once.

The rule itself is :func:`realist.domain.screening.blinded`: in dual screening nobody sees
a vote on a record, nor that there is one, until they have decided it themselves or two
reviewers have. Pages, the API, record lists and exports apply it to whoever asks. An
output that cannot leave votes out without ceasing to be what it is (the whole-review
archive, a copy of every table and event) is refused instead, while any vote is still
blinded, to everyone but an owner (docs/SECURITY.md, "Blinded dual screening").
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.review import ReviewerRole
from realist.domain.screening import ScreeningMode
from realist.errors import NotAllowed
from realist.store import reviews as reviews_repo
from realist.store.schema import reviewer, screening_decision

__all__ = ["DOWNLOADS", "Access", "blinded_from", "blinded_votes", "check_may_take_every_vote"]


class Access(StrEnum):
    """What a role gets of one download while dual screening still blinds some votes."""

    WHOLE = "whole"  # everything in it (no screening votes in it, or trusted with them)
    AS_SEEN = "as seen"  # the votes that person may see; blinded ones are left out
    REFUSED = "refused while blinded"  # the whole file, or 403 until no vote is blinded


_O, _R, _V = ReviewerRole.OWNER, ReviewerRole.REVIEWER, ReviewerRole.VIEWER
# The role table of downloads (docs/SECURITY.md, "Blinded dual screening", shows it and a
# test keeps the two alike). Every role may read the review (auth.GRANTS); this says what
# each download holds for them. Reports and the PRISMA figures count records, never whose
# vote is which, so they are whole for everyone; the records export is built per person;
# the archive is a copy of every table and event, so it cannot leave a vote out.
DOWNLOADS: dict[str, dict[ReviewerRole, Access]] = {
    "records export (RIS, CSV, XLSX; with decisions)": {
        _O: Access.AS_SEEN,
        _R: Access.AS_SEEN,
        _V: Access.AS_SEEN,
    },
    "whole-review archive (review.realist.zip)": {
        _O: Access.WHOLE,
        _R: Access.REFUSED,
        _V: Access.REFUSED,
    },
    "reports (every kind and format), PRISMA CSV": {
        _O: Access.WHOLE,
        _R: Access.WHOLE,
        _V: Access.WHOLE,
    },
    "REFI-QDA project (review.qdpx)": {_O: Access.WHOLE, _R: Access.WHOLE, _V: Access.WHOLE},
}
ARCHIVE = "whole-review archive (review.realist.zip)"

_d = screening_decision
# Records (per stage) with exactly one reviewer's vote and no resolution: a vote that dual
# screening still hides from everyone but the one who cast it.
_SINGLE_VOTES = sa.select(sa.func.count()).select_from(
    sa.select(_d.c.record_id, _d.c.stage)
    .where(_d.c.superseded.is_(False))
    .group_by(_d.c.record_id, _d.c.stage)
    .having(
        sa.func.count(sa.distinct(_d.c.reviewer_id)) == 1,
        sa.func.max(sa.case((_d.c.resolves_conflict.is_(True), 1), else_=0)) == 0,
    )
    .subquery()
)
_ROLE = sa.select(reviewer.c.role).where(reviewer.c.key == sa.bindparam("key"))


def blinded_votes(connection: Connection) -> int:
    """How many votes dual screening still hides (0 in single screening)."""
    if reviews_repo.get_review(connection).screening_mode is not ScreeningMode.DUAL:
        return 0
    return int(connection.execute(_SINGLE_VOTES).scalar() or 0)


def check_may_take_every_vote(connection: Connection, viewer: str | None, what: str) -> None:
    """Refuse ``what`` (an output with every vote in it) to a reviewer or viewer while
    dual screening still blinds a vote; an owner may always take it (default: the owner).
    """
    key, _ = reviews_repo.resolve_reviewer(connection, viewer)
    role = ReviewerRole(connection.execute(_ROLE, {"key": key}).scalar_one())
    if DOWNLOADS[ARCHIVE][role] is not Access.REFUSED:
        return
    hidden = blinded_votes(connection)
    if hidden:
        raise NotAllowed(
            f"{what} holds every screening vote, and dual screening still blinds "
            f"{hidden} of them (records only one reviewer has decided): until both votes "
            "are in, only an owner may download it"
        )


def blinded_from(connection: Connection, viewer: str | None) -> sa.ColumnElement[bool] | None:
    """A condition on ``screening_decision`` rows: the decision is on a record (at its stage)
    still blinded from ``viewer`` (default: the owner), as
    :func:`realist.domain.screening.blinded` says, for counting in SQL. None when nothing is
    blinded from them: single screening, or a role that may take every vote."""
    if reviews_repo.get_review(connection).screening_mode is not ScreeningMode.DUAL:
        return None
    key, who = reviews_repo.resolve_reviewer(connection, viewer)
    role = ReviewerRole(connection.execute(_ROLE, {"key": key}).scalar_one())
    if DOWNLOADS[ARCHIVE][role] is not Access.REFUSED:
        return None
    d = sa.alias(screening_decision, "on_record")
    return sa.and_(
        ~sa.exists().where(
            d.c.record_id == _d.c.record_id,
            d.c.stage == _d.c.stage,
            d.c.superseded.is_(False),
            sa.or_(d.c.resolves_conflict.is_(True), d.c.reviewer_id == who),
        ),
        sa.select(sa.func.count(sa.distinct(d.c.reviewer_id)))
        .where(
            d.c.record_id == _d.c.record_id,
            d.c.stage == _d.c.stage,
            d.c.superseded.is_(False),
            d.c.resolves_conflict.is_(False),
        )
        .scalar_subquery()
        < 2,
    )
