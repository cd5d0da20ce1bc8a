"""`socialdesk sla policies add|list`, `socialdesk sla evaluate` and `socialdesk kpi sla`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from socialdesk.accounts.models import AuditEvent
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Tag
from socialdesk.sla.models import BusinessHours, SlaOutcome, SlaPolicy


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def account(db):
    return ChannelAccount.objects.create(network="mastodon", handle="nordlicht")


def _thread(account, *steps: tuple[str, datetime]) -> Conversation:
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    for number, (direction, at) in enumerate(steps):
        Message.objects.create(
            conversation=conversation, channel_account=account, direction=direction,
            external_id=f"{conversation.pk}-{number}", text="Wann kommt mein Paket?",
            needs_reply=direction == Direction.INBOUND and number == 0, created_at=at,
        )  # fmt: skip
    refresh_conversations({conversation.pk})
    return conversation


def test_it_adds_a_policy_with_every_option_and_audits_it(account, departments):
    BusinessHours.objects.create(name="Office", weekly_hours={"0": [["09:00", "17:00"]]})
    Tag.objects.create(name="vip")
    out = run("sla", "policies", "add", "Social 24h", "--first-response", "1h",
              "--next-response", "4h", "--resolution", "3d", "--business-hours", "Office",
              "--account", "@Nordlicht", "--department", "Legal", "--tag", "vip", "--json")  # fmt: skip
    assert json.loads(out) == {
        "name": "Social 24h", "active": True, "priority": 100, "first_response_minutes": 60,
        "next_response_minutes": 240, "resolution_minutes": 3 * 24 * 60,
        "business_hours": "Office", "accounts": ["nordlicht"], "departments": ["Legal"],
        "tags": ["vip"],
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="settings.sla_policy_saved").count() == 1
    listed = json.loads(run("sla", "policies", "list", "--json"))
    assert [p["name"] for p in listed] == ["Social 24h"]
    text = run("sla", "policies", "list")
    assert (
        "Social 24h: first response 1\u00a0h, next response 4\u00a0h, resolution 3\u00a0d" in text
        and "departments: Legal" in text
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--business-hours", "Büro"],
            "--business-hours: no business hours 'Büro' (there are: none",
        ),
        (["--department", "Marketing"], "--department: no department 'Marketing' (there are: "),
        (["--tag", "vip"], "--tag: no tag 'vip' (there are: none yet)"),
        (["--account", "unbekannt"], "--account: no account 'unbekannt' (there are: nordlicht)"),
        (["--resolution", "3 Tage"], "--resolution '3 Tage' is not a duration"),
        (["--next-response", "30s"], "--next-response '30s': give whole minutes"),
    ],
)
def test_it_names_what_is_unknown_when_adding_a_policy(account, departments, flags, message):
    with pytest.raises(CommandError) as error:
        run("sla", "policies", "add", "Neu", "--first-response", "1h", *flags)
    assert message in str(error.value)
    assert not SlaPolicy.objects.exists()


def test_it_refuses_a_second_policy_with_the_same_name(db):
    run("sla", "policies", "add", "Schnell", "--first-response", "1h")
    with pytest.raises(CommandError, match=r"(?i)name: SLA policy with this name already exists"):
        run("sla", "policies", "add", "Schnell", "--first-response", "2h")


def test_it_says_what_to_do_when_there_are_no_policies(db):
    assert "socialdesk sla policies add" in run("sla", "policies", "list")


def test_it_evaluates_a_policy_on_imported_history_and_marks_it(account):
    old = datetime(2017, 11, 1, 9, 0, tzinfo=UTC)
    _thread(account, ("in", old), ("out", old + timedelta(minutes=30)))  # met
    _thread(account, ("in", old), ("out", old + timedelta(hours=3)))  # breached
    _thread(account, ("in", old))  # never answered: breached
    _thread(account, ("in", datetime.now(UTC) - timedelta(minutes=5)))  # still inside: pending
    run("sla", "policies", "add", "Stunde", "--first-response", "1h")
    SlaOutcome.objects.all().delete()  # as if the history was imported before the policy
    text = run("sla", "evaluate", "--policy", "Stunde")
    assert "first response: 1 met, 2 breached, 1 pending (33.3% met)" in text
    summary = json.loads(run("sla", "evaluate", "--policy", "Stunde", "--json"))  # replaces
    assert summary["first_response"] == {"met": 1, "breached": 2, "pending": 1, "rate_met": 1 / 3}
    assert SlaOutcome.objects.filter(evaluated=True).count() == 4
    assert not SlaOutcome.objects.filter(evaluated=False).exists()  # live clocks untouched
    until = json.loads(run("sla", "evaluate", "--policy", "Stunde", "--until", "2017-12-31",
                           "--json"))  # fmt: skip
    assert until["first_response"]["pending"] == 0 and until["first_response"]["breached"] == 2
    assert AuditEvent.objects.filter(action="sla.policy_evaluated").count() == 3


def test_it_names_the_policies_there_are_when_evaluating_an_unknown_one(db):
    run("sla", "policies", "add", "Stunde", "--first-response", "1h")
    with pytest.raises(CommandError, match=r"no SLA policy 'Tag' \(there are: Stunde\)"):
        run("sla", "evaluate", "--policy", "Tag")


def test_it_agrees_with_the_first_response_kpi_for_the_same_target(account):
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=3)
    for minutes in [5, 30, 59, 60, 61, 200, 1000]:
        _thread(account, ("in", start), ("out", start + timedelta(minutes=minutes)))
    _thread(account, ("in", start))  # never answered, past the target
    _thread(account, ("in", now - timedelta(minutes=10)))  # still inside the target
    _thread(account, ("out", start), ("in", start + timedelta(minutes=1)))  # not a question
    run("sla", "policies", "add", "Stunde", "--first-response", "1h")
    run("sla", "evaluate", "--policy", "Stunde")
    sla = json.loads(run("kpi", "sla", "--policy", "Stunde", "--json"))["first_response"]
    first = json.loads(run("kpi", "first-response", "--within", "1h", "--json"))
    assert sla["met"] == first["answered_within"] == 4
    assert sla["met"] + sla["breached"] + sla["pending"] == first["conversations"] == 9
    assert sla["pending"] == first.get("pending", 1) == 1
    assert sla["rate_met"] == first["answered_within"] / (first["conversations"] - sla["pending"])
    assert (sla["median_seconds"], sla["p90_seconds"]) == (
        first["median_seconds"],
        first["p90_seconds"],
    )


def test_it_reports_live_outcomes_by_clock_in_readable_durations(account):
    SlaPolicy.objects.create(name="Chat", first_response_minutes=60, next_response_minutes=30)
    start = datetime.now(UTC) - timedelta(days=1)
    _thread(account, ("in", start), ("out", start + timedelta(hours=2, minutes=14)),
            ("in", start + timedelta(hours=3)), ("out", start + timedelta(hours=3, minutes=10)))  # fmt: skip
    from socialdesk.sla.services import refresh_sla

    refresh_sla(Conversation.objects.values_list("pk", flat=True))
    figures = json.loads(run("kpi", "sla", "--json"))
    assert figures["first_response"] == {"met": 0, "breached": 1, "pending": 0, "rate_met": 0.0,
                                         "median_seconds": 8040.0, "p90_seconds": 8040.0}  # fmt: skip
    assert figures["next_response"]["met"] == 1 and figures["resolution"]["met"] == 0
    text = run("kpi", "sla")
    assert "First response: 0 met, 1 breached, 0 pending; 0.0% met; median 2" in text
    assert "s)" not in text and "8040" not in text
    with pytest.raises(CommandError, match="no outcomes recorded for a policy 'Tag'"):
        run("kpi", "sla", "--policy", "Tag")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sla", "policies", "add", "A\x00B", "--first-response", "1h"], "--name contains a NUL"),
        (["sla", "policies", "add", "x" * 81, "--first-response", "1h"], "at most 80 characters"),
        (["sla", "policies", "add", "R", "--first-response", "99999999999d"], "longer than any"),
        (["sla", "policies", "add", "R", "--first-response", "9999999d"], "at most 366 days"),
        (["sla", "policies", "add", "Riesig", "--first-response", "1e400d"], "not a duration"),
        (["sla", "policies", "add", "T", "--first-response", "1h", "--tag", "a\x00"], "NUL"),
        (["sla", "evaluate", "--policy", "\x00"], "--policy contains a NUL byte"),
        (["sla", "evaluate", "--policy", "P", "--since", "99999-01-01"], "is not a date"),
        (["kpi", "sla", "--account", "nord\x00licht"], "--account contains a NUL byte"),
        (["kpi", "sla", "--until", "2026-02-30"], "is not a date"),
    ],
)
def test_it_refuses_hostile_values_with_a_clear_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not SlaPolicy.objects.exists()
