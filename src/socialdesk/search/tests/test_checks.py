"""`search.E001`: SQLite without FTS5 is named with the fix; with FTS5 nothing is said."""

from __future__ import annotations

import pytest
from django.db import connection

from socialdesk.search import checks


def test_it_names_the_fix_when_sqlite_lacks_fts5(monkeypatch: pytest.MonkeyPatch) -> None:
    if connection.vendor != "sqlite":
        assert checks.check_fts5() == []
        return
    assert checks.check_fts5() == []
    monkeypatch.setattr(checks, "fts5_available", lambda: False)
    (error,) = checks.check_fts5()
    assert error.id == "search.E001"
    assert "FTS5" in error.msg and "PostgreSQL" in str(error.hint)
