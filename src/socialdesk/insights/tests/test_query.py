"""The monitor query language: what matches, and where a bad query goes wrong."""

from __future__ import annotations

import pytest

from socialdesk.insights.query import Document, QueryError, compile_query


def matches(query: str, text: str, *, author: str = "", language: str = "de") -> bool:
    return compile_query(query)(Document.of(text, author=author, language=language))


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("bahn", "Die Bahn ist pünktlich", True),
        ("bahn", "Die Bahnhofshalle", False),  # whole words only
        ("bahn*", "Die Bahnhofshalle", True),
        ("verspätung", "VERSPATUNG schon wieder", True),  # case and accents
        ("strasse", "Straße gesperrt", True),
        ("streik", "Heute #Streik in Kiel", True),  # a word matches its hashtag
        ("#streik", "Heute Streik in Kiel", False),  # a hashtag only the hashtag
        ("@nordlichtbahn", "danke @NordlichtBahn!", True),
        ("@nordlichtbahn", "Mein Zug fällt aus", False),
        ("@nordlicht", "hallo @nordlicht@social.example", True),
        ('"QR code"', "The QR code is not accepted", True),
        ('"QR code"', "The code QR is odd", False),
        ('"qr code" gate', "QR code not accepted at the gate", True),
        ('"qr code" gate', "QR code not accepted", False),
        ("app OR website", "Die Website lädt nicht", True),
        ("app AND website", "Die Website lädt nicht", False),
        ("ticket* -storno", "Ticketkauf klappt nicht", True),
        ("ticket* -storno", "Ticket Storno bitte", False),
        ("ticket* AND NOT storno", "Ticket Storno bitte", False),
        ("(zug OR bahn) AND (ausfall OR verspätung)", "Zug hat Verspätung", True),
        ("(zug OR bahn) AND (ausfall OR verspätung)", "Zug ist pünktlich", False),
        ("zug OR bahn ausfall", "Zug pünktlich", True),  # AND binds tighter than OR
        ("e-bike", "Darf mein E-Bike mit?", True),
        ("lang:de zug", "Zug", True),
        ("lang:en zug", "Zug", False),
    ],
)
def test_what_matches(query: str, text: str, expected: bool) -> None:
    assert matches(query, text) is expected


def test_the_author_counts_as_a_mention() -> None:
    assert matches("@kim", "Mein Zug", author="Kim")


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("", "empty", 0),
        ('zug "qr code', "quote is not closed", 4),
        ("(zug OR bahn", "“(” is not closed", 0),
        ("zug OR bahn)", "closes no “(”", 11),
        ("zug OR", "OR needs something on both sides", 4),
        ("OR zug", "OR needs something before it", 0),
        ("zug AND AND bahn", "AND needs something on both sides", 4),
        ("zug NOT", "NOT needs something to exclude", 4),
        ("lang:fr zug", "unknown language", 0),
        ("ti*ket", "* may only end a word", 2),
        ("a*", "at least two letters", 0),
        ('""', "the quotes hold nothing", 0),
        ("()", "the parentheses hold nothing", 0),
    ],
)
def test_a_bad_query_says_what_and_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert message in caught.value.message
    assert caught.value.position == position
