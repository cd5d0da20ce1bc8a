"""The worker's rhythm: each app registers the tasks the worker queues on a schedule.

The kernel does not import the apps above it. Each app's `AppConfig.ready` registers its
recurring tasks here; `socialdesk worker` queues them: the FREQUENT ones every
`--channels-every` seconds (channel polls, sending, webhook batches, listening, classifying),
the REGULAR ones every `--sla-every` seconds (SLA checks, feedback rounds, retention), the PROMPT
ones every `--publish-every` seconds (posts due now), each only when its `when` says there is
work (a cheap query, so the queue does not fill with empty runs). Every registered task must be
idempotent: several workers may queue and run it at the same moment, so it claims what it works
on before it acts (rows locked with SKIP LOCKED, a conditional UPDATE with a lease, or a unique
row written first; tests/test_two_workers.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Literal

logger = logging.getLogger(__name__)

Rhythm = Literal["frequent", "regular", "prompt"]
FREQUENT: Rhythm = "frequent"
REGULAR: Rhythm = "regular"
PROMPT: Rhythm = "prompt"

_tasks: dict[Rhythm, list[Any]] = {FREQUENT: [], REGULAR: [], PROMPT: []}
_when: dict[Any, Callable[[], bool]] = {}


def every(rhythm: Rhythm, *tasks: Any, when: Callable[[], bool] | None = None) -> None:
    """Queue these tasks (django.tasks Tasks) on this rhythm; registering twice is a no-op.
    `when`: queue them only when it returns True (there is work)."""
    for task in tasks:
        if task not in _tasks[rhythm]:
            _tasks[rhythm].append(task)
        if when is not None:
            _when[task] = when


def wanted(rhythm: Rhythm) -> list[Any]:
    """The tasks of this rhythm that have work now (those without a `when` always; one whose
    `when` fails is queued, so an error there never silences the task: the task reports it)."""
    return [task for task in _tasks[rhythm] if task not in _when or _has_work(task)]


def _has_work(task: Any) -> bool:
    try:
        return bool(_when[task]())
    except Exception:
        logger.exception("could not ask whether %s has work; queued", task.name)
        return True


def due(rhythm: Rhythm) -> list[Any]:
    """The tasks queued on this rhythm, in the order they were registered."""
    return list(_tasks[rhythm])


class AtMostEvery:
    """A `when` that says a task has work at most once per `seconds` in this process (the
    first time on its first round, whatever the rhythm's interval), and only when `also`
    (when given) says so too; only a yes counts as queued."""

    def __init__(self, seconds: float, also: Callable[[], bool] | None = None) -> None:
        self.seconds = seconds
        self.also = also
        self._queued_at: float | None = None  # monotonic

    def __call__(self) -> bool:
        now = time.monotonic()
        if self._queued_at is not None and now - self._queued_at < self.seconds:
            return False
        if self.also is not None and not self.also():
            return False
        self._queued_at = now
        return True

    def forget(self) -> None:
        """As if this process had never queued it (a worker just started)."""
        self._queued_at = None
