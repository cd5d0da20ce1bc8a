"""Queries translated for FTS5 and PostgreSQL: same documents, same hits, no raw user text."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialdesk.insights.query import (
    And,
    Mention,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Tag,
    Word,
    parse,
)
from socialdesk.search.query import MAX_LENGTH, MAX_TERMS, Compiled, translate
from socialdesk.search.tests.corpus import DOCS, fts5_hits, fts5_index, pg_hits, postgres

CASES: list[tuple[str, set[int]]] = [
    ("Ticket", {1, 8}),
    ("Tickets", {1, 8}),
    ("Kauf", {1}),
    ("Fahrkarte", {2}),
    ("Automat", {2}),
    ("Karte", {2}),
    ("Fahrkartenautomat", {2}),
    ("Service", {3}),
    ("Kunde", {3}),
    ("Straße", {4}),
    ("strasse", {4}),
    ("café", {4}),
    ("CAFE", {4}),
    ("run", {5}),
    ("running", {5}),
    ("Verspätung", {6}),
    ("verspätet", {6}),
    ("verspät*", {6}),
    ("verspätung*", {6}),  # found by the stem's prefix alone
    ("Rat", set()),
    ('"QR code"', {5}),
    ('"code QR"', set()),
    ('"nimmt keine Karten"', {2}),
    ('"late the"', set()),  # the title's last word and the body's first are no phrase
    ('"late the train"', set()),
    ("late-the*", set()),
    ("e-bik*", {9}),
    ("ticket* -storno", {1}),
    ("ticket* AND NOT storno", {1}),
    ("bahnhof OR gate OR accepted", {2, 5}),
    ("(zug OR train) verspätung", {6}),
    ("#lob", {3}),
    ("lob", {3}),
    ("#kundenservice", set()),
    ("@NordlichtBahn", {3}),
    ("@nordlicht*", {3}),
    ("@anna", {9}),
    ("e-bike", {9}),
    ("kund*", {3}),
    ("zug lang:de", {6}),
    ("lang:en train", {5, 9}),
    ("train -lang:en", set()),
    ("o'brien", {10}),
    ("preis leistung", {10}),
    ("near", {10}),
    ("sic", {10}),
    ("verein -(karate kurs)", set()),
    ("verein NOT NOT karate", {7}),
]


def _filter(compiled: Compiled, hits: set[int]) -> set[int]:
    """The language filter, as the selector applies it in SQL."""
    return {
        pk
        for pk in hits
        if (compiled.language is None or DOCS[pk][0] == compiled.language)
        and DOCS[pk][0] not in compiled.excluded_languages
    }


@pytest.fixture(scope="module")
def fts5() -> Iterator[sqlite3.Connection]:
    connection = fts5_index()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    with postgres() as connection:
        if connection is None:
            pytest.skip("PostgreSQL not reachable (set DATABASE_URL=postgres://…)")
        yield connection


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_it_finds_the_same_documents_in_sqlite(
    fts5: sqlite3.Connection, query: str, expected: set[int]
) -> None:
    compiled = translate(query)
    assert _filter(compiled, fts5_hits(fts5, compiled.fts5)) == expected


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_it_finds_the_same_documents_in_postgresql(pg: Any, query: str, expected: set[int]) -> None:
    compiled = translate(query)
    assert _filter(compiled, pg_hits(pg, compiled.tsquery)) == expected


def test_the_parse_tree() -> None:
    assert parse('"QR code" ticket* -storno OR #bahn @kim') == Or(
        (
            And(
                (
                    Phrase(("qr", "code"), "QR code", 0),
                    Prefix("ticket", "ticket*", 10),
                    Not(Word("storno", "storno", 19), 18),
                ),
                0,
            ),
            And((Tag("#bahn", "#bahn", 29), Mention("@kim", "@kim", 35)), 29),
        ),
        0,
    )


GOLDEN = [
    (
        "Tickets",
        '({title_terms body_terms parts} : ("ticket"))',
        "('ticket')",
    ),
    (
        '"QR code" ticket* -storno',
        '(({title_terms body_terms} : ("qr cod" OR "qr code")) AND ({title_terms body_terms parts}'
        ' : ("ticket"*))) NOT (({title_terms body_terms parts} : ("storno")))',
        "((('qr':A <-> 'cod':A) | ('qr':B <-> 'cod':B)) | (('qr':A <-> 'code':A) | ('qr':B <-> 'code':B)))"
        " & ('ticket':*) & !('storno')",
    ),
    (
        "#Bahn OR @Kim",
        '(({parts} : ("zzhbahn")) OR ({parts} : ("zzmkim")))',
        "(('zzhbahn':D) | ('zzmkim':D))",
    ),
    (  # the stem's prefix covers the word's: one prefix, the same matches
        "verspätung*",
        '({title_terms body_terms parts} : ("verspat"*))',
        "('verspat':*)",
    ),
]


@pytest.mark.parametrize(("query", "fts5", "tsquery"), GOLDEN)
def test_the_translation_for_both_dialects(query: str, fts5: str, tsquery: str) -> None:
    compiled = translate(query)
    assert (compiled.fts5, compiled.tsquery) == (fts5, tsquery)


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ('zug "qr code', "quote is not closed", 4),
        ('"', "quote is not closed", 0),
        ("(zug OR bahn", "“(” is not closed", 0),
        ("zug)", "closes no “(”", 3),
        ("zug AND", "AND needs something on both sides", 4),
        ("zug OR", "OR needs something on both sides", 4),
        ("OR zug", "needs something before it", 0),
        ("a*", "at least two letters", 0),
        ("ti*ket", "* may only end a word", 2),
        ("-storno", "at least one word that must occur", 0),
        ("NOT storno", "at least one word that must occur", 0),
        ("zug OR -storno", "at least one word that must occur", 7),
        ("lang:de", "at least one word that must occur", 0),
        ("(lang:de OR zug)", "inside parentheses or beside OR", 1),
        ("zug (bahn lang:de)", "inside parentheses or beside OR", 10),
        ("!!!", "is not a word", 0),
        ("_", "holds no letters", 0),
        ("zug #_", "this name holds no letters", 4),
        ("zug @__", "this name holds no letters", 4),
        ("zug #__*", "holds no letters", 4),
        ("zug lang:de lang:en", "only one language", 12),
        ("NEAR(zug bahn", "“(” is not closed", 4),
        ("title:zug", "is not a word", 0),
        ("^zug", "is not a word", 0),
        ("zug\x00bahn", "control character", 3),
        ("zug " * 130, "longer than 500", MAX_LENGTH),
        (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "at most 32 words", 118),  # w32
    ],
)
def test_a_bad_query_says_what_and_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        translate(query)
    assert message in caught.value.message
    assert caught.value.position == position


_ALPHABET = st.sampled_from(
    [*"abcäöüßé \"'*()-#@:^{}[]\\;.,|&!<>~`", "AND", "OR", "NOT", "NEAR", "\u202e", "🚆"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_any_text_is_an_error_or_a_valid_match_in_sqlite(text: str) -> None:
    try:
        compiled = translate(text)
    except QueryError:
        return
    connection = fts5_index()
    try:
        fts5_hits(connection, compiled.fts5)  # raises sqlite3.OperationalError on bad syntax
    finally:
        connection.close()


@settings(max_examples=100, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_any_text_is_an_error_or_a_valid_tsquery(text: str) -> None:
    with postgres() as connection:
        if connection is None:
            pytest.skip("PostgreSQL not reachable (set DATABASE_URL=postgres://…)")
        try:
            compiled = translate(text)
        except QueryError:
            return
        pg_hits(connection, compiled.tsquery)


def test_it_names_what_to_mark_in_snippets() -> None:
    compiled = translate('"QR code" Verspätung* #Lob @Kim -storno')
    assert set(compiled.highlight) == {
        "qr",
        "cod",
        "code",
        "verspatung*",
        "verspat*",
        "lob",
        "kim",
    }  # not "storno": it is excluded
