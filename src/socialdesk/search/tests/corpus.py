"""Our own small corpus: the same documents indexed in SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socialdesk.search.analysis import analyse_document

# id: (language, title, body)
DOCS: dict[int, tuple[str, str, str]] = {
    1: ("de", "Ticketkauf in der App", "Der Ticketkauf klappt seit gestern nicht mehr."),
    2: ("de", "Fahrkartenautomat defekt", "Der Fahrkartenautomat am Bahnhof nimmt keine Karten."),
    3: ("de", "Kundenservice", "Der Kundenservice hat schnell geantwortet. #Lob @NordlichtBahn"),
    4: ("de", "Straße gesperrt", "Die Strasse vor dem Café ist wegen Bauarbeiten gesperrt."),
    5: ("en", "Trains running late", "The train runs late again, my QR code was not accepted."),
    6: ("de", "Verspätung", "Zug verspätet, schon wieder 20 Minuten Verspätung."),
    7: ("de", "Karate", "Karate-Kurs heute im Verein"),
    8: ("de", "Storno", "Ticket Storno bitte, ich habe zwei Tickets gekauft."),
    9: ("en", "E-Bike", "Can I take my e-bike on the train? Asking for @anna@social.example"),
    10: (
        "de",
        "O'Brien schreibt",
        "Ein Zitat: \"Preis\" und 'Leistung' — 100% (sic) NEAR title:x ^y",
    ),
}

PG_URL_VARIABLE = "DATABASE_URL"


def rows() -> Iterator[tuple[int, str, str, str, str]]:
    """(id, language, title terms, body terms, parts) as the index would store them."""
    for pk, (language, title, body) in DOCS.items():
        d = analyse_document(title, body, language)
        yield pk, language, d.title_terms, d.body_terms, d.parts


def fts5_index() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title_terms, body_terms, parts, "
        "tokenize='unicode61 remove_diacritics 0', prefix='3')"
    )
    connection.executemany(
        "INSERT INTO fts (rowid, title_terms, body_terms, parts) VALUES (?, ?, ?, ?)",
        [(pk, t, b, p) for pk, _language, t, b, p in rows()],
    )
    return connection


def fts5_hits(connection: sqlite3.Connection, match: str) -> set[int]:
    return {r[0] for r in connection.execute("SELECT rowid FROM fts WHERE fts MATCH ?", [match])}


@contextmanager
def postgres() -> Iterator[Any | None]:
    """A psycopg connection to DATABASE_URL's PostgreSQL, or None when there is none."""
    url = os.environ.get(PG_URL_VARIABLE, "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    # The database of the URL need not exist (Django tests in `test_<name>`): the queries here
    # touch no table, so the server's maintenance database serves as well.
    url = url.replace("postgres://", "postgresql://", 1)
    connection = None
    for database in (None, "postgres"):
        try:
            extra = {"dbname": database} if database else {}
            conninfo = psycopg.conninfo.make_conninfo(url, connect_timeout=3, **extra)
            connection = psycopg.connect(conninfo)
            break
        except psycopg.OperationalError:
            continue
    if connection is None:
        yield None
        return
    with connection:
        yield connection


_VECTOR = (
    "setweight(to_tsvector('simple', t), 'A') || setweight(to_tsvector('simple', b), 'B')"
    " || setweight(to_tsvector('simple', p), 'D')"
)


def pg_hits(connection: Any, tsquery: str) -> set[int]:
    values = list(rows())
    placeholders = ", ".join("(%s, %s, %s, %s)" for _ in values)
    params: list[object] = [x for pk, _l, t, b, p in values for x in (pk, t, b, p)]
    sql = (
        f"SELECT id FROM (VALUES {placeholders}) AS d(id, t, b, p) "
        f"WHERE ({_VECTOR}) @@ to_tsquery('simple', %s)"
    )
    return {r[0] for r in connection.execute(sql, [*params, tsquery])}
