from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from socialdesk.core.durations import human_duration

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("seconds", "german", "english"),
    [
        (8040, "2 Std. 14 Min.", "2 h 14 min"),
        (878, "15 Min.", "15 min"),
        (45, "45 Sek.", "45 s"),
        (3600, "1 Std.", "1 h"),
        (1685170, "19 Tg. 12 Std.", "19 d 12 h"),
        (2 * 86400, "2 Tg.", "2 d"),
        (86399, "1 Tg.", "1 d"),
        (-300, "5 Min.", "5 min"),
        (1234 * 86400, "1.234 Tg.", "1,234 d"),
    ],
)
def test_it_reads_a_duration_as_people_do_in_german_and_english(
    seconds: int, german: str, english: str
) -> None:
    with translation.override("de"):
        assert human_duration(seconds).replace(NBSP, " ") == german
    with translation.override("en"):
        assert human_duration(seconds).replace(NBSP, " ") == english


def test_it_shows_a_dash_for_no_duration_in_templates_too() -> None:
    assert human_duration(None) == "–"
    template = Template("{% load shell %}{{ a|duration }}|{{ b|duration }}|{{ c|duration }}")
    with translation.override("de"):
        shown = template.render(Context({"a": None, "b": timedelta(hours=3, minutes=12), "c": 60}))
    assert shown.replace(NBSP, " ") == "–|3 Std. 12 Min.|1 Min."
