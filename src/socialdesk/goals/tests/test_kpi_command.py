"""`socialdesk kpi list` and `socialdesk kpi show`, next to the old `kpi first-response`."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialdesk.accounts.models import User
from socialdesk.goals.tests import kpi_history


def run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(db: None, people: dict[str, User]) -> dict[str, Any]:
    return kpi_history.build()


def test_it_lists_every_kpi_with_unit_parameters_and_availability(db: None) -> None:
    rows = {row["name"]: row for row in json.loads(run("list", "--json"))}
    assert rows["first_response_within"]["unit"] == "share"
    assert rows["first_response_within"]["parameters"] == [
        {"name": "within", "type": "duration", "default": "24h", "choices": []}
    ]
    assert rows["followers"]["available"] is True and rows["followers"]["unit"] == "count"
    text = run("list")
    assert "first_response_within" in text and "(within=24h)" in text


@pytest.mark.parametrize("within", ["24h", "2h", "90m"])
def test_it_shows_first_response_within_as_kpi_first_response_computes_it(
    history: dict[str, Any], within: str
) -> None:
    since, until = "2026-10-01", "2026-11-30"
    old = json.loads(
        run("first-response", "--within", within, "--since", since, "--until", until, "--json")
    )
    new = json.loads(
        run(
            "show", "first_response_within", "--param", f"within={within}",
            "--since", since, "--until", until, "--json",
        )
    )  # fmt: skip
    assert new["value"] == old["rate_within"]
    assert new["value"] is not None


def test_it_shows_value_previous_change_and_series(history: dict[str, Any]) -> None:
    data = json.loads(
        run("show", "inbound_volume", "--since", "2026-11-09", "--until", "2026-11-15",
            "--by", "day", "--json")
    )  # fmt: skip
    assert (data["value"], data["previous"], data["change"]) == (3.0, 0.0, 3.0)
    assert data["previous_since"] == "2026-11-02" and data["previous_until"] == "2026-11-08"
    assert [p["value"] for p in data["series"]] == [0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    text = run("show", "first_response_median", "--since", "2026-10-01", "--until", "2026-10-31")
    assert "Median first response time (first_response_median)" in text
    assert ": 13 h" in text and "by week:" in text  # 1 h, 2 h, 24 h, 30 h


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "no KPI 'nope'"),
        (["show", "first_response_within", "--param", "within=soon"], "not a duration"),
        (["show", "first_response_within", "--param", "x=1"], "no parameter 'x'"),
        (["show", "first_response_within", "--param", "within"], "not KEY=VALUE"),
        (["show", "inbound_volume", "--since", "2026-02-30"], "not a date"),
        (["show", "inbound_volume", "--since", "2026-03-02", "--until", "2026-03-01"], "after"),
        (["show", "followers", "--param", "x=1"], "no parameter 'x'"),
        (["show", "listening_matches", "--param", "monitor=Nirgends"], "no monitor"),
        (["show", "sentiment_share", "--param", "sentiment=happy"], "not one of"),
    ],
)
def test_it_explains_what_is_wrong(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_it_narrows_to_departments_and_tags(history: dict[str, Any]) -> None:
    from socialdesk.goals.tests.kpi_history import QUESTIONS

    args = ["show", "inbound_volume", "--since", "2026-10-01", "--until", "2026-11-30", "--json"]
    # By hand from the history: questions of Product Development; every third one tagged.
    product = sum(1 for q in QUESTIONS if q[3] == "Product Development")
    tagged = sum(1 for i, _q in enumerate(QUESTIONS) if i % 3 == 0)
    assert json.loads(run(*args, "--department", "product development"))["value"] == product
    assert json.loads(run(*args, "--tag", "billing"))["value"] == tagged
    with pytest.raises(CommandError, match="no department 'Mars'"):
        run(*args, "--department", "Mars")
    with pytest.raises(CommandError, match="no department"):
        run(*args, "--department", "x\x00")
