"""PostgreSQL sessions run without JIT compilation (it cost more than the statements)."""

from __future__ import annotations

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting"),
]


def test_every_new_session_runs_without_jit() -> None:
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
            cursor.execute("SELECT boot_val FROM pg_settings WHERE name = 'jit'")
            assert cursor.fetchone()[0] == "on"  # the server's default, which the app turns off
    finally:
        fresh.close()
