"""A classification carries its message's conversation's department and assignee, moved by
triggers whatever moves the conversation or the message: a department member's sentiment
share is counted from those copies and agrees with a recount through the conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import copies
from socialdesk.feedback.models import Classification
from socialdesk.feedback.understanding import classify_new
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period, Scope
from socialdesk.inbox.models import Conversation, Message
from socialdesk.inbox.services import conversation_assign

pytestmark = pytest.mark.django_db

WRITTEN = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))
ANGRY = "Der Zug ist schon wieder ausgefallen, furchtbar."
HAPPY = "Danke, super Service heute!"


@pytest.fixture
def team() -> dict[str, Any]:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    service, sales = (
        Department.objects.create(name="Service"),
        Department.objects.create(name="Sales"),
    )
    mia = User.objects.create_user("mia@example.com", "x", role=Role.MEMBER)
    mia.departments.add(service)
    ben = User.objects.create_user("ben@example.com", "x", role=Role.MEMBER)
    plan = [  # (text, department, assignee)
        (ANGRY, service, None), (HAPPY, service, None), (ANGRY, sales, None),
        (ANGRY, sales, mia), (HAPPY, None, ben), (HAPPY, sales, None),
    ]  # fmt: skip
    made = []
    for n, (text, department, assignee) in enumerate(plan):
        conversation = Conversation.objects.create(
            channel_account=account, department=department, assignee=assignee
        )
        made.append(
            Message.objects.create(
                conversation=conversation,
                channel_account=account,
                external_id=str(n),
                direction="in",
                author_handle="kim",
                text=text,
                created_at=WRITTEN + timedelta(minutes=n),
            )
        )
    assert classify_new() == len(plan)
    return {"service": service, "sales": sales, "mia": mia, "ben": ben, "messages": made}


def _copies_agree() -> bool:
    return all(
        (c.department_id, c.assignee_id)
        == (c.message.conversation.department_id, c.message.conversation.assignee_id)
        for c in Classification.objects.select_related("message__conversation")
    )


def _share(**scope: Any) -> float | None:
    return kpis.get("sentiment_share").value(
        MARCH, scope=Scope(**scope), params={"sentiment": "negative"}
    )


def _recount(visible: Any) -> float | None:
    """The negative share of the judged messages whose conversation passes `visible`, read
    through the messages' conversations (not the copies)."""
    judged = [
        c
        for c in Classification.objects.select_related("message__conversation")
        if c.sentiment and visible(c.message.conversation)
    ]
    return sum(c.sentiment == "negative" for c in judged) / len(judged) if judged else None


def _sees(user: User) -> Any:
    departments = set(user.departments.values_list("pk", flat=True))
    return lambda c: c.department_id in departments or c.assignee_id == user.pk


def test_a_classification_carries_its_conversations_department_and_assignee(team):
    assert _copies_agree()
    mia = team["mia"]
    assert Classification.objects.filter(department=team["service"]).count() == 2
    # Mia: Service's two (one angry) and the angry one assigned to her in Sales
    assert _share(user=mia) == _recount(_sees(mia)) == pytest.approx(2 / 3)
    assert _share(departments=[team["sales"].pk]) == _recount(
        lambda c: c.department_id == team["sales"].pk
    )


def test_the_copies_follow_the_conversation_and_the_message(team):
    mia, ben, service, sales = team["mia"], team["ben"], team["service"], team["sales"]
    messages = team["messages"]
    conversation_assign(
        by=Acting(None), conversation=messages[2].conversation, assignee=None, department=service
    )
    Conversation.objects.filter(assignee=mia).update(assignee=ben)  # a bulk action's update
    assert _copies_agree()
    assert _share(user=mia) == _recount(_sees(mia))
    assert _share(user=ben) == _recount(_sees(ben))
    # a merge moves a message into another conversation
    Message.objects.filter(pk=messages[5].pk).update(conversation=messages[0].conversation)
    assert _copies_agree()
    assert Classification.objects.get(message=messages[5]).department_id == service.pk
    sales_id = sales.pk
    sales.delete()  # Django sets its conversations' department to none
    assert _copies_agree()
    assert not Classification.objects.filter(department_id=sales_id).exists()
    assert _share(user=mia) == _recount(_sees(mia))


def test_ensure_copies_again_what_moved_without_the_triggers(team):
    mia = team["mia"]
    copies.drop()
    Conversation.objects.filter(department=team["service"]).update(department=None)
    assert not _copies_agree()
    assert _share(user=mia) != _recount(_sees(mia))
    assert copies.ensure()
    assert copies.installed() == set(copies.TRIGGERS)
    assert _copies_agree()
    assert _share(user=mia) == _recount(_sees(mia))
    assert not copies.ensure()  # once
