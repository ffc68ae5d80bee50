"""Progress bars: live on a terminal, silent (or one final line) elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from .terminal import console


@contextmanager
def dbt_progress(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar fed by dbt's node events; when the output is not a terminal (a pipe, a log file, CI), one plain
    line per tenth of the nodes instead."""
    if not console.is_terminal:
        yield _plain_steps(label)
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[node]}"),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None, node="")

        def update(done: int, total: int, node: str) -> None:
            progress.update(task, completed=done, total=total or None, node=node)

        yield update


@contextmanager
def load_progress() -> Iterator[Callable[[str, str, int, int], None]]:
    """The loader's bar on stderr, one task per step (checking, loading), by bytes; inert unless stderr is a
    terminal (pipes, CI, pytest)."""
    errors = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=errors,
        disable=not errors.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(step: str, file_name: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], description=f"{step} {file_name}", completed=done)

        yield update


@contextmanager
def generation_progress() -> Iterator[Callable[[int, int], None]]:
    """The generator's bar by blocks of people (its final state stays printed)."""
    with Progress(
        TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TextColumn("blocks"), TimeElapsedColumn()
    ) as bar:
        tasks: list[TaskID] = []

        def update(done: int, total: int) -> None:
            if not tasks:
                tasks.append(bar.add_task("blocks", total=total))
            bar.update(tasks[0], completed=done)

        yield update


def _plain_steps(label: str, steps: int = 10) -> Callable[[int, int, str], None]:
    """An update(done, total, node) that prints `label: done/total nodes (elapsed)` each time another tenth is done."""
    started = time.monotonic()
    printed = [0]

    def update(done: int, total: int, node: str) -> None:
        if total <= 0 or done <= 0:
            return
        step = done * steps // total
        if step > printed[0]:
            printed[0] = step
            console.print(f"{label}: {done:,}/{total:,} nodes done ({time.monotonic() - started:.0f} s)")

    return update
