"""Notifications are read by a POST: the page lists them, a button or following one marks it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.models import User
from socialdesk.inbox.models import Notification

pytestmark = pytest.mark.django_db


def _notes(people: dict[str, User]) -> tuple[Notification, Notification, Notification]:
    agent = people["agent"]
    first = Notification.objects.create(
        user=agent, kind=Notification.Kind.FEEDBACK, title="New feedback", link="/feedback/"
    )
    second = Notification.objects.create(
        user=agent, kind=Notification.Kind.SPIKE, title="Spike", link="https://evil.example/"
    )
    theirs = Notification.objects.create(
        user=people["manager"], kind=Notification.Kind.FEEDBACK, title="Theirs", link="/x/"
    )
    return first, second, theirs


def _unread(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def test_it_keeps_notifications_unread_when_the_page_is_only_opened(
    client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    _notes(people)
    page = client_as("agent").get(reverse("inbox:notifications")).content.decode()
    assert "New feedback" in page and "Mark all as read" in page
    assert _unread(people["agent"]) == 2


def test_it_marks_all_of_the_persons_notifications_read_by_post_only(
    client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    _notes(people)
    agent = client_as("agent")
    assert agent.get(reverse("inbox:notifications_read")).status_code == 405
    response = agent.post(reverse("inbox:notifications_read"))
    assert response.status_code == 302 and response["Location"] == reverse("inbox:notifications")
    assert _unread(people["agent"]) == 0
    assert _unread(people["manager"]) == 1


def test_it_marks_one_notification_read_when_it_is_followed(
    client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    first, second, theirs = _notes(people)
    agent = client_as("agent")
    response = agent.post(reverse("inbox:notification_open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/feedback/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    # A link to another site is not followed; someone else's notification does not exist.
    response = agent.post(reverse("inbox:notification_open", args=[second.pk]))
    assert response["Location"] == reverse("inbox:notifications")
    assert agent.post(reverse("inbox:notification_open", args=[theirs.pk])).status_code == 404
    assert _unread(people["manager"]) == 1
