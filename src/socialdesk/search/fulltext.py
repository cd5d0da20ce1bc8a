# ruff: noqa: S608 - every name in these statements is a constant of this module
"""The vendor SQL of the index: SQLite's FTS5 table, PostgreSQL's tsvector column.

SQLite: `search_fts` is an FTS5 external-content table over `search_searchentry` (its rows are
the entries' three term columns, kept in step by the triggers `search_fts_ai/ad/au`, the
pattern of the FTS5 documentation). The tokenizer only splits on spaces in effect: the terms
are made by `search.analysis`. PostgreSQL: a generated `vector` (title A, body B, parts D) with
the always-present 'simple' configuration and a GIN index.
"""

from __future__ import annotations

from typing import Any

TABLE = "search_searchentry"
FTS = "search_fts"
COLUMNS = "title_terms, body_terms, parts"
TOKENIZE = "tokenize='unicode61 remove_diacritics 0', prefix='3'"

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5({COLUMNS}, content='{TABLE}', "
    f"content_rowid='id', {TOKENIZE})",
    f"CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, new.title_terms, new.body_terms, "
    "new.parts); END",
    f"CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title_terms, "
    "old.body_terms, old.parts); END",
    f"CREATE TRIGGER IF NOT EXISTS search_fts_au AFTER UPDATE OF {COLUMNS} ON {TABLE} BEGIN "
    f"INSERT INTO {FTS} ({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.title_terms, "
    f"old.body_terms, old.parts); INSERT INTO {FTS} (rowid, {COLUMNS}) VALUES (new.id, "
    "new.title_terms, new.body_terms, new.parts); END",
]
SQLITE_REBUILD = f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')"
SQLITE_TRIGGERS = SQLITE_CREATE[1:]
SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
]
SQLITE_DROP = [*SQLITE_DROP_TRIGGERS, f"DROP TABLE IF EXISTS {FTS}"]
VECTOR = (
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', body_terms), 'B') || "
    "setweight(to_tsvector('simple', parts), 'D')"
)
POSTGRES_CREATE = [
    f"ALTER TABLE {TABLE} ADD COLUMN vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    f"CREATE INDEX search_entry_vector ON {TABLE} USING GIN (vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_entry_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS vector",
]


def set_aside(cursor: Any, *, unique: bool = False) -> list[str]:
    """In a transaction that rewrites the index: drop the table's indexes but its primary key
    (PostgreSQL: the GIN index, the lookups by conversation, room, …; with `unique` the
    (kind, object_id) constraint too; SQLite: the lookups, its unique constraint is part of
    the table) and return the statements that make them again. Built once from all rows, each
    takes a fraction of the time keeping it up to date row by row takes (SQLite, a million
    messages: the entries written in 11 s instead of 29, and their lookups built in 5)."""
    if cursor.db.vendor == "sqlite":
        return _set_aside_sqlite(cursor)
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
        "WHERE x.indrelid = CAST(%s AS regclass) AND NOT x.indisprimary ORDER BY i.relname",
        [TABLE],
    )
    again: list[str] = []
    for index, definition, constraint, constrained in cursor.fetchall():
        if constraint is None:
            cursor.execute(f'DROP INDEX "{index}"')
            again.append(definition)
        elif unique:
            cursor.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{constraint}"')
            again.insert(0, f'ALTER TABLE {TABLE} ADD CONSTRAINT "{constraint}" {constrained}')
    return again


def _set_aside_sqlite(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
        "AND sql IS NOT NULL ORDER BY name",  # no sql: the constraint's own index
        [TABLE],
    )
    again: list[str] = []
    for index, definition in cursor.fetchall():
        cursor.execute(f'DROP INDEX "{index}"')
        again.append(definition)
    return again


def _run(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


HASHSIZE = 64 * 1024 * 1024  # bytes of new terms FTS5 gathers in memory before writing them
DEFAULT_HASHSIZE = 1024 * 1024  # FTS5's own
SQLITE_TABLES = (FTS, "search_recent")


def _hashsize(schema_editor: Any, size: int) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for table in SQLITE_TABLES:
            schema_editor.execute(
                f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {size})"
            )


def gather_more(apps: Any, schema_editor: Any) -> None:
    """SQLite: FTS5 writes what a transaction added to its index as a new segment each time
    HASHSIZE bytes have gathered (1 MiB by default), and merges the segments as they pile up.
    A reindex or a large import then writes a million entries in over a thousand segments:
    with 64 MiB, rebuilding the index takes half as long (the memory is only used while one
    transaction writes that much, and freed when it ends)."""
    _hashsize(schema_editor, HASHSIZE)


def gather_less(apps: Any, schema_editor: Any) -> None:
    _hashsize(schema_editor, DEFAULT_HASHSIZE)


# PostgreSQL: the planner's estimate of the entries matching a query (the top of the plan of
# `SELECT 1 … WHERE vector @@ query`, from the statistics of the last ANALYZE). A function, so
# that one statement can ask it and read a rare word's matches in the same round trip
# (`search.windows`): EXPLAIN cannot be a subquery. VOLATILE: PostgreSQL runs EXPLAIN in no
# other kind of function. The query is passed quoted (`%L`), never spliced in as SQL.
MATCHES = "search_matches"
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {MATCHES}(query tsquery) RETURNS double precision
LANGUAGE plpgsql VOLATILE AS $$
DECLARE plan json;
BEGIN
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE vector @@ %L::tsquery',
                 query) INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
END $$"""


def create_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no values: `%L` stays as it is
            cursor.execute(POSTGRES_FUNCTION)


def drop_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP FUNCTION IF EXISTS {MATCHES}(tsquery)")
