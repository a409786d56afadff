"""Progress on stderr: one bar for the whole book and a line per finished chapter."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

import click


class ProgressBar:
    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self._bar = None
        self._done = 0

    def __enter__(self) -> ProgressBar:
        return self

    def update(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=f"Narrating {self.label}",
                                          file=sys.stderr, show_eta=True, show_percent=True,
                                          show_pos=True, item_show_func=None)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def chapter_done(self, path: Path) -> None:
        if self.enabled:
            if self._bar is not None:
                click.echo("", err=True)
            click.echo(f"  finished {path.name}", err=True)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
