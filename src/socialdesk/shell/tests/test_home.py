"""The home page: each figure counts what the person may see and links to the same list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus
from socialdesk.inbox import services as inbox_services
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, SlaState, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _midday(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock runs from today's noon: the figures "breached today" count from midnight, and
    a breach five minutes ago is yesterday's just after midnight."""
    real = timezone.now
    noon = timezone.localtime(real()).replace(hour=12, minute=0, second=0, microsecond=0)
    offset = noon - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)


# name: (department, assigned to, status, question?, SLA state, due in minutes)
ROWS = {
    "cs-waiting": ("Customer Service", None, Status.OPEN, True, SlaState.ON_TRACK, 30),
    "cs-later": ("Customer Service", None, Status.OPEN, True, SlaState.ON_TRACK, 300),
    "cs-breached": ("Customer Service", None, Status.OPEN, True, SlaState.BREACHED, -5),
    "pd-waiting": ("Product Development", None, Status.OPEN, True, SlaState.AT_RISK, 10),
    "pd-breached": ("Product Development", None, Status.OPEN, True, SlaState.BREACHED, -3),
    "pd-mine": ("Product Development", "member", Status.OPEN, False, "", None),
    "legal-due": ("Legal", None, Status.OPEN, True, SlaState.AT_RISK, 20),
    "none-agent": (None, "agent", Status.OPEN, True, "", None),
    "none-manager": (None, "manager", Status.OPEN, False, "", None),
    "resolved": ("Product Development", None, Status.RESOLVED, True, SlaState.MET, None),
    "old-breach": (None, None, Status.OPEN, True, SlaState.BREACHED, -60 * 24 * 3),
}


def _build(people: dict[str, User]) -> None:
    now = timezone.now()  # when the rows are made: the page counts from its own now
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    for i, (name, (dept, assignee, status, question, sla, due)) in enumerate(ROWS.items()):
        contact = Contact.objects.create(display_name=f"Kundin {name}")
        conversation = Conversation.objects.create(channel_account=account, contact=contact)
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"m{i}",
            direction=Direction.INBOUND,
            contact=contact,
            author_handle=name,
            text=f"Frage {name}?",
            needs_reply=question,
            created_at=now - timedelta(minutes=90 - i),
        )
        refresh_conversations({conversation.pk})
        Conversation.objects.filter(pk=conversation.pk).update(
            department=Department.objects.get(name=dept) if dept else None,
            assignee=people[assignee] if assignee else None,
            status=status,
            sla_state=sla,
            sla_due_at=now + timedelta(minutes=due) if due is not None else None,
        )
    for dept, item_status in [
        ("Product Development", FeedbackStatus.NEW),
        ("Product Development", FeedbackStatus.PLANNED),
        ("Product Development", FeedbackStatus.DONE),
        ("Customer Service", FeedbackStatus.NEW),
    ]:
        FeedbackItem.objects.create(
            title=f"Wunsch {item_status}",
            department=Department.objects.get(name=dept),
            status=item_status,
        )


def _sees(user: User, c: Conversation) -> bool:
    if user.role != Role.MEMBER:
        return True
    return c.assignee_id == user.pk or c.department_id in {d.pk for d in user.departments.all()}


def _expected(user: User, now: datetime) -> dict[str, int]:
    """Recompute every figure from the rows in Python, not through the selectors."""
    mine = [c for c in Conversation.objects.all() if _sees(user, c)]
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "waiting": sum(
            c.status == Status.OPEN and c.needs_reply and c.first_response_at is None for c in mine
        ),
        "due": sum(
            c.status in (Status.OPEN, Status.WAITING)
            and c.sla_state in (SlaState.ON_TRACK, SlaState.AT_RISK)
            and c.sla_due_at is not None
            and now < c.sla_due_at <= now + timedelta(hours=1)
            for c in mine
        ),
        "breached": sum(
            c.sla_state == SlaState.BREACHED
            and c.sla_due_at is not None
            and start <= c.sla_due_at <= now
            for c in mine
        ),
        "assigned": sum(c.status == Status.OPEN and c.assignee_id == user.pk for c in mine),
    }


def _figures(html: str) -> dict[str, tuple[int, str]]:
    found = re.findall(
        r'href="([^"]+)" data-figure="(\w+)">\s*<strong class="figure-count">(\d+)</strong>', html
    )
    return {name: (int(count), link.replace("&amp;", "&")) for link, name, count in found}


def _rows(html: str) -> int:
    return html.count('class="conversation-row')


@pytest.mark.parametrize("role", ["manager", "member"])
def test_it_counts_on_the_home_page_what_the_person_may_see(client_as, people, role):
    _build(people)
    user = people[role]
    client = client_as(role)
    html = client.get(reverse("shell:home")).content.decode()
    figures = _figures(html)
    expected = _expected(user, timezone.now())
    assert {k: v[0] for k, v in figures.items()} == expected
    # The figures that match an inbox filter exactly list the same conversations there.
    for name in ("waiting", "assigned"):
        listed = client.get(figures[name][1]).content.decode()
        assert _rows(listed) == expected[name], name
    if role == "member":
        assert expected == {"waiting": 2, "due": 1, "breached": 1, "assigned": 1}
        for other in ("cs-waiting", "legal-due", "none-agent", "cs-breached"):
            assert f"Kundin {other}" not in html
        assert "Kundin pd-waiting" in html
        # Her department's board: two open items (the done one does not count).
        assert re.search(r"Product Development</a>: 2 open items", html)
        assert "Customer Service</a>: " not in html
    else:
        assert expected == {"waiting": 8, "due": 3, "breached": 2, "assigned": 1}
        assert re.search(r"Customer Service</a>: 1 open item\b", html)  # no department: all


def test_it_says_what_to_do_when_there_is_nothing_to_do(client_as, people):
    people["member"].departments.clear()
    html = client_as("member").get(reverse("shell:home")).content.decode()
    assert "You belong to no department" in html
    html = client_as("viewer").get(reverse("shell:home")).content.decode()
    assert "Nobody is waiting for an answer." in html
    assert "Nobody has mentioned you yet." in html
    # Outside every department but seeing all conversations: every department's board.
    assert "Feedback of the departments" in html and "Legal</a>: 0 open items" in html
    assert 'data-figure="assigned"' not in html  # read-only people are never assigned


def test_it_shows_who_mentioned_the_person_and_what_they_wrote(client_as, people, monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    conversation = Conversation.objects.create(channel_account=account)
    people["agent"].language = "en"  # notifications are written in the person's language
    people["agent"].save()
    inbox_services.conversation_add_note(
        by=Acting(user=people["manager"], label="Max"),
        conversation=conversation,
        text="@alex kannst du\n<b>hier</b> antworten? " + "Sehr lang " * 30,
    )
    html = client_as("agent").get(reverse("shell:home")).content.decode()
    assert "Max Manager mentioned you: “@alex kannst du &lt;b&gt;hier&lt;/b&gt; antworten?" in html
    assert "<b>hier</b>" not in html
    sent = mail.outbox[-1]
    assert sent.to == ["alex@example.com"]
    assert sent.subject.startswith("Max Manager mentioned you: “@alex kannst du <b>hier</b>")
    assert "\n" not in sent.subject and len(sent.subject) < 200
    assert "Max Manager mentioned you in an internal note:" in sent.body
    assert "@alex kannst du <b>hier</b> antworten?" in sent.body  # plain text, as written
    assert f"/inbox/{conversation.pk}/" in sent.body
    html = client_as("agent").get(reverse("inbox:notifications")).content.decode()
    assert "Max Manager mentioned you: “@alex kannst du &lt;b&gt;hier&lt;/b&gt;" in html
    people["agent"].language = "de"
    people["agent"].save()
    inbox_services.conversation_add_note(
        by=Acting(user=people["manager"], label="Max"), conversation=conversation, text="@alex ok?"
    )
    html = client_as("agent").get(reverse("inbox:notifications")).content.decode()
    assert "Max Manager hat Sie erwähnt: „@alex ok?“" in html
    # The list speaks the reader's language whatever it was when the note was written.
    people["agent"].language = "en"
    people["agent"].save()
    html = client_as("agent").get(reverse("inbox:notifications")).content.decode()
    assert "Max Manager mentioned you: “@alex ok?”" in html
    assert "Max Manager hat Sie in einer internen Notiz erwähnt:" in mail.outbox[-1].body
