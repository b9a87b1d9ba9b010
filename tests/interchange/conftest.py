"""A second, empty store for restore tests: a new SQLite path, or a new PostgreSQL database
on the same server as ``db_target`` when REALIST_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")


@pytest.fixture
def restore_target(tmp_path: Path) -> Iterator[str]:
    """Where a restore test puts the restored review (empty, never created yet)."""
    if not PG_URL:
        yield str(tmp_path / "restored.realist")
        return
    name = f"realist_restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        sa.make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
