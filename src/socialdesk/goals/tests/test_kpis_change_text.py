"""A change too small to show in the KPI's unit reads "±0,0 Pp." and points neither up nor
down, on the KPI page and the dashboards alike (it read "−0,0 Pp." with a falling arrow)."""

from __future__ import annotations

import pytest
from django.utils import translation

from socialdesk.goals import kpis
from socialdesk.goals.dashboard_data import trend

SHARE, DURATION, COUNT = "first_response_within", "first_response_median", "inbound_volume"


@pytest.mark.parametrize(
    ("name", "delta", "german", "english"),
    [
        (SHARE, -0.0004, "±0,0\u00a0Pp.", "±0.0\u00a0pp"),  # 0.04 percentage points
        (SHARE, 0.0004, "±0,0\u00a0Pp.", "±0.0\u00a0pp"),
        (SHARE, -0.0006, "−0,1\u00a0Pp.", "−0.1\u00a0pp"),  # rounds to a tenth: shown
        (DURATION, -0.3, "±0\u00a0Sek.", "±0\u00a0s"),
        (DURATION, -46, "−46\u00a0Sek.", "−46\u00a0s"),
        (COUNT, 0.4, "±0", "±0"),
        (COUNT, -3, "−3", "−3"),
    ],
)
def test_the_sign_of_a_change_is_the_sign_people_read(
    name: str, delta: float, german: str, english: str
) -> None:
    kpi = kpis.get(name)
    with translation.override("de"):
        assert kpi.format_delta(delta) == german
    with translation.override("en"):
        assert kpi.format_delta(delta) == english


def test_a_change_shown_as_zero_is_neither_better_nor_worse_on_a_dashboard() -> None:
    share = kpis.get(SHARE)
    assert trend(share, -0.0004) == ("same", "→")
    assert trend(share, -0.004) == ("worse", "↓")
    assert trend(share, 0.004) == ("better", "↑")
    median = kpis.get(DURATION)
    assert trend(median, 0.2) == ("same", "→")
    assert trend(median, 60) == ("worse", "↑")  # a slower answer
