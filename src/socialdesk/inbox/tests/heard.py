"""A listener for `core.events` that keeps what it hears as the webhooks do: in the writer's
transaction (a temporary table), so what was rolled back is gone from it too.

Each heard event also notes how many atomic blocks were open when it was emitted: more than
the test's own means it was emitted inside the service's transaction.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from socialdesk.core import events

TABLE = "test_heard_events"


@dataclass(frozen=True)
class Heard:
    kind: str
    subject: str
    data: dict[str, Any]
    depth: int  # atomic blocks open at the emit


class Recorder:
    def __init__(self) -> None:
        self._seq = itertools.count()
        self.base = len(connection.atomic_blocks)  # the test's own transaction(s)
        self.delivered = 0  # calls of deliver, rolled back or not

    def deliver(self, kind: str, items: Sequence[events.Item]) -> None:
        self.delivered += 1
        depth = len(connection.atomic_blocks)
        with connection.cursor() as cursor:
            for subject, data in items:
                cursor.execute(
                    f"INSERT INTO {TABLE} (seq, kind, subject, data, depth) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [next(self._seq), kind, subject, json.dumps(data), depth],
                )

    def all(self) -> list[Heard]:
        """Everything heard and not rolled back, in order."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT kind, subject, data, depth FROM {TABLE} ORDER BY seq")
            return [
                Heard(kind, subject, json.loads(data), depth)
                for kind, subject, data, depth in cursor.fetchall()
            ]

    def of(self, kind: str) -> list[Heard]:
        return [heard for heard in self.all() if heard.kind == kind]

    def kinds(self) -> list[str]:
        return [heard.kind for heard in self.all()]

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def inside_the_services_transaction(self) -> bool:
        heard = self.all()
        return bool(heard) and all(h.depth > self.base for h in heard)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Every other listener is put aside meanwhile (the webhooks' own); call inside a test
    that has the database."""
    with connection.cursor() as cursor:  # dropped when the test's transaction rolls back
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {TABLE} "
            "(seq integer, kind varchar(64), subject varchar(64), data text, depth integer)"
        )
        cursor.execute(f"DELETE FROM {TABLE}")
    recorder = Recorder()
    saved = events._forget_listeners()
    events.listen(wants=lambda kind: True, deliver=recorder.deliver)
    try:
        yield recorder
    finally:
        events._restore_listeners(saved)


@contextmanager
def nobody_listening() -> Iterator[list[str]]:
    """A listener that wants nothing: it is asked (the kinds), but never delivered to."""
    asked: list[str] = []

    def wants(kind: str) -> bool:
        asked.append(kind)
        return False

    def deliver(kind: str, items: Sequence[events.Item]) -> None:
        raise AssertionError(f"delivered {kind} to a listener that wants nothing")

    saved = events._forget_listeners()
    events.listen(wants=wants, deliver=deliver)
    try:
        yield asked
    finally:
        events._restore_listeners(saved)
