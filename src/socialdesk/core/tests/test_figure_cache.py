"""Which figures are kept at all (`core.figure_cache`): on PostgreSQL those of a period that
is over; on SQLite none (every read computes). What a kept figure must see is tested with the
SLA and first-response figures (sla/tests/test_kept_figures.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection

from socialdesk.core import figure_cache
from socialdesk.core.models import TaskRun

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def _place(start: datetime | None, end: datetime | None, key: str = "figure") -> object:
    rows = TaskRun.objects.all()  # any rows: compiled, never read
    return figure_cache.place(rows, key, sources=("t",), start=start, end=end, now=NOW)


def test_only_a_period_that_is_over_is_kept_and_only_on_postgresql() -> None:
    assert _place(NOW - WEEK, NOW + timedelta(seconds=1)) is None  # still running
    assert _place(None, NOW) is None and _place(NOW - WEEK, None) is None  # open
    over = _place(NOW - WEEK, NOW)
    assert (over is None) == (connection.vendor == "sqlite")


def test_two_figures_share_a_place_only_with_the_same_key() -> None:
    if connection.vendor == "sqlite":
        assert _place(NOW - WEEK, NOW, "a") is None
        return
    first, again, other = (_place(NOW - WEEK, NOW, k) for k in ("a", "a", "b"))
    assert isinstance(first, figure_cache.Place) and isinstance(other, figure_cache.Place)
    assert first == again and first.key != other.key
