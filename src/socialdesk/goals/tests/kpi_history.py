"""A small but tricky history for the KPI tests, written straight into the apps' tables.

Europe/Berlin, "now" 2026-11-30 12:00 UTC. Questions answered in time, late, never (overdue),
still pending; SLA clocks met, breached, pending inside the target and pending past their due
time; the night of the DST change (2026-10-25 03:00 → 02:00) with messages on both sides of
midnight; feedback items with deadlines kept, missed and still ahead; ideas, posts, metrics and
listening matches. The weeks 2026-11-02 and 2026-09-28 are empty.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from socialdesk.accounts.models import Department, Organisation
from socialdesk.channels.models import ChannelAccount, FollowerSnapshot
from socialdesk.feedback.models import Classification, FeedbackEvent, FeedbackItem
from socialdesk.inbox.models import Conversation, Direction, Message, Tag
from socialdesk.listening.models import Monitor, MonitorMatch
from socialdesk.publishing.models import Idea, Post, PostMetric, PostTarget
from socialdesk.sla.models import SlaOutcome

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def at(text: str) -> datetime:
    """A UTC moment, e.g. "2026-10-24T22:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (asked at UTC, first response after, needs reply, department, account, sentiment, waiting)
QUESTIONS: list[tuple[str, timedelta | None, bool, str | None, str, str, bool]] = [
    ("2026-10-20T08:00", 2 * H, True, "Customer Service", "nord", "negative", False),
    ("2026-10-21T09:00", 30 * H, True, "Customer Service", "nord", "neutral", False),  # late
    ("2026-10-24T22:30", 1 * H, True, "Product Development", "nord", "positive", False),
    ("2026-10-24T23:30", None, True, None, "sued", "negative", False),  # Sunday in Berlin
    ("2026-10-25T22:59", 24 * H, True, None, "sued", "", False),  # exactly on the target
    ("2026-10-26T10:00", 5 * H, False, None, "nord", "neutral", False),  # no reply needed
    ("2026-11-10T10:00", 3 * H, True, "Product Development", "nord", "negative", False),
    ("2026-11-11T10:00", None, True, "Product Development", "sued", "negative", True),  # overdue
    ("2026-11-12T10:00", 47 * H, True, None, "nord", "positive", False),
    ("2026-11-29T20:00", None, True, None, "nord", "neutral", True),  # pending at NOW
    ("2026-11-30T09:00", 2 * H, True, "Customer Service", "sued", "positive", False),
]

# (conversation index, kind, started, due after, stopped after or None, state as recorded)
CLOCKS: list[tuple[int, str, str, timedelta, timedelta | None, str]] = [
    (0, "first_response", "2026-10-20T08:00", 4 * H, 2 * H, "met"),
    (1, "first_response", "2026-10-21T09:00", 4 * H, 30 * H, "breached"),  # late: never met
    (2, "first_response", "2026-10-24T22:30", 4 * H, 1 * H, "met"),
    (3, "first_response", "2026-10-24T23:30", 4 * H, None, "pending"),  # due long past
    (0, "next_response", "2026-10-20T12:00", 8 * H, 7 * H, "met"),
    (1, "next_response", "2026-10-23T12:00", 8 * H, 9 * H, "breached"),
    (6, "resolution", "2026-11-10T10:00", 48 * H, 20 * H, "met"),
    (7, "resolution", "2026-11-11T10:00", 72 * H, None, "pending"),  # breached by now
    (9, "first_response", "2026-11-29T20:00", 24 * H, None, "pending"),  # still inside
    (10, "resolution", "2026-11-30T09:00", 48 * H, None, "pending"),
]


def build() -> dict[str, Any]:
    organisation = Organisation.current()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    departments = {
        name: Department.objects.get_or_create(name=name)[0]
        for name in ("Customer Service", "Product Development")
    }
    accounts = {
        key: ChannelAccount.objects.create(network="mastodon", handle=key, name=key.title())
        for key in ("nord", "sued")
    }
    tag = Tag.objects.create(name="billing")
    conversations = []
    for index, (asked, after, needs, dept, account, sentiment, waiting) in enumerate(QUESTIONS):
        start = at(asked)
        answered = start + after if after is not None else None
        conversation = Conversation.objects.create(
            channel_account=accounts[account],
            department=departments[dept] if dept else None,
            first_message_at=start,
            first_message_inbound=True,
            needs_reply=needs,
            first_response_at=answered,
            first_response_seconds=int(after.total_seconds()) if after is not None else None,
            waiting_for_us_since=start if waiting else None,
            last_message_at=answered or start,
        )
        if index % 3 == 0:
            conversation.tags.add(tag)
        conversations.append(conversation)
        message = Message.objects.create(
            conversation=conversation,
            channel_account=accounts[account],
            external_id=f"q{index}",
            direction=Direction.INBOUND,
            text="Hilfe?",
            created_at=start,
            needs_reply=needs,
        )
        if sentiment:
            Classification.objects.create(message=message, sentiment=sentiment)
        if answered is not None:
            Message.objects.create(
                conversation=conversation,
                channel_account=accounts[account],
                external_id=f"a{index}",
                direction=Direction.OUTBOUND,
                text="Gern!",
                created_at=answered,
            )
    for index, kind, started, due, stopped, state in CLOCKS:
        start = at(started)
        SlaOutcome.objects.create(
            conversation=conversations[index],
            kind=kind,
            policy_name="Standard",
            target_seconds=int(due.total_seconds()),
            started_at=start,
            due_at=start + due,
            stopped_at=start + stopped if stopped else None,
            state=state,
            elapsed_seconds=int(stopped.total_seconds()) if stopped else None,
            margin_seconds=int((due - stopped).total_seconds()) if stopped else None,
        )
    _feedback(departments)
    _publishing(departments, accounts)
    _listening(conversations)
    _followers(accounts)
    return {"departments": departments, "accounts": accounts, "conversations": conversations}


def _stamp(model: Any, pk: int, **fields: Any) -> None:
    model.objects.filter(pk=pk).update(**fields)  # auto_now_add fields, set afterwards


def _feedback(departments: dict[str, Department]) -> None:
    cs, pd = departments["Customer Service"], departments["Product Development"]
    # (created, department, due, [(event kind, at)])
    rows = [
        ("2026-10-20T10:00", cs, "2026-10-22T10:00", [("status:acknowledged", "2026-10-21T10:00"),
                                                      ("status:done", "2026-10-26T10:00"),
                                                      ("answered", "2026-10-26T11:00"),
                                                      ("answered", "2026-10-26T12:00")]),
        ("2026-10-24T23:30", pd, "2026-10-26T23:30", [("status:planned", "2026-10-27T08:00")]),
        ("2026-11-10T10:00", pd, "2026-11-12T10:00", [("status:wont_do", "2026-11-11T10:00"),
                                                      ("status:new", "2026-11-12T10:00"),
                                                      ("status:done", "2026-11-13T10:00"),
                                                      ("answered", "2026-11-13T11:00")]),
        ("2026-11-28T10:00", cs, "2026-12-02T10:00", []),  # deadline ahead, not taken up
        ("2026-11-16T10:00", None, None, [("status:done", "2026-11-16T12:00")]),
    ]  # fmt: skip
    for index, (created, dept, due, events) in enumerate(rows):
        item = FeedbackItem.objects.create(
            title=f"Item {index}", department=dept, due_at=at(due) if due else None
        )
        _stamp(FeedbackItem, item.pk, created_at=at(created))
        for kind, when in events:
            event = FeedbackEvent.objects.create(item=item, kind=kind)
            _stamp(FeedbackEvent, event.pk, created_at=at(when))


def _publishing(departments: dict[str, Department], accounts: dict[str, ChannelAccount]) -> None:
    cs = departments["Customer Service"]
    ideas = []
    for index, created in enumerate(["2026-10-24T23:30", "2026-11-10T09:00", "2026-11-20T09:00"]):
        idea = Idea.objects.create(
            title=f"Idea {index}", what_happened="x", department=cs if index else None,
            status="published" if index < 2 else "new",
        )  # fmt: skip
        _stamp(Idea, idea.pk, created_at=at(created))
        ideas.append(idea)
    # (idea or None, [(account, published at, {age: (likes, reposts, replies, quotes)})])
    posts: list[tuple[int | None, list[tuple[str, str, dict[str, tuple[int, ...]]]]]] = [
        (0, [("nord", "2026-10-24T23:00", {"24h": (5, 1, 0, 0), "7d": (9, 2, 1, 0)}),
             ("sued", "2026-10-25T06:00", {"24h": (1, 0, 0, 0)})]),
        (1, [("nord", "2026-11-12T09:00", {"24h": (10, 3, 2, 1)})]),
        (0, [("nord", "2026-11-13T09:00", {})]),  # a second post of idea 0: not first
        (None, [("sued", "2026-11-18T09:00", {"24h": (0, 0, 0, 0)})]),
    ]  # fmt: skip
    for index, (which, targets) in enumerate(posts):
        post = Post.objects.create(
            text=f"Post {index}", idea=ideas[which] if which is not None else None,
            status="published",
        )  # fmt: skip
        for account, when, metrics in targets:
            target = PostTarget.objects.create(
                post=post, channel=accounts[account], state="published", published_at=at(when)
            )
            for age, (likes, reposts, replies, quotes) in metrics.items():
                PostMetric.objects.create(
                    target=target, age=age, taken_at=at(when), likes=likes, reposts=reposts,
                    replies=replies, quotes=quotes,
                )  # fmt: skip


# (account, day, followers or None for a day whose count could not be read)
FOLLOWERS: list[tuple[str, str, int | None]] = [
    ("nord", "2026-10-01", 100),
    ("nord", "2026-10-20", 120),
    ("sued", "2026-10-25", 40),  # the DST day
    ("nord", "2026-11-10", 2**53),  # a huge number stays whole
    ("sued", "2026-11-20", None),  # failed: the count of 25 October still holds
]


def _followers(accounts: dict[str, ChannelAccount]) -> None:
    for account, day, followers in FOLLOWERS:
        FollowerSnapshot.objects.create(
            channel_account=accounts[account], day=date.fromisoformat(day), followers=followers,
            taken_at=at(f"{day}T05:00") if followers is not None else None,
            failed_at=at(f"{day}T05:00") if followers is None else None,
            error="" if followers is not None else "the instance answered with a server error",
        )  # fmt: skip


def _listening(conversations: list[Conversation]) -> None:
    brand = Monitor.objects.create(name="Marke", query="nordlicht")
    outage = Monitor.objects.create(name="Störung", query="störung")
    for monitor, indexes in ((brand, [0, 2, 3, 6]), (outage, [3, 7])):
        for index in indexes:
            message = conversations[index].messages.filter(direction=Direction.INBOUND).get()
            MonitorMatch.objects.create(
                monitor=monitor, message=message, created_at=message.created_at
            )
