"""`core.anonymise`: names and contact details out of a text before it becomes an FAQ."""

from __future__ import annotations

from socialdesk.core.anonymise import scrub, scrub_contact_details


def test_it_scrubs_whole_words_whatever_their_case_longest_first():
    text = "Hallo Anna Schmidt, ANNA hier. Annabell bleibt. Schmidt?"
    assert scrub(text, ["Anna", "Anna Schmidt", "schmidt", "", "  "], "[Name]") == (
        "Hallo [Name], [Name] hier. Annabell bleibt. [Name]?"
    )


def test_it_treats_terms_as_text_not_as_patterns():
    assert scrub("a.b axb (x)", ["a.b", "(x)"]) == "[…] axb […]"
    assert scrub("nichts", []) == "nichts"


def test_it_removes_addresses_handles_and_phone_numbers():
    text = (
        "Mail an anna.schmidt+db@example.org oder @anna@chaos.social (@bob). "
        "Tel. +49 30 1234567, (030) 123-4567 oder 0151/12345678."
    )
    assert scrub_contact_details(text) == ("Mail an […] oder […] ([…]). Tel. […], […] oder […].")


def test_it_removes_profile_addresses_but_keeps_other_links():
    text = (
        "Profil: https://mastodon.social/@anna, https://x.com/anna! "
        "Hilfe: https://example.com/hilfe/erstattung."
    )
    assert scrub_contact_details(text) == (
        "Profil: […], […]! Hilfe: https://example.com/hilfe/erstattung."
    )


def test_it_keeps_dates_times_prices_and_short_numbers():
    text = "Am 03.11.2026 um 12:30 für 19,99 €, 1.000 Stück, Bestellung 12345."
    assert scrub_contact_details(text) == text
