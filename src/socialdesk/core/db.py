"""Database helpers for bulk work: prepared statements without model instances.

Django's bulk_create and bulk_update compile SQL per batch and prepare every value of every
model instance; for imports of millions of rows that costs far more than the database
work itself. These helpers take plain value rows and run one prepared statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def _columns(model: type[models.Model], fields: Sequence[str]) -> tuple[list[Any], list[str]]:
    concrete = [model._meta.get_field(name) for name in fields]
    return concrete, [str(field.column) for field in concrete]  # type: ignore[union-attr]


def _preparer(connection: BaseDatabaseWrapper, concrete: list[Any]) -> list[Any]:
    """Return per column a function that turns a Python value into a database value."""
    preparers: list[Any] = []
    for field in concrete:
        if isinstance(field, models.DateTimeField):
            preparers.append(_datetime_preparer(connection))
        elif isinstance(field, models.JSONField):
            preparers.append(lambda v, f=field: f.get_db_prep_save(v, connection))
        else:
            preparers.append(None)
    return preparers


def _datetime_preparer(connection: BaseDatabaseWrapper) -> Any:
    """PostgreSQL takes aware datetimes as they are. SQLite stores text in the connection's
    zone: a value already in it (the usual: parsed or made as UTC) is written without Django's
    general conversion, which cost about 2 s of a 100,000-row import."""
    ops = connection.ops
    if connection.vendor == "postgresql":
        return None
    zone = connection.timezone

    def adapt(value: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is zone:
            return str(value.replace(tzinfo=None))
        return ops.adapt_datetimefield_value(value)

    return adapt


def _prepare(rows: Sequence[Sequence[Any]], preparers: list[Any]) -> list[list[Any]]:
    if not any(preparers):
        return [list(row) for row in rows]
    return [
        [
            value if prep is None else prep(value)
            for value, prep in zip(row, preparers, strict=False)
        ]
        + list(row[len(preparers) :])
        for row in rows
    ]


ARRAY_BATCH = 10_000  # rows per statement of arrays (PostgreSQL, `ignore_conflicts`)
_UNSIZED = re.compile(r"\(.*\)")  # "varchar(255)" -> "varchar"


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """INSERT value rows (in the order of `fields`); no ids come back. PostgreSQL streams them
    with COPY (with `ignore_conflicts`: INSERT … SELECT of one array per column), SQLite runs
    one prepared INSERT (executemany).

    `ignore_conflicts`: a row that breaks a unique constraint is skipped (ON CONFLICT DO
    NOTHING, in SQLite and PostgreSQL), e.g. when another process inserted it just now.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    concrete, columns = _columns(model, fields)
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    prepared = _prepare(rows, _preparer(connection, concrete))
    if connection.vendor == "postgresql" and not ignore_conflicts:
        # COPY: constraints, triggers and indexes apply as for an INSERT, in one stream
        # instead of a statement per row. Errors arrive as Django's; an `execute_wrapper`
        # does not see it (Django's cursor logs and counts it).
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in prepared:
                copy.write_row(row)
        return len(rows)
    if connection.vendor == "postgresql":
        # One statement per batch, an array per column (executemany sent one per row), typed
        # without a length: a cast to varchar(n) would cut a longer value, which the
        # INSERT's own assignment refuses.
        arrays = ", ".join(
            f"%s::{_UNSIZED.sub('', field.db_type(connection))}[]" for field in concrete
        )
        sql = (
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), ARRAY_BATCH):
                batch = prepared[start : start + ARRAY_BATCH]
                cursor.execute(sql, [list(column) for column in zip(*batch, strict=True)])
        return len(rows)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
    return len(rows)


def insert_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """INSERT value rows with multi-row VALUES … RETURNING id; return the ids in row order."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    concrete, columns = _columns(model, fields)
    quote = connection.ops.quote_name
    prepared = _prepare(rows, _preparer(connection, concrete))
    # SQLite allows 32766 parameters per statement (PostgreSQL more); stay well below.
    per_batch = max(1, 30000 // len(columns))
    row_marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    names = ", ".join(quote(c) for c in columns)
    table, key = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), per_batch):
            batch = prepared[start : start + per_batch]
            sql = (
                f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
                + ", ".join([row_marks] * len(batch))
                + f" RETURNING {key}"
            )
            cursor.execute(sql, [value for row in batch for value in row])
            ids.extend(int(row[0]) for row in cursor.fetchall())
    return ids


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys, ascending, for `count` rows about to be inserted, which no other writer
    is given: a bulk write that knows its ids can set references between its rows (a reply's
    parent) in the INSERT instead of reading the ids back and updating.

    PostgreSQL draws them from the table's sequence (safe beside other writers). SQLite
    continues after the highest id ever given (AUTOINCREMENT's `sqlite_sequence`, so a
    deleted row's id is not given again); call it inside the transaction that inserts the
    rows: that transaction holds SQLite's write lock from its start (IMMEDIATE), so no other
    writer inserts in between.
    """
    if count <= 0:
        return []
    connection = connections[router.db_for_write(model)]
    table, key = model._meta.db_table, str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, key, count],
            )
            return sorted(int(row[0]) for row in cursor.fetchall())
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT max({quote(key)}) FROM {quote(table)}")  # noqa: S608
        highest = int(cursor.fetchone()[0] or 0)
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        given = cursor.fetchone()
        start = max(highest, int(given[0]) if given else 0) + 1
    return list(range(start, start + count))


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """UPDATE by primary key: each row is the values of `fields` followed by the pk."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    concrete, columns = _columns(model, fields)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    table, key = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _prepare(rows, _preparer(connection, concrete)))
    return len(rows)


def session_settings(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Every new database session (`connection_created`). PostgreSQL: no JIT compilation.
    Its cost estimate counts a permission condition's many subplans as a big query, and
    compiling one (100–150 ms) took longer than running it (a search page as a department
    member: 152 ms, 151 of them JIT). The app's statements are short; SET, not a startup
    option, so a connection pooler in front passes it too."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


@cache
def _preparing() -> type[Any]:
    """A psycopg cursor that binds on the server and prepares every statement it runs
    (psycopg is imported only where PostgreSQL is used)."""
    import psycopg

    class Preparing(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return Preparing


@cache
def _keeping_qmarks() -> type[Any]:
    """Django's SQLite cursor, its rewrite of `%s` placeholders kept per statement text."""
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper

    class KeepingQmarks(SQLiteCursorWrapper):
        def convert_query(self, query: str, *, param_names: Any = None) -> str:
            if param_names is not None:
                return str(super().convert_query(query, param_names=param_names))
            return _qmarks(query)

    return KeepingQmarks


@lru_cache(maxsize=256)
def _qmarks(query: str) -> str:
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return str(FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%"))


@contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """PostgreSQL: a cursor whose statements are prepared on the server and bound there
    (psycopg keeps up to `prepared_max` per connection, by their text; a ROLLBACK forgets
    them). A statement sent again with other values is no longer planned once PostgreSQL
    keeps a generic plan for it (from the sixth run, when that plan is no dearer): for a
    statement that costs more to plan than to run. Never for one whose plan depends on
    settings changed around it (`SET LOCAL enable_…`): the kept plan would ignore them.
    Django's own cursors bind on the client and never prepare; this one goes through
    Django's wrappers as they do (query logging, `execute_wrapper`). SQLite: Python's
    sqlite3 already keeps compiled statements by their text; this cursor also keeps Django's
    rewrite of a statement's `%s` into `?` by its text (a regex over the whole statement:
    32 µs of a rare word's 280 µs search). Elsewhere: the connection's usual cursor."""
    if connection.vendor not in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection.cursor(factory=_keeping_qmarks())
    else:
        if connection.connection.prepare_threshold is None:  # Django's "never"; its own
            connection.connection.prepare_threshold = 2**31  # cursors bind on the client
        raw = _preparing()(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        yield cursor
