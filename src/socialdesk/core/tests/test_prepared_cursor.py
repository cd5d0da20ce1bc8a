"""`core.db.prepared_cursor` answers as the connection's own cursor does, statement by
statement, on either database: the same rows for the same text with other values (SQLite keeps
its rewrite of the placeholders by the text, PostgreSQL the prepared statement), a literal
`%%`, named values, and every statement logged as Django logs its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.core.db import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %s || '%%' || %s, %s * 2"


def test_the_same_statement_with_other_values_gives_their_answer() -> None:
    asked = [("a", "b", 1), ("x", "y", 21), ("Grüße", "", 2**40)]
    with connection.cursor() as cursor:
        expected = []
        for values in asked:
            cursor.execute(STATEMENT, list(values))
            expected.append(cursor.fetchone())
    with CaptureQueriesContext(connection) as logged, prepared_cursor(connection) as cursor:
        found = []
        for values in asked * 2:  # the second time from what was kept
            cursor.execute(STATEMENT, list(values))
            found.append(cursor.fetchone())
    assert found == expected * 2
    assert expected[1] == ("x%y", 42)
    assert len(logged) == 6
    assert "'Grüße'" in logged[2]["sql"]  # logged with its values, as Django logs its own


def test_named_values_are_bound_by_name() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("named values are SQLite's pyformat rewrite")
    with prepared_cursor(connection) as cursor:
        for first, second in [(1, 2), (5, 7)]:
            cursor.execute("SELECT %(b)s - %(a)s", {"a": first, "b": second})
            assert cursor.fetchone() == (second - first,)
