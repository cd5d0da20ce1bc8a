# ruff: noqa: S608 - every name in these statements is a constant of the callers; no value from outside
"""Figures of past periods, kept and served again until anything they count changes.

A KPI over four past weeks at 10 million messages reads a few hundred thousand rows and sorts
them for its percentiles (100-250 ms per period), and the KPI page and the dashboards ask for
the same periods on every view. On PostgreSQL such a figure is kept with the database snapshot
it was computed in, in the database itself (Django's database cache, `CACHES["figures"]`, table
`core_kept_figure`): every web process serves what one of them computed or the worker warmed
(`goals.figure_warming`, for the pages' usual periods), also after a restart. It is served
again only while all of these hold:

- **Nothing it counts changed.** Statement triggers on the tables it reads (`log_statements`:
  the SLA outcomes, the conversations) write one row per statement and hour touched into
  `core_figure_change`, with the writing transaction's id, whatever writes (a reply, a
  bulk action, a merge, a deletion, an import, a trigger moving copies, TRUNCATE). A kept
  figure is served only while no row of its tables and hours exists that its snapshot did not
  see: a change committed after the figure was computed is always found, also one whose
  transaction began earlier (ids are not in commit order; the snapshot says what was seen).
- **Time changed nothing.** A clock still pending turns breached when its target passes:
  the figure carries the first such moment among what it counted (`until`) and is computed
  again from then on.
- **It was confirmed lately.** Each serving checks the log and, when nothing changed and the
  figure's snapshot is half `KEEP` old, keeps it on with that check's snapshot. A figure not
  confirmed for `KEEP` (ten minutes) is computed again: log rows are removed once no kept
  figure can need them (`compact`, on the worker's regular rhythm), those seen by a snapshot
  taken `KEEP` (and a minute) earlier.

A figure computed in a transaction that wrote something is not kept (it may see rows that are
rolled back). The key is the figure's query as SQL with its values (who may see what is part
of it), so two readers share a figure only when they read the same rows. SQLite computes every
time: it serves teams whose history is small enough for that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils import timezone

LOG = "core_figure_change"
HORIZON = "core_figure_horizon"
KEEP = timedelta(minutes=10)
STORE = "figures"  # the alias in CACHES
KEPT = "core_kept_figure"  # its table (`core.models.KeptFigure`)
# `compact` waits this much longer than KEEP: a snapshot's recorded time is read a moment after
# the snapshot itself was taken.
MARGIN = timedelta(minutes=1)
# What the database shows now, when, and whether this transaction wrote nothing yet (a figure
# read in a transaction that wrote may count rows that are rolled back: not kept).
NOW = "pg_current_snapshot()::text, clock_timestamp(), pg_current_xact_id_if_assigned() IS NULL"
_PREFIX = "socialdesk.figure:"


def utc_hour(moment: str) -> str:
    """SQL: the UTC hour a moment falls in, whatever the session's time zone (a writer in a
    zone with a half-hour offset truncates the same as the reader)."""
    return f"(date_trunc('hour', {moment} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def table_statements() -> list[str]:
    """PostgreSQL: the change log and the horizon of what `compact` may remove."""
    return [
        f"CREATE TABLE IF NOT EXISTS {LOG} (id bigserial PRIMARY KEY, source text NOT NULL, "
        "hour timestamptz, xid xid8 NOT NULL DEFAULT pg_current_xact_id())",
        f"CREATE INDEX IF NOT EXISTS {LOG}_source_hour ON {LOG} (source, hour)",
        f"CREATE TABLE IF NOT EXISTS {HORIZON} (id integer PRIMARY KEY CHECK (id = 1), "
        "taken_at timestamptz NOT NULL, snapshot pg_snapshot NOT NULL)",
        f"INSERT INTO {HORIZON} VALUES (1, clock_timestamp(), pg_current_snapshot()) "
        "ON CONFLICT DO NOTHING",
    ]


def log_statements(table: str, source: str, bucket: str, columns: Sequence[str]) -> list[str]:
    """PostgreSQL: the triggers that log every change to `table` that a figure reading
    `columns` could see, by the hour of `bucket` (the column a period bounds), old and new."""
    name = f"{table}_figure_log"

    def hours(rows: str, alias: str) -> str:
        return f"SELECT {utc_hour(alias + '.' + bucket)} AS h FROM {rows} {alias}"

    differ = (
        f"({', '.join('o.' + c for c in columns)}) IS DISTINCT FROM "
        f"({', '.join('n.' + c for c in columns)})"
    )
    moved = (
        f"SELECT unnest(ARRAY[{utc_hour('o.' + bucket)}, {utc_hour('n.' + bucket)}]) "
        f"AS h FROM old_rows o JOIN new_rows n USING (id) WHERE {differ}"
    )

    def log(changed: str) -> str:
        return (
            f"INSERT INTO {LOG} (source, hour) SELECT DISTINCT '{source}', h "
            f"FROM ({changed}) AS changed WHERE h IS NOT NULL;"
        )

    body = (
        f"IF TG_OP = 'INSERT' THEN {log(hours('new_rows', 'n'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {log(hours('old_rows', 'o'))} "
        f"ELSIF TG_OP = 'UPDATE' THEN {log(moved)} "
        f"ELSE INSERT INTO {LOG} (source, hour) VALUES ('{source}', NULL); END IF;"
    )
    each = f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {body} RETURN NULL; END; $$",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {each}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {each}",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {each}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} {each}",
    ]


def unlog_statements(table: str) -> list[str]:
    name = f"{table}_figure_log"
    drops = [f"DROP TRIGGER IF EXISTS {name}_{op} ON {table}" for op in _OPS]
    return [*drops, f"DROP FUNCTION IF EXISTS {name}()"]


_OPS = ("insert", "update", "delete", "truncate")


def logging_operation(table: str, bucket: str, columns: Sequence[str]) -> Any:
    """A migration's operation making (and, undone, removing) the log triggers of `table` on
    PostgreSQL; nothing on SQLite, which keeps no figures."""
    from django.db import migrations

    def run(statements: list[str]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "postgresql":
                for statement in statements:
                    schema_editor.execute(statement)

        return apply

    return migrations.RunPython(
        run(log_statements(table, table, bucket, columns)), run(unlog_statements(table))
    )


@dataclass(frozen=True)
class Place:
    """Where one figure is kept: its key, the tables (`sources`) and the time span it reads."""

    key: str
    sources: tuple[str, ...]
    start: datetime
    end: datetime
    now: datetime


@dataclass(frozen=True)
class Snapshot:
    text: str
    taken_at: datetime


@dataclass(frozen=True)
class Entry:
    """A kept figure: its value, the snapshot it is true at, the moment it was asked for and
    the moment it stops holding (a pending clock turning breached)."""

    value: Any
    snapshot: Snapshot
    now: datetime
    until: datetime | None


# Figures kept before `Entry` had its public name are pickled under the old one.
_Entry = Entry


def place(
    rows: Any, what: Hashable, *, sources: Sequence[str], start: datetime | None,
    end: datetime | None, now: datetime,
) -> Place | None:  # fmt: skip
    """The place of a figure (`what`) over the queryset `rows` in [start, end): keyed by the
    rows' SQL and values. None when it is not kept: on SQLite, for an open span (without a
    start or an end, or ending after `now`), for a query that reads nothing at all (an empty
    list of ids)."""
    if connection.vendor != "postgresql" or start is None or end is None or end > now:
        return None
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return None
    settings = connection.settings_dict
    where = (settings.get("HOST"), settings.get("PORT"), settings.get("NAME"))
    key = (where, sql, tuple(params), what)
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    return Place(_PREFIX + digest, tuple(sources), start, end, now)


def found(where: Place | None) -> tuple[bool, Any]:
    """(True, the kept figure) when it may be served; (False, None) when it must be computed."""
    if where is None:
        return False, None
    entry: Entry | None = caches[STORE].get(where.key)
    if entry is None or not holds(entry, where.now):
        return False, None
    valid, checked = confirmed([where], [entry])
    if not valid:
        return False, None
    if checked and checked.taken_at - entry.snapshot.taken_at >= KEEP / 2:  # not every view
        caches[STORE].set(where.key, replace(entry, snapshot=checked), KEEP.total_seconds())
    return True, entry.value


def holds(entry: Entry, now: datetime) -> bool:
    """Whether a kept figure still holds at `now` as far as time goes: asked for no earlier
    moment than it was computed for, and no pending clock of it turned late since."""
    return now >= entry.now and (entry.until is None or now < entry.until)


def confirmed(
    places: Sequence[Place], entries: Sequence[Entry]
) -> tuple[set[int], Snapshot | None]:
    """Which kept figures (positions; `entries[n]` kept at `places[n]`) may be served, in one
    statement: each was confirmed within `KEEP` and every logged change of its hours was seen
    by its snapshot. Also that statement's own snapshot (None when this transaction wrote):
    every figure confirmed is as true at it (nothing it counts changed up to it), so it may be
    kept on with it once its own is half `KEEP` old, and a page read at least once in `KEEP`
    never has to compute it again while nothing changes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(d.n) FILTER (WHERE d.taken > clock_timestamp() - "
            "make_interval(secs => %s) AND NOT EXISTS (SELECT 1 FROM "
            f"{LOG} WHERE source = ANY(%s) AND (hour IS NULL OR (hour >= {utc_hour('d.start')} "
            "AND hour < d.stop)) AND NOT pg_visible_in_snapshot(xid, d.seen::pg_snapshot))), "
            f"{NOW} FROM unnest(%s::int[], %s::timestamptz[], %s::timestamptz[], %s::text[], "
            "%s::timestamptz[]) AS d(n, start, stop, seen, taken)",
            [
                KEEP.total_seconds(), list(places[0].sources), list(range(len(places))),
                [where.start for where in places], [where.end for where in places],
                [entry.snapshot.text for entry in entries],
                [entry.snapshot.taken_at for entry in entries],
            ],
        )  # fmt: skip
        valid, text, taken_at, clean = cursor.fetchone()
    return set(valid or ()), Snapshot(text, taken_at) if clean else None


def snapshot(*places: Place | None) -> Snapshot | None:
    """What the database shows now, taken before a figure is computed (a change committed
    later is then found); None when nothing is to be kept or this transaction wrote."""
    if all(where is None for where in places):
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {NOW}")
        text, taken_at, clean = cursor.fetchone()
    return Snapshot(text, taken_at) if clean else None


def keep(where: Place | None, seen: Snapshot | None, value: Any, until: datetime | None) -> None:
    """Keep `value`, computed after `seen` was taken, valid for moments before `until`."""
    if where is None or seen is None:
        return
    caches[STORE].set(where.key, Entry(value, seen, where.now, until), KEEP.total_seconds())


def kept[T](where: Place | None, compute: Callable[[], tuple[T, datetime | None]]) -> T:
    """The kept figure, or `compute()` (value, until) kept for the next reader."""
    hit, value = found(where)
    if hit:
        return value  # type: ignore[no-any-return]
    seen = snapshot(where)
    value, until = compute()
    keep(where, seen, value, until)
    return value


def earliest(*moments: datetime | None) -> datetime | None:
    """The first of these moments (None for none)."""
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def due() -> bool:
    """Whether `compact` has work: its horizon is at least `KEEP` + `MARGIN` old, or missing
    (a restored database starts without one)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT NOT EXISTS (SELECT 1 FROM {HORIZON} WHERE taken_at > clock_timestamp() - "
            "make_interval(secs => %s))",
            [(KEEP + MARGIN).total_seconds()],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def compact() -> int:
    """Remove the log rows no kept figure can need, and the kept figures expired; how many log
    rows went. A figure is served only while its snapshot is younger than `KEEP`, so a row seen
    by a snapshot taken `KEEP` (and `MARGIN`) ago was seen by every figure still served. Then
    the horizon moves on (or is made, when missing). Several workers may run it at once: the
    deletes are idempotent, and the horizon moves once."""
    if connection.vendor != "postgresql":
        return 0
    old_enough = "clock_timestamp() - make_interval(secs => %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {LOG} WHERE pg_visible_in_snapshot(xid, "
            f"(SELECT snapshot FROM {HORIZON} WHERE id = 1 AND taken_at <= {old_enough}))",
            [(KEEP + MARGIN).total_seconds()],
        )
        removed = int(cursor.rowcount)
        cursor.execute(
            f"INSERT INTO {HORIZON} AS h VALUES (1, clock_timestamp(), pg_current_snapshot()) "
            "ON CONFLICT (id) DO UPDATE SET taken_at = excluded.taken_at, "
            f"snapshot = excluded.snapshot WHERE h.taken_at <= {old_enough}",
            [(KEEP + MARGIN).total_seconds()],
        )
    from socialdesk.core.models import KeptFigure  # (migrations import this module)

    KeptFigure.objects.filter(expires__lt=timezone.now()).delete()  # never served again
    return removed
