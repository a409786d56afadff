"""Where a book's lines are rendered: an Executor Protocol and the registry of them.

An executor takes the jobs that are missing from the cache and renders each
into it (render/workers.py's ``render_batch`` is the unit of work), yielding
the keys of what is done as it comes in, so chapters are written while the
rest renders. ``local`` is this machine's worker processes; ``ray`` spreads
the work over a Ray cluster (an optional extra). A line's bytes depend only on
the line and its voice, so every executor writes the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable

from narrate.errors import ConfigError
from narrate.render.executors.local import LocalExecutor
from narrate.render.executors.ray import RayExecutor
from narrate.render.workers import Job, RenderSettings


@runtime_checkable
class Executor(Protocol):
    name: str

    def render(
        self, jobs: list[Job], settings: RenderSettings, workers: int
    ) -> Iterator[list[str]]:
        """Render the jobs into the cache; yield each finished group's keys ([] as a heartbeat)."""
        ...


# name -> factory, given the cluster's address (--ray-address; None for a local one)
EXECUTORS: dict[str, Callable[[str | None], Executor]] = {
    "local": LocalExecutor,
    "ray": RayExecutor,
}


def get_executor(name: str, address: str | None = None) -> Executor:
    """The executor called ``name``, ready to render; ConfigError (one line) if it cannot be."""
    made = EXECUTORS.get(name)
    if made is None:
        known = ", ".join(EXECUTORS)
        raise ConfigError(f"no executor called {name!r}; narrate has {known}")
    return made(address)


__all__ = ["EXECUTORS", "Executor", "get_executor"]
