"""GET /api/v1/reports: the report as JSON (numbers as numbers, dates ISO) or as a file; the
token's person decides what it covers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from socialdesk.api.tests.conftest import Api
from socialdesk.goals.tests import kpi_history

URL = "/api/v1/reports"
PERIOD = {"since": "2026-10-19", "until": "2026-11-01"}


@pytest.fixture
def history(db: None, departments: Any) -> dict[str, Any]:
    return kpi_history.build()


def test_it_answers_the_report_as_json(history: dict[str, Any], api_as: Api) -> None:
    response = api_as("manager").get(URL, PERIOD)
    assert response.status_code == 200
    data = response.json()
    assert (data["since"], data["until"], data["previous_since"]) == (
        "2026-10-19",
        "2026-11-01",
        "2026-10-05",
    )
    sections = data["sections"]
    assert sections["breaches"]["summary"]["next_response"] == 1
    kpis = {row["name"]: row for row in sections["kpis"]["rows"]}
    assert kpis["inbound_volume"]["value"] == 6  # a number, not "6"
    posts = sections["posts"]["rows"]
    assert [p["engagement"] for p in posts] == [12, 1]
    assert posts[0]["published_at"].startswith("2026-10-24T23:00:00")


def test_a_member_s_token_covers_their_departments(history: dict[str, Any], api_as: Api) -> None:
    data = api_as("member").get(URL, PERIOD).json()
    assert data["whole_organisation"] is False
    assert [r["department"] for r in data["sections"]["deadlines"]["rows"]] == [
        "Product Development"
    ]
    breaches = data["sections"]["breaches"]["rows"]
    assert {r["department"] for r in breaches} <= {"Product Development"}


def test_it_answers_files(history: dict[str, Any], api_as: Api) -> None:
    client = api_as("viewer")
    pdf = client.get(URL, {**PERIOD, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(URL, {**PERIOD, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "Goals" in book.sheetnames
    csv = client.get(URL, {**PERIOD, "format": "csv"})
    assert csv.content.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"since": "2026-11-01", "until": "2026-10-01"}, 422),
        ({"since": "2020-01-01", "until": "2026-10-01"}, 422),
        ({"since": "gestern", "until": "2026-10-01"}, 422),
        ({**PERIOD, "format": "docx"}, 422),
    ],
)
def test_it_refuses_bad_periods_and_formats(
    history: dict[str, Any], api_as: Api, query: dict[str, str], status: int
) -> None:
    assert api_as("manager").get(URL, query).status_code == status


def test_it_needs_a_token(history: dict[str, Any]) -> None:
    from django.test import Client

    assert Client().get(URL, PERIOD).status_code == 401
