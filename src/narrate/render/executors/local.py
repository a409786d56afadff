"""The default executor: this machine's worker processes (render/workers.py)."""

from __future__ import annotations

from collections.abc import Iterator

from narrate.errors import ConfigError
from narrate.render.workers import Job, RenderSettings, render_all


class LocalExecutor:
    name = "local"

    def __init__(self, address: str | None = None) -> None:
        if address:
            raise ConfigError("--ray-address is for --executor ray; leave it out, or add that")

    def render(
        self, jobs: list[Job], settings: RenderSettings, workers: int
    ) -> Iterator[list[str]]:
        return render_all(jobs, settings, workers)
