"""Database triggers the code keeps, one definition for SQLite and PostgreSQL.

A trigger keeps a copy or a count right whatever writes the row (bulk imports write rows
directly, merges, deletions and Django's SET_NULL update many rows at once). On SQLite a
migration that rebuilds a table (Django copies it) drops its triggers, so the owner calls
`install()` after every `migrate`: it adds the missing ones (removing those of an earlier
version, whose names differ) and says whether it had to, so the owner can recompute what the
triggers would have kept meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class Trigger:
    """An AFTER trigger, FOR EACH ROW. Its name carries a version: a changed definition gets
    a new name, so `install()` replaces it."""

    name: str
    table: str
    event: str  # "INSERT", "DELETE", "UPDATE OF a, b"
    condition: str  # in SQLite's words ("IS NOT"); PostgreSQL's are made from it
    body: Callable[[], list[str]]  # the statements, made for the connection's database
    # A subquery: the row is left alone while it finds a row (PostgreSQL allows no subquery
    # in a trigger's WHEN, so there it is checked in the function).
    unless: str = ""
    # An INSERT trigger's work for many rows at once, given their ids: a bulk insert
    # (`bulk_insert`) suspends the trigger and calls this once at its end.
    bulk: Callable[[Sequence[int]], object] | None = None


BULK = "socialdesk.bulk_insert"  # PostgreSQL: the transaction-local setting of `bulk_insert`
_bulk: dict[str, dict[str, Trigger]] = {}  # table -> name -> trigger (`work_in_bulk`)


def statements(triggers: Sequence[Trigger]) -> list[str]:
    """The SQL creating these triggers for the connection's database."""
    out = []
    for trigger in triggers:
        steps = " ".join(trigger.body())
        condition = trigger.condition
        if connection.vendor == "sqlite":
            if trigger.unless:
                condition = f"{condition} AND NOT EXISTS ({trigger.unless})"
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {trigger.name} AFTER {trigger.event} ON "
                f"{trigger.table} WHEN {condition} BEGIN {steps} END"
            )
            continue
        if trigger.unless:
            steps = f"IF EXISTS ({trigger.unless}) THEN RETURN NULL; END IF; {steps}"
        condition = condition.replace(" IS NOT ", " IS DISTINCT FROM ")
        if trigger.bulk is not None:  # skipped without calling it while a bulk insert runs
            condition = f"({condition}) AND current_setting('{BULK}', true) IS DISTINCT FROM 'on'"
        out += [
            f"CREATE OR REPLACE FUNCTION {trigger.name}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {steps} RETURN NULL; END; $$",
            f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}",
            f"CREATE TRIGGER {trigger.name} AFTER {trigger.event} ON {trigger.table} "
            f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION {trigger.name}()",
        ]
    return out


def creating(trigger: Trigger) -> str:
    """SQLite: the one statement that makes this trigger."""
    return statements([trigger])[0]


def present(prefix: str) -> dict[str, str]:
    """Every trigger in the database whose name starts with `prefix`, with its table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            )
        return {name: table for name, table in cursor.fetchall() if name.startswith(prefix)}


def _drop(name: str, table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {name}" + (
        "" if connection.vendor == "sqlite" else f" ON {table}"
    )


def columns(table: str) -> set[str]:
    """The columns the table has now (an owner whose migration was undone has fewer; none when
    the table is gone)."""
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return set()
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def install(triggers: Sequence[Trigger], prefix: str, then: Callable[[], object]) -> bool:
    """Make these triggers (named `prefix…`) if any is missing, removing those of an earlier
    version, then run `then` (the recount) in the same transaction; True when it had to."""
    found = present(prefix)
    wanted = {trigger.name for trigger in triggers}
    if set(found) == wanted:
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        for name, table in found.items():
            if name not in wanted:
                cursor.execute(_drop(name, table))
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        for statement in statements(triggers):
            cursor.execute(statement)
        then()
    return True


def work_in_bulk(*triggers: Trigger) -> None:
    """Let `bulk_insert` suspend these INSERT triggers (those with `bulk`); an owner calls it
    in its `AppConfig.ready()`."""
    for trigger in triggers:
        if trigger.bulk is not None:
            _bulk.setdefault(trigger.table, {})[trigger.name] = trigger


def suspendable(table: str) -> set[str]:
    """The names of the triggers on `table` that `bulk_insert` suspends."""
    return set(_bulk.get(table, {}))


@contextmanager
def bulk_insert(table: str, ids: Sequence[int]) -> Iterator[None]:
    """Rows of `table` with these ids (reserved, ascending) are inserted in the block: the
    INSERT triggers that can do their work in bulk (`Trigger.bulk`) are suspended and do it
    once at its end, for these ids. Call it inside the inserting transaction. SQLite: they are
    dropped and made again in it (another connection never sees them missing; a rollback
    brings them back); PostgreSQL: their WHEN skips them while a transaction-local setting
    says so, for this transaction only."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("bulk_insert needs the inserting transaction")
    wanted = _bulk.get(table, {})
    found = set(present("")) & set(wanted) if ids and wanted else set()
    suspended = [wanted[name] for name in sorted(found)]
    if not suspended:
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in suspended:
                cursor.execute(_drop(trigger.name, trigger.table))
        else:
            cursor.execute("SELECT set_config(%s, 'on', true)", [BULK])
    yield  # an error inside rolls the transaction (or its savepoint) back: the drop too
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in suspended:
                cursor.execute(creating(trigger))
        else:
            cursor.execute("SELECT set_config(%s, 'off', true)", [BULK])
    for trigger in suspended:
        trigger.bulk(ids)  # type: ignore[misc]  # only those with `bulk` are registered


def drop(triggers: Sequence[Trigger]) -> None:
    """Remove these triggers (a benchmark's bulk writes; `install()` brings them back)."""
    with connection.cursor() as cursor:
        for trigger in triggers:
            cursor.execute(_drop(trigger.name, trigger.table))


@dataclass(frozen=True)
class Kept:
    """The triggers one owner keeps (all named `prefix…`) and what recomputes their work when
    they had to be made (`then`). `needs`: a table and the columns the triggers write; while
    the owner's migration is undone and they are missing, no trigger is made."""

    prefix: str
    triggers: tuple[Trigger, ...]
    then: Callable[[], object]
    needs: tuple[str, frozenset[str]] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(trigger.name for trigger in self.triggers)

    def installed(self) -> set[str]:
        """The names of these triggers present in the database."""
        return set(present(self.prefix)) & set(self.names)

    def ensure(self) -> bool:
        """Make the triggers if any is missing (removing those of an earlier version), then
        recompute; True when it had to. Runs after every `migrate`."""
        if self.needs is not None and not columns(self.needs[0]) >= self.needs[1]:
            self.drop()
            return False
        return install(self.triggers, self.prefix, then=self.then)

    def drop(self) -> None:
        """Remove the triggers (a benchmark's bulk writes; `ensure()` brings them back)."""
        drop(self.triggers)
