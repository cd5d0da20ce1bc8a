"""Random texts: every word of a text finds it, and SQLite and PostgreSQL agree on all hits."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.insights.query import QueryError
from socialdesk.search.analysis import analyse, tokens
from socialdesk.search.query import translate
from socialdesk.search.tests.corpus import postgres

_LETTERS = [
    *"abcdeiklmnorstuzäöüßéèçñøåłİıǅﬁ²³½①",  # Latin, ligatures, Turkish i, digits of all kinds
    *"αβγσςДжЯ",  # Greek (final sigma), Cyrillic
    *"مرحبא",  # Arabic, Hebrew (right to left)
    *"日本語",  # CJK
    "\u0301",  # a combining accent
]
_SEPARATORS = [*" -_.,;:!?'\"#@/()*&|^~+", "\x00", "\u200b", "\u202e", "🚆", "👍🏽", "\n"]
_TEXT = st.lists(st.sampled_from(_LETTERS + _SEPARATORS), min_size=1, max_size=40).map("".join)


def _index(texts: list[str], language: str) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title_terms, body_terms, parts, "
        "tokenize='unicode61 remove_diacritics 0', prefix='3')"
    )
    for pk, text in enumerate(texts, start=1):
        a = analyse(text, language)
        connection.execute(
            "INSERT INTO fts (rowid, title_terms, body_terms, parts) VALUES (?, '', ?, ?)",
            [pk, a.terms, a.parts],
        )
    return connection


def _fts5(connection: sqlite3.Connection, match: str) -> set[int]:
    return {r[0] for r in connection.execute("SELECT rowid FROM fts WHERE fts MATCH ?", [match])}


def _pg(connection: Any, texts: list[str], language: str, tsquery: str) -> set[int]:
    analysed = [analyse(t, language) for t in texts]
    rows = ", ".join("(%s, %s, %s)" for _ in analysed)
    params: list[object] = [x for i, a in enumerate(analysed, 1) for x in (i, a.terms, a.parts)]
    sql = (
        f"SELECT id FROM (VALUES {rows}) AS d(id, b, p) WHERE (setweight(to_tsvector('simple', b),"
        " 'B') || setweight(to_tsvector('simple', p), 'D')) @@ to_tsquery('simple', %s)"
    )
    return {r[0] for r in connection.execute(sql, [*params, tsquery])}


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["de", "en"]))
def test_every_word_of_a_text_finds_it_in_sqlite(text: str, language: str) -> None:
    connection = _index([text], language)
    try:
        for word in set(tokens(text)):
            assert _fts5(connection, translate(word).fts5) == {1}, word
    finally:
        connection.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=4), _TEXT, st.sampled_from(["de", "en"]))
def test_sqlite_and_postgresql_find_the_same(texts: list[str], query: str, language: str) -> None:
    with postgres() as pg:
        if pg is None:
            pytest.skip("PostgreSQL not reachable (set DATABASE_URL=postgres://…)")
        words = sorted({w for t in texts for w in tokens(t)})
        queries = [query, *words[:5], *(f"{w}*" for w in words[:3] if len(w) >= 2)]
        if len(words) >= 2:
            queries.append(f'"{words[0]} {words[1]}"')
        connection = _index(texts, language)
        try:
            for q in queries:
                try:
                    compiled = translate(q)
                except QueryError:
                    continue
                assert _fts5(connection, compiled.fts5) == _pg(
                    pg, texts, language, compiled.tsquery
                ), q
        finally:
            connection.close()
