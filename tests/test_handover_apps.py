"""What a leaving person still holds, from the inbox, publishing and goals, as each viewer may
see it: nothing is deleted or moved when they are deactivated."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from socialdesk.accounts import handover
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals.goal_services import goal_create
from socialdesk.inbox.models import Contact, Conversation, Status
from socialdesk.publishing.models import Idea, IdeaStatus, Post, PostStatus

pytestmark = pytest.mark.django_db


def _world(people: dict[str, User], departments: dict[str, Department]) -> dict[str, object]:
    agent = people["agent"]
    account = ChannelAccount.objects.create(network="mastodon", handle="nord", name="Nord")
    legal = departments["Legal"]
    conversations = [
        Conversation.objects.create(
            channel_account=account,
            contact=Contact.objects.create(display_name=f"Kundin {n}"),
            assignee=agent,
            status=status,
            department=legal if n == 2 else None,
        )
        for n, status in enumerate([Status.OPEN, Status.WAITING, Status.OPEN, Status.RESOLVED])
    ]
    for _ in range(7):  # more than a section shows: the rest is counted
        Conversation.objects.create(channel_account=account, assignee=agent, status=Status.OPEN)
    Post.objects.create(text="Entwurf über das Stellwerk", author=agent, status=PostStatus.DRAFT)
    Post.objects.create(text="Längst draußen", author=agent, status=PostStatus.PUBLISHED)
    Idea.objects.create(title="Azubis", what_happened="Modell", submitted_by=agent)
    Idea.objects.create(
        title="Abgelehnt", what_happened="–", submitted_by=agent, status=IdeaStatus.DECLINED
    )
    goal = goal_create(
        by=Acting(user=people["manager"]),
        name="Alle Fragen binnen 24 Stunden",
        kpi="first_response_within",
        params={"within": "24h"},
        target=0.9,
        start=date(2026, 11, 1),
        deadline=date(2026, 12, 31),
        owner=agent,
    )
    return {"conversations": conversations, "goal": goal}


def test_it_lists_what_a_person_holds_in_every_app(people, departments):
    world = _world(people, departments)
    sections = {s.title: s for s in handover.sections_for(people["agent"], people["admin"])}
    open_ones = sections["Open conversations assigned"]
    assert open_ones.total == 3 + 7  # open and waiting; the resolved one is done
    assert len(open_ones.items) == handover.SHOWN and open_ones.more == 5
    posts = sections["Posts not yet published"]
    assert posts.total == 1 and "Entwurf über das Stellwerk" in posts.items[0].text
    ideas = sections["Open story ideas"]
    assert [i.text for i in ideas.items] == ["Azubis · New"]
    goals = sections["Goals they own"]
    assert goals.items[0].url == reverse("goals:goal", args=[world["goal"].pk])  # type: ignore[attr-defined]


def test_it_shows_a_department_member_only_what_they_may_open(people, departments):
    _world(people, departments)
    member = people["member"]
    member.departments.set([departments["Legal"]])
    sections = {s.title: s for s in handover.sections_for(people["agent"], member)}
    assert sections["Open conversations assigned"].total == 1  # the one handed to Legal


def test_it_keeps_everything_in_place_after_deactivating(client_as, people, departments):
    _world(people, departments)
    people["admin"].language = "de"
    people["admin"].save()
    agent = people["agent"]
    admin = client_as("admin")
    admin.post(reverse("accounts:person_deactivate", args=[agent.pk]))
    page = admin.get(reverse("accounts:person_detail", args=[agent.pk])).content.decode()
    assert "Offene Übergabe" in page
    for title in (
        "Offene zugewiesene Unterhaltungen",
        "Noch nicht veröffentlichte Beiträge",
        "Offene Story-Ideen",
        "Ziele in ihrer Verantwortung",
    ):
        assert title in page
    assert Conversation.objects.filter(assignee=agent).count() == 11
    assert Post.objects.filter(author=agent).count() == 2


def test_it_names_the_rooms_and_wiki_pages_a_person_alone_looks_after(people, departments):
    from socialdesk.spaces import room_services
    from socialdesk.spaces.models import Room
    from socialdesk.wiki import page_services
    from socialdesk.wiki.models import WikiSpace

    agent, manager = people["agent"], people["manager"]
    by = Acting(user=agent)
    room_services.room_create(by=by, name="Fahrplanwechsel")
    shared = room_services.room_create(by=by, name="Relaunch")
    room_services.room_add_members(by=by, room=shared, people=[manager], role="owner")
    room_services.room_create(by=by, name="Geheimprojekt", visibility=Room.Visibility.PRIVATE)
    space = WikiSpace.objects.create(name="Handbuch", key="handbuch")
    page = page_services.page_create(by=by, space=space, title="Erstattung", body="…")
    page.review_by = date(2026, 1, 1)
    page.save(update_fields=["review_by"])
    page_services.page_create(by=by, space=space, title="Zeitkarten", body="…")

    for_admin = {s.title: s for s in handover.sections_for(agent, people["admin"])}
    rooms = for_admin["Rooms they alone look after"]
    assert [i.text for i in rooms.items] == ["Fahrplanwechsel", "Geheimprojekt"]
    assert rooms.items[1].url == reverse("spaces:rooms_admin")  # a name, never its posts
    pages = for_admin["Wiki pages they own"]
    assert [i.text for i in pages.items] == [
        "Erstattung (review due since 01/01/2026)",
        "Zeitkarten",
    ]
    for_manager = {s.title: s for s in handover.sections_for(agent, manager)}
    assert [i.text for i in for_manager["Rooms they alone look after"].items] == [
        "Fahrplanwechsel"
    ]  # the shared room has another owner; the private one is not the manager's to see
