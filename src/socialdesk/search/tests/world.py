"""A small world for the search tests: data in every department, private things, a
conversation not handed to a member's department; every object carries the word MARK."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.markdown import to_plain_text
from socialdesk.feedback.models import FeedbackItem
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Note
from socialdesk.listening.models import Monitor, MonitorMatch
from socialdesk.publishing.models import ApprovalStep, Idea, Post
from socialdesk.spaces.models import Room, RoomMembership, RoomPost
from socialdesk.wiki.models import WikiPage, WikiSpace

MARK = "Zauberwort"


@dataclass
class World:
    people: dict[str, User]
    conversations: dict[str, Conversation]
    account: ChannelAccount


def build(people: dict[str, User], departments: dict[str, Department]) -> World:
    service, product = departments["Customer Service"], departments["Product Development"]
    people = dict(people)
    people["member_cs"] = User.objects.create_user(
        "mo@example.com", "x" * 20, full_name=f"Mo {MARK}mann", role=Role.MEMBER
    )
    people["member_cs"].departments.set([service])
    people["roomie"] = User.objects.create_user(
        "rita@example.com", "x" * 20, full_name="Rita Raum", role=Role.MEMBER
    )
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    now = timezone.now()
    conversations: dict[str, Conversation] = {}
    plan: dict[str, dict[str, Any]] = {
        "product": {"department": product},
        "service": {"department": service},
        "nobody": {},
        "assigned": {"assignee": people["member_cs"]},
    }
    monitor = Monitor.objects.create(name="Watch", query=MARK)
    for n, (key, where) in enumerate(plan.items()):
        contact = Contact.objects.create(display_name=f"{MARK} Kundin {key}")
        conversation = Conversation.objects.create(
            channel_account=account, contact=contact, preview=f"{MARK} {key}", **where
        )
        message = Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"m{n}",
            direction=Direction.INBOUND,
            text=f"Mein {MARK} für {key}: der Ticketkauf klappt nicht",
            created_at=now - timedelta(hours=n),
            language="de",
        )
        Note.objects.create(conversation=conversation, text=f"Notiz {MARK} {key}")
        if n % 2 == 0:
            MonitorMatch.objects.create(monitor=monitor, message=message, created_at=now)
        conversations[key] = conversation
    for department in (service, product):
        FeedbackItem.objects.create(title=f"{MARK} {department.name}", department=department)
        Idea.objects.create(
            title=f"{MARK} idea {department.name}", what_happened="x", department=department
        )
    Idea.objects.create(title=f"{MARK} own idea", what_happened="x", submitted_by=people["member"])
    Post.objects.create(text=f"{MARK} by the agent", author=people["agent"])
    Post.objects.create(text=f"{MARK} by a member", author=people["member"])
    asked = Post.objects.create(text=f"{MARK} to approve", author=people["agent"], campaign=None)
    asked.targets.create(channel=account)
    ApprovalStep.objects.create(channel=account, department=service)
    public = Room.objects.create(name=f"{MARK} public", purpose="all")
    private = Room.objects.create(
        name=f"{MARK} private", purpose="few", visibility=Room.Visibility.PRIVATE
    )
    RoomMembership.objects.create(room=private, user=people["roomie"])
    for room in (public, private):
        body = f"{MARK} in {room.name}"
        RoomPost.objects.create(room=room, author=people["admin"], body=body, plain_text=body)
    RoomPost.objects.create(room=public, body=f"{MARK} deleted", deleted_at=now)
    organisation = WikiSpace.objects.create(name="Handbuch", key="handbuch")
    hidden = WikiSpace.objects.create(name="Geheim", key="geheim", room=private)
    pages = [
        (organisation, f"{MARK} für alle", f"Wie man den **{MARK}** sagt", "published", None),
        (organisation, "Entwurf", f"# Noch offen\n\n{MARK} im Entwurf", "draft", None),
        (organisation, "Weg", f"{MARK} im Papierkorb", "published", now),
        (hidden, "Nur im Raum", f"- [ ] {MARK} für den Raum", "published", None),
    ]
    for n, (space, title, body, status, deleted_at) in enumerate(pages):
        WikiPage.objects.create(
            space=space, title=title, title_key=title.lower(), slug=f"seite-{n}", body=body,
            plain_text=to_plain_text(body),
            status=status, deleted_at=deleted_at, updated_by=people["admin"],
        )  # fmt: skip
    return World(people, conversations, account)
