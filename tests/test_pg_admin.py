"""The suite's own clean-up drops the databases it made, even with sessions still open."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings

from tests.pg_admin import drop_database

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass (DATABASE_URL)")
def test_a_database_with_an_open_session_of_its_owner_is_dropped_without_force():
    import psycopg

    base = settings.DATABASES["default"]
    server = f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST']}:{base['PORT'] or 5432}"
    name = f"{base['NAME']}_drop_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        left_open = psycopg.connect(f"{server}/{name}", autocommit=True)
        left_open.execute("CREATE TABLE t (n int)")

        drop_database(admin, name)

        found = admin.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
        assert found.fetchone() == (0,)
        with pytest.raises(psycopg.OperationalError):
            left_open.execute("SELECT 1")
        left_open.close()
        drop_database(admin, name)  # a second drop of a database already gone is no error
