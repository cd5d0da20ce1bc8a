"""Values as people read them: federal states, opening hours, weeks, percentages."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from socialdesk.core.formatting import (
    german_state_name,
    label_value,
    opening_hours,
    percent,
    week_label,
)

WEEK = {str(d): [["08:00", "18:00"]] for d in range(5)}


def test_it_names_federal_states_and_the_augsburg_region():
    with translation.override("de"):
        assert german_state_name("BB") == "Brandenburg"
        assert german_state_name("NW") == "Nordrhein-Westfalen"
        assert german_state_name("Augsburg").startswith("Bayern: Stadt Augsburg")
    with translation.override("en"):
        assert german_state_name("BY") == "Bavaria"


def test_it_writes_a_week_of_opening_hours_as_people_do():
    with translation.override("de"):
        assert opening_hours(WEEK) == "Mo–Fr 08:00–18:00"
        split = {"0": [["09:00", "12:00"], ["13:00", "17:00"]], "2": [["09:00", "12:00"]]}
        assert opening_hours(split) == "Mo 09:00–12:00, 13:00–17:00; Mi 09:00–12:00"
        assert opening_hours({}) == "die ganze Woche geschlossen"
    with translation.override("en"):
        assert opening_hours(WEEK) == "Mon–Fri 08:00–18:00"


def test_it_names_calendar_weeks_and_percentages_in_the_locale():
    this_year = date.today().year
    with translation.override("de"):
        assert week_label(f"{this_year}-W48") == "KW 48"
        assert week_label("2017-W05") == "KW 5/2017"
        assert percent(0.5) == "50\u00a0%"
        assert percent(0.125, digits=1) == "12,5\u00a0%"
        assert label_value("positive") == "positiv" and label_value("true") == "über uns"
    with translation.override("en"):
        assert week_label(f"{this_year}-W48") == "week 48" and percent(0.5) == "50%"
