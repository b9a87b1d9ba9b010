"""The one wrapper every long-running command shows progress through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def progress_bar(
    console: Console, label: str, total: int | None = None
) -> Iterator[Callable[[int, int | None], None]]:
    """Yield ``update(done, total)``; shows a bar (or a spinner when the total is unknown).

    Nothing is drawn when the output is not a terminal, so pipes and tests stay clean.
    """
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
        # Redrawn on each update, not by rich's refresh thread: a large import forks parsing
        # workers, which it only does from a process without other threads.
        auto_refresh=False,
    ) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, new_total: int | None = None) -> None:
            bar.update(task, completed=done, total=new_total if new_total is not None else total)
            bar.refresh()

        yield update
