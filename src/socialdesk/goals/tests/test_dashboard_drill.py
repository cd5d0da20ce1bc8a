"""Drill-down: every number on a dashboard links to the list behind it, and that list shows
exactly the counted items (conversations, feedback items, posts, story ideas, goals)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import User
from socialdesk.feedback.models import FeedbackEvent, FeedbackItem
from socialdesk.goals.kpis import Period
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import bounds, inbound, inside, questions
from socialdesk.inbox.models import Conversation, SlaState
from socialdesk.publishing.models import Idea, Post, PostTarget

NOVEMBER = {"range": "custom", "since": "2026-11-01", "until": "2026-11-29"}
PERIOD = Period.of_days(date(2026, 11, 1), date(2026, 11, 29))
COMPARISON = Period.of_days(date(2026, 10, 3), date(2026, 10, 31))


@pytest.fixture
def history(db: None, people: dict[str, User], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    built = kpi_history.build()
    conversations = built["conversations"]
    Conversation.objects.filter(pk=conversations[7].pk).update(sla_state=SlaState.BREACHED)
    Conversation.objects.filter(pk=conversations[9].pk).update(sla_state=SlaState.AT_RISK)
    nord = built["accounts"]["nord"]
    failed = Post.objects.create(text="Ging schief", status="failed")
    PostTarget.objects.create(post=failed, channel=nord, state="failed", error="401")
    return built


def listed(client: Client, link: str, prefix: str) -> set[int]:
    """The ids of the items a list page links to (`prefix` = the item URL before the id)."""
    response = client.get(link)
    assert response.status_code == 200, link
    return {
        int(pk)
        for pk in re.findall(rf'href="{re.escape(prefix)}(\d+)/"', response.content.decode())
    }


def page_of(client: Client, url: str, query: dict[str, str]) -> Any:
    response = client.get(url, query)
    assert response.status_code == 200
    return response.context


def conversations_in(period: Period, user: User) -> dict[str, set[int]]:
    start, end = bounds(period)
    return {
        "questions": {c.pk for c in questions(start, end, user)},
        "messages": {m.conversation_id for m in inbound(start, end, user)},
    }


def feedback_in(period: Period) -> dict[str, set[int]]:
    start, end = bounds(period)
    closing = {"status:done", "status:wont_do"}
    return {
        "feedback_opened": {i.pk for i in FeedbackItem.objects.all() if inside(i.created_at, start, end)},
        "feedback_closed": {
            e.item_id for e in FeedbackEvent.objects.all()
            if e.kind in closing and inside(e.created_at, start, end)
        },
        "feedback_deadlines_kept": {
            i.pk for i in FeedbackItem.objects.all() if inside(i.due_at, start, end)
        },
    }  # fmt: skip


def posts_in(period: Period, account: int | None = None) -> set[int]:
    start, end = bounds(period)
    return {
        t.post_id for t in PostTarget.objects.all()
        if inside(t.published_at, start, end) and (account is None or t.channel_id == account)
    }  # fmt: skip


def test_each_figure_on_the_overview_opens_exactly_what_it_counts(
    history: dict[str, Any], people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    manager = people["manager"]
    context = page_of(client, reverse("goals:dashboard"), NOVEMBER)
    figures = {f.kpi.name: f for f in context["figures"].figures}
    inbox, items = "/inbox/", "/feedback/items/"
    posts, ideas = "/publishing/posts/", "/publishing/ideas/"
    for period, which in ((PERIOD, "link"), (COMPARISON, "previous_link")):
        want = conversations_in(period, manager)
        for name in ("first_response_within", "first_response_median", "sla_met_first_response"):
            assert listed(client, getattr(figures[name], which), inbox) == want["questions"]
        shown = listed(client, getattr(figures["inbound_volume"], which), inbox)
        assert shown == want["messages"]
        # One inbound message per conversation in this history: the count is the rows.
        value = (
            figures["inbound_volume"].value
            if which == "link"
            else figures["inbound_volume"].previous
        )
        assert value == len(shown)
        for name, expected in feedback_in(period).items():
            assert listed(client, getattr(figures[name], which), items) == expected, name
        start, end = bounds(period)
        assert listed(client, getattr(figures["posts_published"], which), posts) == posts_in(period)
        assert listed(client, getattr(figures["ideas_submitted"], which), ideas) == {
            i.pk for i in Idea.objects.all() if inside(i.created_at, start, end)
        }
    assert figures["feedback_opened"].value == len(feedback_in(PERIOD)["feedback_opened"])
    assert figures["ideas_submitted"].value == 2  # 10 and 20 November
    waiting = {c.pk for c in history["conversations"] if c.waiting_for_us_since is not None}
    assert listed(client, figures["backlog_now"].link, inbox) == waiting
    assert figures["backlog_now"].value == len(waiting)


def test_each_attention_count_opens_exactly_its_items(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    context = page_of(client, reverse("goals:dashboard"), NOVEMBER)
    cards = context["attention"]
    conversations = history["conversations"]
    breached, at_risk, overdue, failed, goals = cards
    assert listed(client, breached.link, "/inbox/") == {conversations[7].pk}
    assert breached.count == 1
    assert listed(client, at_risk.link, "/inbox/") == {conversations[9].pk}
    late = {
        i.pk for i in FeedbackItem.objects.all()
        if i.status == "new" and i.due_at is not None and i.due_at < NOW
    }  # fmt: skip
    assert len(late) == overdue.count == 3
    assert listed(client, overdue.link, "/feedback/items/") == late
    failed_posts = set(Post.objects.filter(status="failed").values_list("pk", flat=True))
    assert listed(client, failed.link, "/publishing/posts/") == failed_posts
    assert failed.count == 1
    assert goals.count == 0


def test_a_channel_dashboards_numbers_open_that_channels_items(
    history: dict[str, Any], people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("manager")
    nord = history["accounts"]["nord"]
    context = page_of(client, reverse("goals:dashboard_channel", args=[nord.pk]), NOVEMBER)
    figures = {f.kpi.name: f for f in context["figures"].figures}
    want = conversations_in(PERIOD, people["manager"])
    in_nord = {c.pk for c in Conversation.objects.filter(channel_account=nord)}
    assert listed(client, figures["inbound_volume"].link, "/inbox/") == want["messages"] & in_nord
    assert listed(client, figures["first_response_within"].link, "/inbox/") == (
        want["questions"] & in_nord
    )
    shown = listed(client, figures["posts_published"].link, "/publishing/posts/")
    assert shown == posts_in(PERIOD, nord.pk)
    assert figures["posts_published"].value == len(shown) == 2
    failed = context["attention"][3]
    assert listed(client, failed.link, "/publishing/posts/") == set(
        Post.objects.filter(status="failed").values_list("pk", flat=True)
    )
    sued = history["accounts"]["sued"]
    context = page_of(client, reverse("goals:dashboard_channel", args=[sued.pk]), NOVEMBER)
    assert context["attention"][3].count == 0  # the failed post was for "nord"
    assert listed(client, context["attention"][3].link, "/publishing/posts/") == set()


def test_a_department_dashboards_numbers_open_that_departments_items(
    history: dict[str, Any], people: dict[str, User], client_as: Callable[[str], Client]
) -> None:
    client = client_as("member")  # Product Development
    pd = history["departments"]["Product Development"]
    context = page_of(client, reverse("goals:dashboard_department", args=[pd.pk]), NOVEMBER)
    figures = {f.kpi.name: f for f in context["figures"].figures}
    in_pd = {c.pk for c in Conversation.objects.filter(department=pd)}
    want = conversations_in(PERIOD, people["member"])
    assert listed(client, figures["inbound_volume"].link, "/inbox/") == want["messages"] & in_pd
    assert figures["inbound_volume"].value == 2
    opened = {i.pk for i in FeedbackItem.objects.filter(department=pd)} & feedback_in(PERIOD)[
        "feedback_opened"
    ]
    assert listed(client, figures["feedback_opened"].link, "/feedback/items/") == opened
    assert figures["feedback_opened"].value == len(opened) == 1
    overdue = context["attention"][2]
    late = {i.pk for i in FeedbackItem.objects.filter(department=pd, due_at__lt=NOW)}
    assert listed(client, overdue.link, "/feedback/items/") == late
    assert overdue.count == len(late) == 2


def test_an_sla_queue_lists_the_most_overdue_first_on_the_card_and_behind_its_link(
    history: dict[str, Any], client_as: Callable[[str], Client]
) -> None:
    """The breached card shows the conversation longest past its due time first, and the
    inbox it links to shows them in that same order."""
    first, second, third = (history["conversations"][i] for i in (1, 7, 8))
    for conversation, hours_late in ((first, 2), (second, 30), (third, 9)):
        Conversation.objects.filter(pk=conversation.pk).update(
            status="open",
            sla_state=SlaState.BREACHED,
            sla_due_at=NOW - timedelta(hours=hours_late),
        )
    client = client_as("manager")
    card = page_of(client, reverse("goals:dashboard"), NOVEMBER)["attention"][0]
    assert card.count == 3
    shown = [int(m) for m in re.findall(r"/inbox/(\d+)/", "".join(row[1] for row in card.rows))]
    assert shown == [second.pk, third.pk, first.pk]
    page = client.get(card.link).content.decode()
    order = [int(m) for m in re.findall(r'href="/inbox/(\d+)/"', page)]
    assert list(dict.fromkeys(order)) == [second.pk, third.pk, first.pk]


def test_an_attention_count_above_the_cap_says_more_than_as_the_list_it_opens(
    history: dict[str, Any], client_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted like the inbox list behind it: up to COUNT_CAP, then "10.000+" (at 10 million
    messages every breached conversation took 72 ms to count, a quarter of the overview)."""
    from socialdesk.core import paging
    from socialdesk.goals import dashboard_data

    conversations = history["conversations"]
    breached = [c.pk for c in conversations[:6] if c.status == "open"]
    Conversation.objects.filter(pk__in=breached).update(sla_state=SlaState.BREACHED)
    total = Conversation.objects.filter(status="open", sla_state=SlaState.BREACHED).count()
    assert total >= 3, "the history needs three breached open conversations"
    client = client_as("manager")
    for cap in (total, total - 1):
        monkeypatch.setattr(paging, "COUNT_CAP", cap)
        monkeypatch.setattr(dashboard_data, "COUNT_CAP", cap)
        response = client.get(reverse("goals:dashboard"), NOVEMBER, HTTP_ACCEPT_LANGUAGE="en")
        card = response.context["attention"][0]
        shown = f"{cap}+" if cap < total else str(total)
        assert (card.count, card.label) == (min(cap, total), shown)
        assert f'data-drill="attention">{shown}</a>' in response.content.decode()
        listed_page = client.get(card.link).content.decode()
        assert f'data-total="{shown}"' in listed_page  # the list says the same
