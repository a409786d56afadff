"""Progress on stderr: one bar for the whole book and a line per finished chapter.

On a terminal the bar redraws in place (at most ten times a second); when
stderr is a file or a pipe (a log, CI) the chapter lines and a summary are
written, and a line of progress at least every ``every`` seconds (30 unless
``NARRATE_PROGRESS_EVERY`` says otherwise), so a long chapter never looks hung.
A line is one of the script's lines (narration, speech or a thought) or a
spoken title, as `narrate cast` counts them.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self, TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


EVERY = 30.0  # seconds between progress lines when stderr is not a terminal


def _every() -> float:
    try:
        return max(0.0, float(os.environ.get("NARRATE_PROGRESS_EVERY", "")))
    except ValueError:
        return EVERY


class ProgressBar:
    def __init__(
        self,
        enabled: bool,
        label: str,
        stream: TextIO | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        every: float | None = None,
    ) -> None:
        self.enabled = enabled
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.clock = clock
        self.every = _every() if every is None else every
        self.done = self.total = 0
        self.started = clock()
        self._drawn = self.started  # on a terminal: the last redraw; else the last line
        self._chapters = 0
        self._encoding: tuple[Path, float] | None = None  # the whole-book file, since when

    def __enter__(self) -> Self:
        return self

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if not self.enabled:
            return
        now = self.clock()
        if self.tty and (now - self._drawn >= 0.1 or done == total):
            self._drawn = now
            self._draw()
        elif not self.tty and total and done < total and now - self._drawn >= self.every:
            self._drawn = now
            self.stream.write(f"Narrating {self.label}:{self._tail()}\n")
            self.stream.flush()

    def _tail(self) -> str:
        elapsed = self.clock() - self.started
        share = self.done / self.total
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        return f" {share:4.0%} {self.done:,}/{self.total:,} lines {rate:,.0f}/s ETA {_clock(eta)}"

    def _line(self) -> str:
        if self.total == 0:
            return f"Narrating {self.label}: nothing to render"
        tail = self._tail()
        width = shutil.get_terminal_size((80, 20)).columns
        room = max(10, width - len(tail) - len(self.label) - 16)
        filled = int(room * self.done / self.total)
        return f"Narrating {self.label} [{'#' * filled}{'-' * (room - filled)}]{tail}"

    def _draw(self) -> None:
        self.stream.write("\r\033[K" + self._line())
        self.stream.flush()

    def chapter_done(self, path: Path) -> None:
        self._chapters += 1
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(f"  done: {path.name}\n")
        if self.tty and self.total:
            self._draw()
        self.stream.flush()

    def encoding(self, path: Path, done: float, total: float) -> None:
        """A whole-book file being encoded: a bar of its own, in seconds of audio.

        Off a terminal: a line when it starts, one every ``every`` seconds, one when it is done.
        """
        if not self.enabled:
            return
        now = self.clock()
        if self._encoding is None or self._encoding[0] != path:
            self._encoding = (path, now)
            self._drawn = now if not self.tty else 0.0
            if not self.tty:
                self.stream.write(f"  encoding: {path.name}\n")
        finished = done >= total
        if now - self._drawn < (0.1 if self.tty else self.every) and not finished:
            return
        self._drawn = now
        share = min(1.0, done / total) if total > 0 else 1.0
        elapsed = now - self._encoding[1]
        eta = elapsed * (1 - share) / share if share > 0 else 0.0
        tail = f" {share:4.0%} {_clock(done)}/{_clock(total)} of audio ETA {_clock(eta)}"
        if finished:
            self.stream.write(
                f"{chr(13) + chr(27) + '[K' if self.tty else ''}  done: {path.name}\n"
            )
        elif not self.tty:
            self.stream.write(f"  encoding: {path.name}{tail}\n")
        else:
            width = shutil.get_terminal_size((80, 20)).columns
            room = max(10, width - len(tail) - len(path.name) - 12)
            filled = int(room * share)
            bar = f"[{'#' * filled}{'-' * (room - filled)}]"
            self.stream.write(f"\r\033[KEncoding {path.name} {bar}{tail}")
        self.stream.flush()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\033[K")
        if exc_type is None and not self._chapters and not self.total:
            self.stream.write(f"{self.label} is up to date: nothing to narrate again\n")
        elif exc_type is None:
            self.stream.write(
                f"Narrated {self.label}: {self._chapters} chapter(s) written, "
                f"{self.total:,} line(s) rendered in "
                f"{_clock(self.clock() - self.started)}\n"
            )
        self.stream.flush()
