"""Terminal feedback for long commands.

Three modes, chosen once per task:

* on a terminal (stderr is a TTY): a rich progress bar on stderr;
* elsewhere (CI logs, pipes): one plain line per finished step on stderr,
  e.g. ``PDF [3/14] 0103-2014``;
* with ``--quiet``: nothing at all.

Use it as an iterator wrapper::

    for doc in progress(manual.documents, "PDF", quiet=quiet, label=lambda d: d.code):
        render(doc)

or as a context manager when the steps are not a simple loop::

    with task("站点", total=3, quiet=quiet) as t:
        ...; t.advance("pages")

``note(message, quiet)`` prints a single status line (not with --quiet).
Output goes to stderr, so stdout stays clean for data (``--format json``).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")


class _Silent:
    def advance(self, label: str = "") -> None:
        pass


class _Plain:
    def __init__(self, description: str, total: int | None, stream):
        self.description, self.total, self.stream, self.done = description, total, stream, 0

    def advance(self, label: str = "") -> None:
        self.done += 1
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        line = f"{self.description} [{count}] {label}".rstrip()
        print(line, file=self.stream, flush=True)


class _Bar:
    def __init__(self, bar, task_id, description: str):
        self.bar, self.task_id, self.description = bar, task_id, description

    def advance(self, label: str = "") -> None:
        text = f"{self.description} {label}".rstrip()
        self.bar.update(self.task_id, advance=1, description=text)


def _is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def task(description: str, total: int | None = None, *, quiet: bool = False, stream=None):
    """A task of ``total`` steps; yields an object with ``advance(label)``."""
    stream = stream if stream is not None else sys.stderr
    if quiet or total == 0:  # nothing to do: no bar
        yield _Silent()
        return
    if not _is_tty(stream):
        yield _Plain(description, total, stream)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False) as bar:
        task_id = bar.add_task(description, total=total)
        yield _Bar(bar, task_id, description)


def progress(items: Iterable[T], description: str, *, quiet: bool = False,
             label: Callable[[T], str] = str, stream=None) -> Iterator[T]:
    """Yield ``items``; each one counts as done when the loop asks for the next."""
    items = list(items)
    with task(description, len(items), quiet=quiet, stream=stream) as t:
        for item in items:
            yield item
            t.advance(label(item))


def note(message: str, *, quiet: bool = False, stream=None) -> None:
    """One status line on stderr, unless quiet."""
    if not quiet:
        print(message, file=stream if stream is not None else sys.stderr, flush=True)
