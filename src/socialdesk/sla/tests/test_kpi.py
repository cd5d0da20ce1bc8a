"""`socialdesk kpi first-response`, checked against figures computed here by hand."""

from __future__ import annotations

import csv
import json
import os
import statistics
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from socialdesk.inbox.tests.test_import import THREADS, _import, _write

SHARED = Path(__file__).resolve().parents[5] / "shared/data/twcs-customer-support-on-twitter"


def _kpi(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("kpi", "first-response", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_it_counts_questions_answered_within_the_target(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    result = _kpi("--within", "24h")
    # Three conversations start with a question; one answered in 30 min, one in 30 h, one never.
    assert result["conversations"] == 3
    assert result["answered"] == 2
    assert result["answered_within"] == 1
    assert result["rate_within"] == pytest.approx(1 / 3)
    assert result["median_seconds"] == pytest.approx((30 * 60 + 30 * 3600) / 2)
    assert result["p90_seconds"] == pytest.approx(30 * 60 + 0.9 * (30 * 3600 - 30 * 60))


def test_it_filters_by_account_and_dates(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    assert _kpi("--within", "1h", "--account", "@NordlichtBahn")["answered_within"] == 1
    assert _kpi("--within", "48h", "--account", "streamcare")["answered"] == 1
    assert _kpi("--within", "48h", "--since", "2026-03-03")["conversations"] == 0
    assert _kpi("--within", "48h", "--until", "2026-03-02")["conversations"] == 3


def test_it_prints_a_readable_summary(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    out = StringIO()
    call_command("kpi", "first-response", "--within", "24h", stdout=out)
    assert "answered within the target:      1 (33.3%)" in out.getvalue()


@pytest.mark.parametrize(
    ("value", "message"), [("soon", "is not a duration"), ("24x", "is not a duration")]
)
def test_it_rejects_a_bad_target(db, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("kpi", "first-response", "--within", value)


def test_it_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="is not a date"):
        call_command("kpi", "first-response", "--within", "1h", "--since", "03/02/2026")


def _independent_first_response(path: Path, within_seconds: int) -> dict[str, Any]:
    """Compute the KPI from the raw CSV without any of the product's code."""
    rows = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            tweet_id = row["tweet_id"].strip()
            parent = row["in_response_to_tweet_id"].strip()
            parent = parent[:-2] if parent.endswith(".0") else parent
            rows[tweet_id] = (
                row["inbound"].strip() == "True",
                datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y"),
                parent,
            )
    root_of: dict[str, str] = {}

    def root(tweet_id: str) -> str:
        path_ids = []
        while tweet_id not in root_of:
            path_ids.append(tweet_id)
            parent = rows[tweet_id][2]
            if not parent or parent not in rows or parent in path_ids:
                root_of[tweet_id] = tweet_id
                break
            tweet_id = parent
        for seen in path_ids:
            root_of[seen] = root_of[tweet_id]
        return root_of[path_ids[0]] if path_ids else root_of[tweet_id]

    threads: dict[str, list[tuple[datetime, bool, str]]] = {}
    for tweet_id, (inbound, created, _parent) in rows.items():
        threads.setdefault(root(tweet_id), []).append((created, inbound, tweet_id))
    delays = []
    counted = 0
    for messages in threads.values():
        messages.sort(key=lambda m: (m[0], int(m[2])))
        first_at, first_inbound, _ = messages[0]
        if not first_inbound:
            continue
        counted += 1
        replies = [at for at, inbound, _ in messages if not inbound and at >= first_at]
        if replies:
            delays.append((min(replies) - first_at).total_seconds())
    delays.sort()
    return {
        "conversations": counted,
        "answered": len(delays),
        "answered_within": sum(1 for d in delays if d <= within_seconds),
        "median_seconds": statistics.median(delays) if delays else None,
        "p90_seconds": statistics.quantiles(delays, n=10, method="inclusive")[-1]
        if len(delays) > 1
        else None,
    }


@pytest.mark.skipif(
    not (SHARED / "head_1000.csv").exists() and not os.environ.get("REQUIRE_SHARED"),
    reason="../shared is absent",
)
def test_it_matches_an_independent_computation_on_real_twcs_data(db):
    path = SHARED / "head_1000.csv"
    code, _out, err = _import("--format", "twcs", str(path), "--report", os.devnull)
    assert code in (0, 1), err
    result = _kpi("--within", "24h")
    expected = _independent_first_response(path, 24 * 3600)
    assert result["conversations"] == expected["conversations"]
    assert result["answered"] == expected["answered"]
    assert result["answered_within"] == expected["answered_within"]
    assert result["median_seconds"] == pytest.approx(expected["median_seconds"])
    assert result["p90_seconds"] == pytest.approx(expected["p90_seconds"])


def test_the_page_shows_the_rate_by_week_and_the_misses(client_as, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    html = (
        client_as("viewer")
        .get("/inbox/kpi/first-response/?since=2026-03-01&until=2026-03-31")
        .content.decode()
    )
    assert "1 of 3 conversations" in html
    assert html.count("<rect") == 1  # one week with conversations
    assert "not answered (waiting" in html  # the overdue question is among the misses
    assert html.count('href="/inbox/') >= 2


def test_the_page_shows_no_rate_when_no_conversation_counts(client_as):
    """0 of 0 is no result, not a 0 % that reads like every question was missed."""
    html = client_as("viewer").get("/inbox/kpi/first-response/").content.decode()
    assert "0 of 0 conversations" in html
    assert "0 %" not in html


def test_the_page_says_what_is_wrong_with_a_bad_target(client_as):
    html = client_as("viewer").get("/inbox/kpi/first-response/?within=soon").content.decode()
    assert "is not a duration" in html


def test_the_csv_has_one_row_per_counted_conversation(client_as, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    response = client_as("manager").get(
        "/inbox/kpi/first-response.csv?since=2026-03-01&until=2026-03-31"
    )
    rows = list(csv.DictReader(StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 3
    assert sorted(r["answered_within_24h"] for r in rows) == ["no", "no", "yes"]
    assert sorted(r["first_response_seconds"] for r in rows) == ["", "108000", "1800"]
