# ruff: noqa: S608, S301 - every name in these statements is a constant of core.figure_cache;
# the kept days are unpickled from the database's own table, as Django's database cache reads
# the figures kept beside them.
"""A past period's figures kept day by day, so that a change recomputes one day, not the period.

`core.figure_cache` keeps a period's figure until anything it counts changes. In a live inbox
something in the last four weeks changes all day (a late first reply, an SLA clock stopping for
a question of last week), and every such change made the KPI page compute the whole four weeks
again (at 10 million messages: 250 ms of the page's 420). Here each day of the period is kept on
its own, under the same rules as `figure_cache` (the change log by hour, the snapshot it was
computed in, `until`, `KEEP`), and a period's figure is merged from its days: counts add up, and
the percentiles are taken over the days' values together (each day keeps its counting times as
a numpy array), so the merged figure is exactly the period's.

The merged figure is kept whole too and served while nothing of it changed; a first view
computes the period in one pass (cheaper than all its days), and the days are computed when it
first changes. One read and one statement checking them all against the change log for the
periods, the same for their days, one grouped query for the days missing, one upsert keeping
them. Only where `figure_cache` keeps figures (PostgreSQL, a period that is over) and for
periods of at most `MAX_DAYS` days: a quarter's or a year's counting times read back at every
change weigh more than computing the period once.
"""

from __future__ import annotations

import base64
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from socialdesk.core import figure_cache
from socialdesk.core.figure_cache import KEPT, Entry, Place, Snapshot
from socialdesk.core.percentiles import interpolate

MAX_DAYS = 35  # four weeks and a month; longer periods are kept whole (`figure_cache`)

Day = tuple[datetime, datetime]


def days_of(start: datetime, end: datetime) -> list[Day]:
    """The days [start, end) falls into, each from midnight to midnight in `start`'s time zone
    (23 or 25 hours on the days the clocks change)."""
    zone = start.tzinfo
    first = start.date()
    count = (end.astimezone(zone).date() - first).days
    midnights = [datetime.combine(first + timedelta(days=n), time.min, tzinfo=zone)
                 for n in range(count + 1)]  # fmt: skip
    return list(pairwise(midnights))


@dataclass(frozen=True)
class Period:
    """Where a period's merged figure is kept (`whole`) and where each of its days is."""

    whole: Place
    days: list[Place]


def split_at_midnight(
    bounds: tuple[datetime | None, datetime | None], now: datetime
) -> tuple[datetime, datetime, datetime] | None:
    """A period going on (it ends after `now`) as (start, today's midnight in its time zone,
    end): its past days and today. None for a period that is over, open or begun today."""
    start, end = bounds
    if start is None or end is None or end <= now:
        return None
    midnight = datetime.combine(now.astimezone(start.tzinfo).date(), time.min, start.tzinfo)
    return (start, midnight, end) if start < midnight < end else None


def places(
    rows: QuerySet[Any], what: Hashable, *, sources: Sequence[str], start: datetime | None,
    end: datetime | None, now: datetime,
) -> Period | None:  # fmt: skip
    """The places of the period [start, end) and its days for a figure (`what`) over `rows`
    (the period's rows without its bounds: who may see what, account, departments), or None
    where the period is kept whole or not at all (`figure_cache.place`) or is longer than
    `MAX_DAYS`."""
    whole = figure_cache.place(rows, what, sources=sources, start=start, end=end, now=now)
    if whole is None:
        return None
    if start is None or start.tzinfo is None or start.time() != time.min:
        return None  # not a period of whole days
    days = days_of(start, whole.end)
    if not days or len(days) > MAX_DAYS or days[-1][1] != whole.end:
        return None
    base = whole.key  # the rows' query with its values (who may see what) and `what`
    return Period(
        replace(whole, key=f"{base}:{start.isoformat()}/{whole.end.isoformat()}"),
        [
            Place(f"{base}:{day_start.isoformat()}", tuple(sources), day_start, day_end, now)
            for day_start, day_end in days
        ],
    )


def found(places: Sequence[Place]) -> tuple[dict[int, Entry], Snapshot | None, set[int]]:
    """The kept figures of `places` that may be served, by their position, in one read and one
    statement checking all of them against the change log; that statement's snapshot (None
    when nothing was checked or this transaction wrote): everything served is true at it; and
    the positions of every figure kept, served or not (one not served has changed)."""
    entries = _read([where.key for where in places])
    present = {n for n, where in enumerate(places) if where.key in entries}
    usable = [
        n for n, where in enumerate(places)
        if where.key in entries and figure_cache.holds(entries[where.key], where.now)
    ]  # fmt: skip
    if not usable:
        return {}, None, present
    valid, checked = figure_cache.confirmed(
        [places[n] for n in usable], [entries[places[n].key] for n in usable]
    )
    served = {usable[m]: entries[places[usable[m]].key] for m in valid}
    # Confirmed figures are kept on with this statement's snapshot once theirs is half `KEEP`
    # old (as `figure_cache.found`): a page read at least once in `KEEP` never computes them.
    if checked:
        stale = {
            places[n].key: replace(entry, snapshot=checked)
            for n, entry in served.items()
            if checked.taken_at - entry.snapshot.taken_at >= figure_cache.KEEP / 2
        }
        if stale:
            _write(stale)
    return served, checked, present


def keep(
    places: Sequence[Place], seen: Snapshot | None, values: dict[int, tuple[Any, datetime | None]]
) -> None:
    """Keep each computed figure (position → (value, until)), true at `seen`."""
    if seen is None or not values:
        return
    _write(
        {
            places[n].key: Entry(value, seen, places[n].now, until)
            for n, (value, until) in values.items()
        }
    )


class _Decoded:
    """The kept rows this process has decoded lately, by key with their row version (`xmin`):
    a row read again unchanged is not sent again nor unpickled (the four weeks of a manager's
    days at 10M messages are 3 MB). At most `MEMO_BYTES` of their stored text, least recently
    used first out."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.rows: OrderedDict[str, tuple[str, Entry, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def versions(self, keys: Sequence[str]) -> dict[str, str]:
        with self.lock:
            return {key: self.rows[key][0] for key in keys if key in self.rows}

    def get(self, key: str, version: str) -> Entry | None:
        with self.lock:
            row = self.rows.get(key)
            if row is None or row[0] != version:
                return None
            self.rows.move_to_end(key)
            return row[1]

    def put(self, key: str, version: str, entry: Entry, size: int) -> None:
        with self.lock:
            old = self.rows.pop(key, None)
            self.size -= old[2] if old else 0
            if size > self.limit:
                return
            self.rows[key] = (version, entry, size)
            self.size += size
            while self.size > self.limit:
                _key, (_version, _entry, gone) = self.rows.popitem(last=False)
                self.size -= gone


MEMO_BYTES = 64 * 1024 * 1024
_decoded = _Decoded(MEMO_BYTES)


def _read(keys: Sequence[str]) -> dict[str, Entry]:
    """The kept figures of these keys not expired, in one statement; a row this process
    decoded before and unchanged since comes without its value (from `_decoded`)."""
    known = _decoded.versions(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.cache_key, k.xmin::text, CASE WHEN m.version = k.xmin::text THEN NULL "
            f"ELSE k.value END FROM {KEPT} k LEFT JOIN unnest(%s::text[], %s::text[]) AS "
            "m(key, version) ON m.key = k.cache_key WHERE k.cache_key = ANY(%s) "
            "AND k.expires > clock_timestamp()",
            [list(known), list(known.values()), list(keys)],
        )
        rows = cursor.fetchall()
    entries: dict[str, Entry] = {}
    for key, version, value in rows:
        entry = None if value is not None else _decoded.get(key, version)
        if entry is None:
            if value is None:  # pushed out meanwhile by another thread: read it again
                return _read_all(keys)
            entry = pickle.loads(base64.b64decode(value))
            _decoded.put(key, version, entry, len(value))
        entries[key] = entry
    return entries


def _read_all(keys: Sequence[str]) -> dict[str, Entry]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cache_key, value FROM {KEPT} WHERE cache_key = ANY(%s) "
            "AND expires > clock_timestamp()",
            [list(keys)],
        )
        return {key: pickle.loads(base64.b64decode(value)) for key, value in cursor.fetchall()}


def _write(entries: dict[str, Entry]) -> None:
    """Keep these days for `KEEP`, in one statement, in the table and the form of the kept
    figures (`figure_cache.STORE`, Django's database cache: its `set` counts the table for
    every key, 56 times for the KPI page's two periods). In the order of their keys, so that
    two processes keeping the same days wait for each other instead of deadlocking."""
    keys = sorted(entries)
    outside = connection.in_atomic_block  # the caller's transaction commits as it chooses
    expires = timezone.now() + figure_cache.KEEP
    values = [
        base64.b64encode(pickle.dumps(entries[key], pickle.HIGHEST_PROTOCOL)).decode("ascii")
        for key in keys
    ]
    with transaction.atomic():
        connection.ensure_connection()
        # The values bound by the server: Django's cursor quotes them into the statement's
        # text, which took 200 ms for the four weeks of a manager's days at 10M messages.
        with psycopg.Cursor(connection.connection) as cursor:
            _upsert(cursor, keys, values, expires, outside=outside)


def _upsert(cursor: Any, keys: list[str], values: list[str], expires: datetime, *,
            outside: bool) -> None:  # fmt: skip
    """One upsert of the rows; not waiting for the disk unless in the caller's transaction."""
    if not outside:  # a kept figure lost in a crash is computed again: no wait for the disk
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
    cursor.execute(
        f"INSERT INTO {KEPT} (cache_key, value, expires) SELECT * FROM "
        "unnest(%s::text[], %s::text[], %s::timestamptz[]) ON CONFLICT (cache_key) DO "
        "UPDATE SET value = excluded.value, expires = excluded.expires",
        [keys, values, [expires] * len(keys)],
    )


def kept[T, M](
    periods: Sequence[Period],
    compute: Callable[[list[Day]], dict[date, tuple[T, datetime | None]]],
    empty: T,
    merge: Callable[[list[T]], M],
    whole: Callable[[list[int]], dict[int, tuple[M, datetime | None]]],
) -> list[M]:
    """Each period's merged figure: kept whole while nothing of it changed; computed in one
    pass over the period (`whole(positions)`: (value, until) each) where nothing of it was kept
    (a first view: one pass costs less than all of its days); merged (`merge`) from its days,
    kept or computed, where it changed. `compute(days)` answers (value, until) by the local
    date of each day that has rows (a day without rows is `empty`), in one query for all the
    periods' missing days.

    A merged figure is kept with the snapshot of the first check: a day served was unchanged
    from its own snapshot up to a later check, and a day computed later that saw a change
    committed since is found changed against it at the next view (computed again, never
    stale)."""
    wholes, seen, present = found([period.whole for period in periods])
    result: dict[int, M] = {n: entry.value for n, entry in wholes.items()}
    missed = [n for n in range(len(periods)) if n not in wholes]
    if not missed:
        return [result[n] for n in range(len(periods))]
    if seen is None:
        seen = figure_cache.snapshot(*(periods[n].whole for n in missed))
    merged: dict[int, tuple[M, datetime | None]] = {}
    cold = [n for n in missed if n not in present]
    if cold:
        merged.update(whole(cold))
    changed = [n for n in missed if n in present]
    everything = [day for n in changed for day in periods[n].days]
    values = _days(everything, compute, empty) if everything else {}
    offset = 0
    for n in changed:
        of_period = [values[offset + d] for d in range(len(periods[n].days))]
        offset += len(of_period)
        merged[n] = (
            merge([value for value, _until in of_period]),
            figure_cache.earliest(*(until for _value, until in of_period)),
        )
    keep([period.whole for period in periods], seen, merged)
    result.update({n: value for n, (value, _until) in merged.items()})
    return [result[n] for n in range(len(periods))]


def _days[T](
    days: list[Place],
    compute: Callable[[list[Day]], dict[date, tuple[T, datetime | None]]],
    empty: T,
) -> dict[int, tuple[T, datetime | None]]:
    """Each day's (value, until), kept or computed (and then kept), by its position."""
    hits, _checked, _present = found(days)
    missing = [n for n in range(len(days)) if n not in hits]
    computed: dict[int, tuple[T, datetime | None]] = {}
    if missing:
        before = figure_cache.snapshot(*(days[n] for n in missing))
        by_date = compute([(days[n].start, days[n].end) for n in missing])
        computed = {n: by_date.get(days[n].start.date(), (empty, None)) for n in missing}
        keep(days, before, computed)
    return {**{n: (entry.value, entry.until) for n, entry in hits.items()}, **computed}


def within(column: str, days: Iterable[Day]) -> Q:
    """The condition for rows of these days, one range per run of consecutive days."""
    runs: list[list[datetime]] = []
    for start, end in sorted(days):
        if runs and runs[-1][1] == start:
            runs[-1][1] = end
        else:
            runs.append([start, end])
    condition = Q()
    for start, end in runs:
        condition |= Q(**{f"{column}__gte": start, f"{column}__lt": end})
    return condition


def times(values: Sequence[int] | None) -> np.ndarray:
    """A day's counting times as kept: a compact array (the percentiles need no order)."""
    found = np.array(values or (), dtype=np.int64)
    if found.size and found.min() >= -(2**31) and found.max() < 2**31:
        return found.astype(np.int32)
    return found


def percentiles(days: Collection[np.ndarray], shares: Sequence[float]) -> tuple[float | None, ...]:
    """The percentiles of the days' values together, interpolated as `percentile_cont` and
    `core.percentiles.percentile` (the two nearest ranks, found without sorting everything)."""
    values = np.concatenate([day.astype(np.int64) for day in days]) if days else np.array([])
    if not values.size:
        return (None,) * len(shares)
    last = values.size - 1
    positions = [last * share for share in shares]
    ranks = sorted({r for p in positions for r in (int(p), min(int(p) + 1, last))})
    ordered = np.partition(values, ranks)
    return tuple(
        interpolate([float(ordered[int(p)]), float(ordered[min(int(p) + 1, last)])], p - int(p))
        for p in positions
    )
