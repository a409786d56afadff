"""The Ray executor: lines rendered as Ray tasks on a cluster (``pip install '.[ray]'``).

Ray is imported only here, when the executor is made; without it, choosing
the executor is one line saying how to install it. Each task renders a group
of lines with ``render_batch`` in a Ray worker, which sets up its engine once;
the blocks go into ``--cache-dir``, which every node must see (a shared folder;
a local Ray on this machine shares it as it is).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from narrate.errors import ConfigError
from narrate.render import workers
from narrate.render.workers import BATCH, Job, RenderSettings

INSTALL = "--executor ray needs Ray, which is not installed: pip install '.[ray]'"


def _ray() -> ModuleType:
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise ConfigError(INSTALL) from exc


def _render_group(settings: RenderSettings, jobs: list[Job]) -> list[str]:
    """One task, in a Ray worker: its engine set up the first time, then the lines."""
    if workers.current_settings() != settings:
        workers.init_worker(settings)
    return workers.render_batch(jobs)


class RayExecutor:
    name = "ray"

    def __init__(self, address: str | None = None) -> None:
        self._ray = _ray()
        self.address = address  # None: a local Ray started for the run (or the one running)
        self._task: Any = None

    def render(
        self, jobs: list[Job], settings: RenderSettings, workers: int
    ) -> Iterator[list[str]]:
        ray = self._ray
        if not ray.is_initialized():
            local = {"num_cpus": workers, "include_dashboard": False} if not self.address else {}
            ray.init(address=self.address, logging_level=logging.ERROR, **local)
        if self._task is None:
            # A task whose worker dies is run again elsewhere, once.
            self._task = ray.remote(num_cpus=1, max_retries=1)(_render_group)
        group = max(1, min(BATCH, len(jobs) // (workers * 4) or 1))
        pending = [
            self._task.remote(settings, jobs[i : i + group]) for i in range(0, len(jobs), group)
        ]
        while pending:
            finished, pending = ray.wait(pending, num_returns=1, timeout=5.0)
            if not finished:
                yield []  # still working: a heartbeat
                continue
            try:
                yield ray.get(finished[0])
            except ray.exceptions.RayTaskError as exc:
                cause = getattr(exc, "cause", None)  # the task's own error: a BlockError
                if isinstance(cause, Exception):
                    raise cause from None
                raise
