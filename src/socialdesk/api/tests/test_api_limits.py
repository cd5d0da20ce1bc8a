"""Rate limits per token: every answer says how many requests are left; beyond the limit a 429
in JSON with Retry-After, other tokens unaffected, and the next minute starts afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation

from socialdesk.api import limits
from socialdesk.api.tests.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1_000_000 * 60 + 15.0]  # 15 s into a minute
    monkeypatch.setattr(limits, "COUNTER", limits.Counter(clock=lambda: now[0]))
    yield now


def test_a_token_gets_its_requests_a_minute_then_429_with_retry_after(
    api_as: Api, settings: object, clock: list[float]
) -> None:
    settings.API_RATE_PER_MINUTE = 3  # type: ignore[attr-defined]
    api = api_as("agent", **{"Accept-Language": "de"})
    remaining = []
    for _round in range(3):
        answer = api.get("/api/v1/me")
        assert answer.status_code == 200
        assert answer["RateLimit-Limit"] == "3" and answer["RateLimit-Reset"] == "45"
        remaining.append(answer["RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    translation.activate("en")  # whatever language the process served last
    refused = api.get("/api/v1/me")
    assert refused.status_code == 429 and refused["Retry-After"] == "45"
    assert refused.json() == {"detail": "Zu viele Anfragen. Bitte warten Sie einen Moment."}
    english = api_as("viewer", **{"Accept-Language": "en"})
    settings.API_RATE_PER_MINUTE = 0  # type: ignore[attr-defined]
    translation.activate("de")
    assert english.get("/api/v1/me").json() == {
        "detail": "Too many requests. Please wait a moment."
    }
    settings.API_RATE_PER_MINUTE = 3  # type: ignore[attr-defined]
    assert api_as("manager").get("/api/v1/me").status_code == 200  # another token: its own
    clock[0] += 45  # the next minute
    assert api.get("/api/v1/me").status_code == 200


def test_callers_without_a_token_are_counted_by_address(
    settings: object, clock: list[float]
) -> None:
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 2  # type: ignore[attr-defined]
    anonymous = Client(REMOTE_ADDR="203.0.113.7")
    assert [anonymous.get("/api/v1/me").status_code for _ in range(3)] == [401, 401, 429]
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/me").status_code == 401
    assert Client().get("/").status_code in (200, 302)  # the pages are not counted
