"""Dropping a PostgreSQL database the tests and benchmarks made, as its owner (no superuser).

`DROP DATABASE … WITH (FORCE)` refuses an owner whenever an autovacuum worker happens to be
on the database: the worker's process belongs to no role the owner may signal ("must be a
member of the role whose process is being terminated"). A plain `DROP DATABASE` stops
autovacuum workers itself, so this ends the owner's own sessions and drops without FORCE.
"""

from __future__ import annotations

import time
from typing import Any

OWN_SESSIONS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = %s AND usename = current_user AND pid <> pg_backend_pid()
"""


def drop_database(admin: Any, name: str, *, seconds: float = 30) -> None:
    """Drop `name` through `admin`, an autocommit psycopg connection to another database.

    Retries while a session is still closing; raises the last error after `seconds`.
    """
    import psycopg
    from psycopg import sql

    deadline = time.monotonic() + seconds
    while True:
        admin.execute(OWN_SESSIONS, [name])
        try:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            return
        except psycopg.errors.ObjectInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def drop_database_at(url: str, name: str) -> None:
    """Drop `name` on the server of `url` (a postgres:// address to any of its databases)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        drop_database(admin, name)
