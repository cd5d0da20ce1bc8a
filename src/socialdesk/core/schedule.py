"""The worker's rhythm: each app registers the tasks the worker queues on a schedule.

The kernel does not import the apps above it. Each app's `AppConfig.ready` registers its
recurring tasks here; `socialdesk worker` queues them: the FREQUENT ones every
`--channels-every` seconds (channel polls, sending, webhook batches, listening, classifying),
the REGULAR ones every `--sla-every` seconds (SLA checks, feedback rounds, retention). Every
registered task must be idempotent: several workers may queue it at once.
"""

from __future__ import annotations

from typing import Any, Literal

Rhythm = Literal["frequent", "regular"]
FREQUENT: Rhythm = "frequent"
REGULAR: Rhythm = "regular"

_tasks: dict[Rhythm, list[Any]] = {FREQUENT: [], REGULAR: []}


def every(rhythm: Rhythm, *tasks: Any) -> None:
    """Queue these tasks (django.tasks Tasks) on this rhythm; registering twice is a no-op."""
    for task in tasks:
        if task not in _tasks[rhythm]:
            _tasks[rhythm].append(task)


def due(rhythm: Rhythm) -> list[Any]:
    """The tasks queued on this rhythm, in the order they were registered."""
    return list(_tasks[rhythm])
