"""An SLA outcome carries its conversation's department and assignee, and they follow the
conversation whatever moves it: a department's and a member's SLA figures are counted from
those copies and agree with a recount through the conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.inbox.services import conversation_assign
from socialdesk.sla import copies
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.outcome_kpi import sla_kpi
from socialdesk.sla.services import refresh_sla

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = START + timedelta(days=3)
MONTH: dict[str, Any] = {"since": date(2026, 11, 1), "until": date(2026, 11, 30), "now": NOW}


def _asked(account: ChannelAccount, n: int, answered_after: int | None, **handed) -> Conversation:
    contact = Contact.objects.create(display_name=f"Kim {n}")
    conversation = Conversation.objects.create(channel_account=account, contact=contact, **handed)
    asked = START + timedelta(hours=n)
    times = [(Direction.INBOUND, asked)]
    if answered_after is not None:
        times.append((Direction.OUTBOUND, asked + timedelta(minutes=answered_after)))
    for i, (direction, at) in enumerate(times):
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"{n}-{i}",
            direction=direction, text="?", needs_reply=direction == Direction.INBOUND,
            created_at=at,
        )  # fmt: skip
    refresh_conversations({conversation.pk})
    return conversation


@pytest.fixture
def team():
    SlaPolicy.objects.create(name="Hour", first_response_minutes=60)
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    service, sales = (
        Department.objects.create(name="Service"),
        Department.objects.create(name="Sales"),
    )
    mia = User.objects.create_user("mia@example.com", "x", role=Role.MEMBER)
    mia.departments.add(service)
    ben = User.objects.create_user("ben@example.com", "x", role=Role.MEMBER)
    plan = [  # (answered after minutes, department, assignee)
        (20, service, None), (90, service, None), (None, service, ben), (10, sales, None),
        (10, sales, mia), (None, sales, None), (30, None, None), (200, None, mia),
    ]  # fmt: skip
    made = [
        _asked(account, n, answered, department=department, assignee=assignee)
        for n, (answered, department, assignee) in enumerate(plan)
    ]
    refresh_sla([c.pk for c in made], now=NOW)
    return {"service": service, "sales": sales, "mia": mia, "ben": ben, "made": made}


def _recount(visible) -> tuple[int, int]:
    """(met, breached) of the first-response clocks whose conversation passes `visible`, read
    through the conversations (not the outcomes' copies)."""
    outcomes = [
        o for o in SlaOutcome.objects.select_related("conversation") if visible(o.conversation)
    ]
    return sum(o.state == "met" for o in outcomes), sum(o.state == "breached" for o in outcomes)


def _figures(**scope) -> tuple[int, int]:
    first = sla_kpi(**scope, **MONTH).first_response
    return first.met, first.breached


def _copies_agree() -> bool:
    return all(
        (o.department_id, o.assignee_id)
        == (o.conversation.department_id, o.conversation.assignee_id)
        for o in SlaOutcome.objects.select_related("conversation")
    )


def _sees(user: User):
    departments = set(user.departments.values_list("pk", flat=True))
    return lambda c: c.department_id in departments or c.assignee_id == user.pk


def test_outcomes_carry_their_conversations_department_and_assignee(team):
    assert SlaOutcome.objects.count() == 8
    assert _copies_agree()
    mia, service = team["mia"], team["service"]
    # Mia sees Service and what is assigned to her: 20 and 90 min, never answered (breached
    # by now), 10 min (Sales, hers), 200 min (hers) -> 2 met, 3 breached
    assert _figures(user=mia) == _recount(_sees(mia)) == (2, 3)
    assert _figures(departments=[service.pk]) == _recount(lambda c: c.department_id == service.pk)
    assert _figures(departments=[service.pk]) == (1, 2)


def test_the_copies_follow_a_conversation_moved_by_any_path(team):
    mia, ben, service, sales = team["mia"], team["ben"], team["service"], team["sales"]
    made = team["made"]
    # the inbox's service: Sales' unanswered question handed to Service
    conversation_assign(by=Acting(None), conversation=made[5], assignee=None, department=service)
    # a bulk update (as bulk actions and handovers write): Mia's two handed to Ben
    Conversation.objects.filter(assignee=mia).update(assignee=ben)
    assert _copies_agree()
    assert _figures(user=mia) == _recount(_sees(mia)) == (1, 3)
    assert _figures(user=ben) == _recount(_sees(ben)) == (1, 2)
    assert _figures(departments=[service.pk]) == (1, 3)
    # a department deleted: Django sets its conversations' department to none
    sales_id = sales.pk
    sales.delete()
    assert _copies_agree()
    assert not SlaOutcome.objects.filter(department_id=sales_id).exists()
    assert _figures(user=ben) == _recount(_sees(ben))


def test_a_copy_written_while_its_conversation_moved_is_mended(team):
    mia, service = team["mia"], team["service"]
    made = team["made"]
    copies.drop()  # as if the move slipped between reading the conversation and the insert
    Conversation.objects.filter(pk=made[3].pk).update(department=service)
    assert not _copies_agree()
    assert _figures(user=mia) != _recount(_sees(mia))
    refresh_sla([made[3].pk], now=NOW)  # the next refresh of its clocks mends it
    assert _copies_agree()
    assert _figures(user=mia) == _recount(_sees(mia))
    assert copies.ensure()  # after a migrate: the trigger is back ...
    assert copies.installed() == set(copies.TRIGGERS)
    assert not copies.ensure()  # ... once
    Conversation.objects.filter(pk=made[0].pk).update(department=None, assignee=mia)
    assert _copies_agree()


def test_ensure_copies_again_what_moved_without_the_trigger(team):
    mia = team["mia"]
    copies.drop()
    Conversation.objects.filter(department=team["service"]).update(department=None)
    assert not _copies_agree()
    assert copies.ensure()
    assert _copies_agree()
    assert _figures(user=mia) == _recount(_sees(mia))


def test_an_outcome_saved_alone_takes_its_conversations_department_and_assignee(team):
    conversation = team["made"][2]
    SlaOutcome.objects.filter(conversation=conversation).delete()
    outcome = SlaOutcome.objects.create(
        conversation=conversation, kind="first_response", policy_name="P", target_seconds=60,
        started_at=START, state="pending",
    )  # fmt: skip
    assert (outcome.department_id, outcome.assignee_id) == (team["service"].pk, team["ben"].pk)
