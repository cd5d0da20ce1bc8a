"""Tests for the German/English guesser, on invented posts to a railway, a carrier and a
streaming service."""

from __future__ import annotations

import time

import pytest

from socialdesk.insights.language import guess_language

GERMAN = [
    "@nordbahn warum fällt der RE7 heute schon wieder aus?",
    "Zug steht seit 40 Minuten vor Hamburg, keine Durchsage",
    "Danke, die Zugbegleiterin war super freundlich!",
    "Könnt ihr mir sagen, ob der Anschluss in Bremen wartet",
    "@telvia_de seit 3 Tagen kein Netz in Köln-Ehrenfeld",
    "Kann ich meinen Vertrag online kündigen?",
    "Router ist getauscht, Internet läuft wieder. Danke!",
    "Ich möchte mich für die tolle Beratung im Shop bedanken",
    "@streamio_de wann kommt die neue Staffel? #serienjunkie",
    "Die App lädt nicht mehr auf dem Fernseher",
    "Abo gekündigt und trotzdem abgebucht, wo ist mein Geld",
    "ich hab das schon dreimal versucht aber es geht einfach nicht",
    "Zugausfall in Lüneburg, Verspätung über 30 Minuten",
    "koennt ihr mir bitte helfen, die rechnung ist falsch",
]

ENGLISH = [
    "@northrail why is the 7:42 to Leeds cancelled again?",
    "train sat outside York for 40 minutes with no announcements",
    "Thanks, the conductor on the 18:05 was brilliant!",
    "can you tell me if the bike carriage is open on weekends",
    "@telvia I was charged twice this month, please sort it out",
    "how do I transfer my number from another network",
    "love the new unlimited plan, great value 👍",
    "the app keeps crashing on my TV since the last update",
    "@streamio when does the new season drop? #bingewatching",
    "any update on the playback issue? it's been 2 weeks",
    "I want to cancel my subscription but can't find the button",
    "my phone shows SOS only, is there an outage in the area",
    "just finished season 2 in one night, no regrets",
    "pls bring back the old subtitle style, the new one is hard to read",
]

UNKNOWN = [
    "",
    "Danke!",
    "Thanks!",
    "👍🙏",
    "@nordbahn",
    "https://example.com/status?region=north",
    "#fail #epicfail",
    "ok",
    "RE7 ICE 578 12:45",
]


@pytest.mark.parametrize("text", GERMAN)
def test_it_recognises_german_posts(text: str) -> None:
    """Return "de" for everyday German posts, with or without umlauts."""
    assert guess_language(text) == "de"


@pytest.mark.parametrize("text", ENGLISH)
def test_it_recognises_english_posts(text: str) -> None:
    """Return "en" for everyday English posts."""
    assert guess_language(text) == "en"


@pytest.mark.parametrize("text", UNKNOWN)
def test_it_returns_empty_for_posts_too_short_to_tell(text: str) -> None:
    """Return "" when a post has fewer than two scoring words."""
    assert guess_language(text) == ""


def test_it_ignores_handles_urls_and_hashtags() -> None:
    """Handles, URLs and hashtags full of German words do not outvote English text."""
    text = (
        "@die_bahn_und_der_zug #ichwillnichtmehr https://example.de/der-die-das-und "
        "thanks for the quick answer, that is what I needed"
    )
    assert guess_language(text) == "en"


def test_it_counts_words_with_german_letters() -> None:
    """Words spelt with ä, ö, ü or ß count for German even when no function word does."""
    assert guess_language("Zugausfall Lüneburg! Verspätung, Anschlüsse weg 😤") == "de"


def test_it_returns_empty_for_evenly_mixed_posts() -> None:
    """A post with as much German as English is not claimed by either language."""
    assert guess_language("the train ist nicht da and I am waiting") == ""


def test_it_is_fast_enough_for_a_busy_inbox() -> None:
    """Guess comfortably more than 10,000 short posts a second (the target is 50,000;
    bench/bench_needs_reply.py measures it, this only catches gross slow-downs)."""
    texts = (GERMAN + ENGLISH + UNKNOWN) * 200
    start = time.perf_counter()
    for text in texts:
        guess_language(text)
    per_second = len(texts) / (time.perf_counter() - start)
    assert per_second > 10_000, f"{per_second:,.0f} texts/s"
