"""System check `search.E001`: the search needs SQLite's FTS5 (PostgreSQL needs nothing)."""

from __future__ import annotations

import sqlite3
from typing import Any

from django.core.checks import CheckMessage, Error
from django.db import connection
from django.utils.translation import gettext as _


def fts5_available() -> bool:
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
    return True


def check_fts5(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if connection.vendor != "sqlite" or fts5_available():
        return []
    return [
        Error(
            _("The search needs SQLite with FTS5."),
            hint=_(
                "Use a Python whose sqlite3 module was built with FTS5 (Debian, Ubuntu and the "
                "official Python builds have it), or PostgreSQL (DATABASE_URL)."
            ),
            id="search.E001",
        )
    ]
