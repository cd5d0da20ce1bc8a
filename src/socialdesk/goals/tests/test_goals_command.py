"""`socialdesk goals add|list|show|archive|refresh`: goals through the service, figures as the
goal keeps them (checked against counts of the raw rows), every wrong value named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals.goal_models import Goal
from socialdesk.inbox.models import Conversation, Direction, Message

BERLIN = ZoneInfo("Europe/Berlin")


def run(*args: str) -> str:
    out = StringIO()
    call_command("goals", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def inbound(db: None, people: dict[str, User]) -> ChannelAccount:
    """Three questions a day over the last 20 days (and 20 days before), answered in 2 h."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    now = timezone.now()
    for n in range(40 * 3):
        at = now - timedelta(days=n // 3 + 1, minutes=n % 3)
        conversation = Conversation.objects.create(
            channel_account=account,
            first_message_at=at,
            first_message_inbound=True,
            needs_reply=True,
            first_response_at=at + timedelta(hours=2),
            first_response_seconds=7200,
            last_message_at=at + timedelta(hours=2),
        )
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"q{n}",
            direction=Direction.INBOUND,
            text="Frage?",
            created_at=at,
            needs_reply=True,
        )
    return account


def test_it_adds_a_goal_with_a_percentage_target_and_lists_its_figures(
    inbound: ChannelAccount, departments: dict[str, Department], people: dict[str, User]
) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=14)
    made = json.loads(
        run("add", "--name", "Alle Fragen binnen 24 Stunden", "--kpi", "first_response_within",
            "--param", "within=24h", "--target", "95%", "--start", start.isoformat(),
            "--deadline", (today + timedelta(days=60)).isoformat(), "--account", "nord",
            "--owner", people["agent"].email, "--json")
    )  # fmt: skip
    goal = Goal.objects.get()
    assert goal.target == 0.95 and made["target"] == 0.95
    assert made["owner"] == people["agent"].email
    assert made["accounts"] == ["nord"]
    assert AuditEvent.objects.filter(action="goal.created", actor_label="cli").exists()
    rows = json.loads(run("list", "--json"))
    assert [r["name"] for r in rows] == ["Alle Fragen binnen 24 Stunden"]
    row = rows[0]
    assert set(row) >= {"name", "kpi", "params", "target", "baseline", "current",
                        "forecast", "status", "start", "deadline"}  # fmt: skip
    assert row["params"] == {"within": "24h"}
    assert (row["start"], row["deadline"]) == (start.isoformat(), made["deadline"])
    text = run("list")
    assert "≥ 95,0 %" in text or "≥ 95.0 %" in text
    assert "first_response_within (within=24h)" in text


def test_a_total_keeps_the_count_of_the_raw_rows(inbound: ChannelAccount) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=10)
    run("add", "--name", "Anfragen", "--kpi", "inbound_volume", "--target", "1000",
        "--start", start.isoformat(), "--deadline", (today + timedelta(days=20)).isoformat())  # fmt: skip
    since = datetime.combine(start, datetime.min.time(), tzinfo=BERLIN)
    counted = Message.objects.filter(direction=Direction.INBOUND, created_at__gte=since).count()
    before = datetime.combine(start - timedelta(days=31), datetime.min.time(), tzinfo=BERLIN)
    baseline = Message.objects.filter(
        direction=Direction.INBOUND, created_at__gte=before, created_at__lt=since
    ).count()
    [row] = json.loads(run("list", "--json"))
    assert row["current"] == counted and counted >= 27  # 3 a day, 10 days (and today)
    assert row["baseline"] == baseline
    shown = run("show", str(row["id"]))
    assert f"current:   {counted:,}".replace(",", ".") in shown or f"current:   {counted}" in shown


def test_a_duration_target_is_read_as_people_write_it(inbound: ChannelAccount) -> None:
    today = timezone.localdate()
    run("add", "--name", "Median", "--kpi", "first_response_median", "--target", "1h30m",
        "--comparison", "le", "--deadline", (today + timedelta(days=30)).isoformat())  # fmt: skip
    goal = Goal.objects.get()
    assert (goal.target, goal.comparison) == (5400.0, "le")
    assert "≤ 1 h 30 min" in run("list").replace("Std.", "h")


@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (["--name", "x\x00y"], {"name"}),
        (["--name", "n" * 10_000_000], {"name"}),
        (["--target", "NaN"], {"target"}),
        (["--target", "Infinity"], {"target"}),
        (["--target", "1e308"], {"target"}),
        (["--target", "150%"], {"target"}),
        (["--kpi", "followers_on_mars"], {"kpi"}),
        (["--deadline", "2026-01-01", "--start", "2026-02-01"], {"deadline"}),
        (["--deadline", "2026-02-30"], {"deadline"}),
        (["--param", "within=soon"], {"params"}),
        (["--department", "Marketing\x00"], {"departments"}),
        (["--owner", "nobody@example.com"], {"owner"}),
        (["--owner", "a\x00@example.com"], {"owner"}),
        (["--objective", "Mond\x00"], {"objective"}),
        (["--business-hours", "x\x00"], {"business_hours"}),
        (["--tag", "t\x00"], {"tags"}),
        (["--account", "a" * 101], {"accounts"}),
        (["--name", "", "--target", "NaN", "--deadline", "2020-01-01"], {"name", "target", "deadline"}),
    ],
)  # fmt: skip
def test_every_wrong_value_is_named_and_nothing_is_stored(
    db: None, people: dict[str, User], departments: dict[str, Department], args: list[str],
    fields: set[str],
) -> None:  # fmt: skip
    base = {"--name": "Ziel", "--kpi": "first_response_within", "--target": "0.9",
            "--deadline": "2026-12-31", "--start": "2026-11-01"}  # fmt: skip
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [x for k, v in {**base, **given}.items() for x in (k, v)]
    with pytest.raises(CommandError) as error:
        run("add", *argv)
    said = str(error.value)
    named = {line.split(":")[0].strip() for line in said.splitlines()[1:]}
    assert named == fields, said
    assert len(said) < 5000  # a 10 MB name is not printed back
    assert Goal.objects.count() == 0


def test_ten_thousand_accounts_are_refused(db: None, people: dict[str, User]) -> None:
    argv = [x for n in range(10_000) for x in ("--account", f"a{n}")]
    with pytest.raises(CommandError, match="accounts: Choose at most 50"):
        run("add", "--name", "Z", "--kpi", "inbound_volume", "--target", "5",
            "--deadline", "2026-12-31", "--start", "2026-11-01", *argv)  # fmt: skip
    assert Goal.objects.count() == 0


def test_it_archives_shows_and_refreshes(inbound: ChannelAccount) -> None:
    today = timezone.localdate()
    run("add", "--name", "Anfragen", "--kpi", "inbound_volume", "--target", "10",
        "--department", "customer service", "--start", today.isoformat(), "--deadline", (today + timedelta(days=9)).isoformat())  # fmt: skip
    goal = Goal.objects.get()
    assert [d.name for d in goal.departments.all()] == ["Customer Service"]
    Goal.objects.filter(pk=goal.pk).update(evaluated_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert "evaluated 1 goal(s)" in run("refresh")
    goal.refresh_from_db()
    assert goal.evaluated_at is not None and goal.evaluated_at.year > 2020
    assert "archived goal" in run("archive", str(goal.pk))
    assert json.loads(run("list", "--json")) == []
    [row] = json.loads(run("list", "--archived", "--json"))
    assert row["archived"] is True
    assert "archived" in run("show", str(goal.pk))
    with pytest.raises(CommandError, match="no goal with the id"):
        run("show", "99999999999999999999999")
    assert "no goals yet" in run("list")


def test_the_first_response_kpi_equals_kpi_first_response(inbound: ChannelAccount) -> None:
    until = timezone.localdate() - timedelta(days=1)
    since = until - timedelta(days=20)
    out_old, out_new = StringIO(), StringIO()
    call_command("kpi", "first-response", "--within", "24h", "--since", since.isoformat(),
                 "--until", until.isoformat(), "--json", stdout=out_old)  # fmt: skip
    call_command("kpi", "show", "first_response_within", "--param", "within=24h",
                 "--since", since.isoformat(), "--until", until.isoformat(), "--json",
                 stdout=out_new)  # fmt: skip
    old, new = json.loads(out_old.getvalue()), json.loads(out_new.getvalue())
    assert new["value"] == old["rate_within"] == 1.0
    assert old["answered_within"] == 3 * 21 or old["answered_within"] >= 60
