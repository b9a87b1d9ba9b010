"""Which process owns a piece of unfinished work, and whether that process is gone.

An import being written in short transactions, and a web import job, are owned by the
process doing them: their row names it (``owner``) and says when it last made progress
(``heartbeat_at``). Any process may find such a row after its owner was killed. On the
same machine (same host name and process namespace) the owner's process is looked up
directly, so a killed importer's leftovers go at the next start; on another machine
(several servers against one PostgreSQL) the owner counts as gone only after it has made
no progress for :data:`STALE_AFTER`, far longer than any step of an import takes.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

STALE_AFTER = timedelta(minutes=10)


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" where /proc is missing):
    with the pid it names one process, even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    return stat.rsplit(")", 1)[1].split()[19]


def _namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


@cache
def _machine() -> str:
    return f"{socket.gethostname()}/{_namespace()}"


def this_process() -> str:
    """This process, as an ``owner`` value: machine, pid namespace, pid and start time."""
    pid = os.getpid()
    return f"{_machine()}/{pid}/{_start_time(pid)}"


def _running(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    if not started:
        return True
    current = _start_time(pid)
    if not current:
        return False  # gone between the two looks
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return current == started and state != "Z"  # a zombie has finished its work


def is_gone(owner: str | None, heartbeat_at: str | None, at: datetime | None = None) -> bool:
    """Whether the process named by ``owner`` has stopped (see the module's docstring)."""
    machine, _, rest = (owner or "").rpartition("/")
    machine, _, pid_text = machine.rpartition("/")
    if machine == _machine() and pid_text.isdigit():
        return not _running(int(pid_text), rest)
    try:
        last = datetime.fromisoformat(heartbeat_at or "")
    except ValueError:
        return True
    return (at or datetime.now(UTC)) - last > STALE_AFTER
