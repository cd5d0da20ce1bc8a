"""The SLA forms and overview speak German: labels, empty choices, federal states by name."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from socialdesk.sla.models import BusinessHours


def _german(client_as: Any, people: Any, url: str) -> str:
    people["manager"].language = "de"
    people["manager"].save()
    page: str = client_as("manager").get(url).content.decode()
    return page


def test_the_policy_form_has_german_labels_and_choices(client_as, people):
    page = _german(client_as, people, reverse("sla:policy_create"))
    for english in ("Business hours:", "- Select an option -", "Channel accounts", "Departments:"):
        assert english not in page
    assert "Geschäftszeiten" in page and "Kanal-Konten" in page and "Abteilungen" in page
    assert "keine: Fristen laufen rund um die Uhr" in page


def test_the_hours_form_names_federal_states_and_the_augsburg_region(client_as, people):
    page = _german(client_as, people, reverse("sla:hours_create"))
    assert '<option value="BB">Brandenburg</option>' in page
    assert '<option value="NW">Nordrhein-Westfalen</option>' in page
    assert "Bayern: Stadt Augsburg (mit dem Augsburger Friedensfest)" in page
    assert ">BB<" not in page and ">Augsburg<" not in page


def test_the_overview_shows_state_and_hours_readably(client_as, people):
    BusinessHours.objects.create(
        name="Service",
        german_state="TH",
        weekly_hours={str(d): [["08:00", "18:00"]] for d in range(5)},
    )
    page = _german(client_as, people, reverse("sla:overview"))
    assert "Thüringen" in page and "Mo–Fr 08:00–18:00" in page


def test_the_hours_form_writes_stored_hours_back_as_ranges_in_the_readers_day_names():
    from django.utils import translation

    from socialdesk.sla.forms import format_hours, parse_hours

    week = {str(d): [["07:00", "20:00"]] for d in range(5)} | {"5": [["09:00", "16:00"]]}
    with translation.override("de"):
        assert format_hours(week) == "Mo-Fr 07:00-20:00\nSa 09:00-16:00"
        assert parse_hours(format_hours(week)) == week
        split = {"1": [["09:00", "12:00"], ["13:00", "17:00"]], "3": [["10:00", "12:00"]]}
        assert format_hours(split) == "Di 09:00-12:00, 13:00-17:00\nDo 10:00-12:00"
        assert parse_hours(format_hours(split)) == split
    with translation.override("en"):
        assert format_hours(week) == "Mo-Fr 07:00-20:00\nSa 09:00-16:00"
        assert format_hours({"6": [["10:00", "12:00"]]}) == "Su 10:00-12:00"
