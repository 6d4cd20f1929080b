"""Progress on a terminal (slow path only): a spinner while resolving, with the package being
fetched; a bar per large download, with bytes; a counter while preparing and installing.

Every stage reports through ``progress()``, which is a silent ``Progress`` unless
``configure`` turned the display on: only when stderr is a terminal, without ``-q``, ``-v``
or ``--no-progress`` (``UV_NO_PROGRESS``), as uv does. The display is drawn with ``rich``,
imported the first time something is shown, never on the fast path or through a pipe. It is
transient: what stays on the screen afterwards are the lines accord prints anyway
(``Resolved 12 packages in 80ms``, ``Installed 12 packages in 40ms``). Lines written to
stderr while it is drawn go above it (``console`` routes them through ``write``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = [
    "COUNTER_DELAY",
    "DELAY",
    "LARGE_DOWNLOAD",
    "Download",
    "Progress",
    "configure",
    "progress",
]

DELAY = 0.2
"""Seconds resolving or a large download runs before anything is drawn (and before rich is
imported)."""

COUNTER_DELAY = 1.0
"""Seconds a counted step (preparing, installing) runs before it is drawn: linking a warm
cache into a fresh environment is over sooner, and pays nothing for the display."""

LARGE_DOWNLOAD = 1 << 20
"""Downloads of at least this many bytes get a bar of their own (uv draws bars for large
ones; small ones only move the counter)."""


class Download:
    """One download's bar (nothing at all for a silent display or a small file)."""

    def advance(self, size: int) -> None:
        """``size`` more bytes arrived."""

    def __enter__(self) -> Download:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """The download ended (done or failed): its bar goes."""


class Progress:
    """The silent display: what a run gets unless ``configure`` turned it on."""

    enabled = False
    """True for the display on a terminal, even while nothing is drawn."""
    active = False
    """True while something is drawn (``console`` then routes stderr lines to ``write``)."""

    def resolving(self, name: str) -> None:
        """The resolver is fetching what it needs of ``name``."""

    def resolved(self) -> None:
        """Resolution ended (its spinner goes)."""

    def download(self, name: str, total: int | None) -> Download:
        """A download of ``total`` bytes (None: unknown) of ``name`` starts."""
        return Download()

    def counting(self, what: str, total: int) -> None:
        """A counted step starts: ``Preparing packages... (0/total)``."""

    def count(self) -> None:
        """One more item of the counted step is done."""

    def counted(self) -> None:
        """The counted step ended."""

    def write(self, text: str) -> None:
        """A line of output while the display is drawn (see ``active``)."""

    def stop(self) -> None:
        """Clear whatever is drawn."""


class _Bar(Download):
    def __init__(self, owner: _Terminal, task: int) -> None:
        self._owner = owner
        self._task = task

    def advance(self, size: int) -> None:
        self._owner.advance(self._task, size)

    def close(self) -> None:
        self._owner.remove(self._task)


class _Task:
    __slots__ = ("completed", "description", "due", "kind", "shown", "total")

    def __init__(self, description: str, total: float | None, kind: str, due: float) -> None:
        self.description = description
        self.total = total
        self.kind = kind
        self.due = due
        """When it is drawn, if still running (``time.monotonic()``)."""
        self.completed = 0.0
        self.shown: TaskID | None = None


class _Terminal(Progress):
    """The display on a terminal, drawn by rich on ``stream`` (the real stderr).

    Nothing is drawn, and rich is not imported, until some step has lasted ``delay`` seconds
    (``counter_delay`` for a counted one): a warm sync that is over at once pays nothing for
    it, and nothing flickers."""

    enabled = True

    def __init__(
        self,
        stream: TextIO,
        *,
        colour: bool,
        delay: float = DELAY,
        counter_delay: float = COUNTER_DELAY,
    ) -> None:
        self._stream = stream
        self._colour = colour
        self._delay = delay
        self._counter_delay = counter_delay
        self._lock = threading.RLock()
        self._display: RichProgress | None = None
        self._timer: threading.Timer | None = None
        self._timer_due = 0.0
        self._tasks: dict[int, _Task] = {}
        self._next = 0
        self._spinner: int | None = None
        self._counter: int | None = None

    @property
    def active(self) -> bool:  # type: ignore[override]
        return self._display is not None

    def _appear(self) -> None:
        """The timer fired: draw the steps still running. Progress never ends a run: should
        drawing fail, the display goes silent and the run goes on."""
        try:
            self._draw()
        except Exception:
            with self._lock:
                display, self._display = self._display, None
                self._tasks.clear()
                if display is not None:
                    with contextlib.suppress(Exception):
                        display.stop()

    def _draw(self) -> None:
        with self._lock:
            self._timer = None
            if not self._tasks or self._display is not None:
                return
            due = min(task.due for task in self._tasks.values())
            if due > time.monotonic():  # the steps due sooner have ended: wait for the next
                self._schedule(due)
                return
            from rich.console import Console, RenderableType
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                ProgressColumn,
                SpinnerColumn,
                TextColumn,
            )
            from rich.progress import Progress as Display
            from rich.progress import Task as Drawn
            from rich.table import Table
            from rich.text import Text

            bar = BarColumn(bar_width=30)
            size = DownloadColumn()

            class Kind(ProgressColumn):
                """A download's bar and bytes, a counter's ``(3/12)``; a spinner's nothing."""

                def render(self, task: Drawn) -> RenderableType:
                    if task.fields.get("kind") == "bytes":
                        row = Table.grid(padding=(0, 1))
                        row.add_row(bar.render(task), size.render(task))
                        return row
                    if task.total is not None:
                        return Text(f"({int(task.completed)}/{int(task.total)})")
                    return Text("")

            console = Console(
                file=self._stream,
                force_terminal=True,
                no_color=not self._colour,
                highlight=False,
                emoji=False,
            )
            self._display = Display(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                Kind(),
                console=console,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._display.start()
            for task in self._tasks.values():
                self._show(task)

    def _show(self, task: _Task) -> None:
        assert self._display is not None
        task.shown = self._display.add_task(
            task.description, total=task.total, completed=int(task.completed), kind=task.kind
        )
        self._display.refresh()

    def _schedule(self, due: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(max(0.0, due - time.monotonic()), self._appear)
        self._timer.daemon = True
        self._timer.start()
        self._timer_due = due

    def _add(self, description: str, total: float | None, kind: str) -> int:
        key = self._next
        self._next += 1
        delay = self._counter_delay if kind == "count" else self._delay
        task = self._tasks[key] = _Task(description, total, kind, time.monotonic() + delay)
        if self._display is not None:
            self._show(task)
        elif self._timer is None or task.due < self._timer_due:
            self._schedule(task.due)
        return key

    def remove(self, key: int) -> None:
        with self._lock:
            task = self._tasks.pop(key, None)
            if task is not None and task.shown is not None and self._display is not None:
                self._display.remove_task(task.shown)
            if not self._tasks:
                self.stop()

    def advance(self, key: int, size: float) -> None:
        with self._lock:
            task = self._tasks.get(key)
            if task is None:
                return
            task.completed += size
            if task.shown is not None and self._display is not None:
                self._display.update(task.shown, completed=task.completed)

    def _describe(self, key: int, description: str) -> None:
        task = self._tasks.get(key)
        if task is not None:
            task.description = description
            if task.shown is not None and self._display is not None:
                self._display.update(task.shown, description=description)

    def resolving(self, name: str) -> None:
        with self._lock:
            description = f"Resolving dependencies... {name}"
            if self._spinner is None:
                self._spinner = self._add(description, None, "spin")
            else:
                self._describe(self._spinner, description)

    def resolved(self) -> None:
        with self._lock:
            if self._spinner is not None:
                spinner, self._spinner = self._spinner, None
                self.remove(spinner)

    def download(self, name: str, total: int | None) -> Download:
        if total is None or total < LARGE_DOWNLOAD:
            return Download()
        with self._lock:
            return _Bar(self, self._add(name, total, "bytes"))

    def counting(self, what: str, total: int) -> None:
        with self._lock:
            if self._counter is not None:
                self.counted()
            self._counter = self._add(what, total, "count")

    def count(self) -> None:
        with self._lock:
            if self._counter is not None:
                self.advance(self._counter, 1)

    def counted(self) -> None:
        with self._lock:
            if self._counter is not None:
                counter, self._counter = self._counter, None
                self.remove(counter)

    def write(self, text: str) -> None:
        with self._lock:
            if self._display is None:
                self._stream.write(text)
            else:
                self._display.console.out(text, end="", highlight=False)

    def stop(self) -> None:
        with self._lock:
            timer, self._timer = self._timer, None
            if timer is not None:
                timer.cancel()
            display, self._display = self._display, None
            self._tasks.clear()
            self._spinner = self._counter = None
            if display is not None:
                display.stop()


_progress: Progress = Progress()


def progress() -> Progress:
    """This run's display (silent unless ``configure`` turned it on)."""
    return _progress


def configure(stream: TextIO, *, enabled: bool, colour: bool) -> Progress:
    """Turn the display on for ``stream`` when ``enabled`` and ``stream`` is a terminal."""
    global _progress
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    _progress.stop()
    _progress = _Terminal(stream, colour=colour) if enabled and terminal else Progress()
    return _progress
