"""Progress bars in the terminal (rich) for management commands that run work in the foreground."""

from __future__ import annotations

from types import TracebackType
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def make_progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def console_for(stream: IO[str] | Any = None) -> Console:
    """A console on `stream` (a command's stdout); plain text when it is not a terminal."""
    return Console(file=stream, highlight=False)


class RichProgress:
    """A ProgressReporter drawing one rich progress bar; use as a context manager."""

    def __init__(self, *, console: Console | None = None) -> None:
        self.console = console or console_for()
        self.progress = make_progress(self.console)
        self.task_id: TaskID | None = None
        self.done = 0
        self.total: int | None = None
        self.message = ""

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.progress.stop()

    def start(self, total: int | None, message: str) -> None:
        self.done, self.total, self.message = 0, total, message
        if self.task_id is None:
            self.task_id = self.progress.add_task(message, total=total)
        else:
            self.progress.reset(self.task_id, total=total, description=message)

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.task_id is not None:
            self.progress.advance(self.task_id, n)

    def set_message(self, message: str) -> None:
        self.message = message
        if self.task_id is not None:
            self.progress.update(self.task_id, description=message)

    def show(self, *, done: int, total: int | None, message: str) -> None:
        """Set the bar to absolute figures (for watching a job that runs elsewhere)."""
        self.done, self.total, self.message = done, total, message
        if self.task_id is None:
            self.task_id = self.progress.add_task(message, total=total, completed=done)
        else:
            self.progress.update(self.task_id, total=total, completed=done, description=message)
