"""Whom a room post names, and telling them.

Syntax: `@anna.schmidt` / `@Anna` (the rule of `accounts.mentions`), `@[Anna Schmidt]` (a full
name), `@[Kundenservice]` (a department), `@raum` / `@room` / `@alle` / `@all` (the room).
Recipients: the people named and the active people of the departments named who may read the
room (cap 200), the members with notify ≠ none for the whole room, the thread's author for
replies when they want everything — never the author. A person named who may not read a
private room is not told; the author gets a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from socialdesk.accounts.mentions import people_mentioned
from socialdesk.accounts.models import Department, User
from socialdesk.core.markdown import to_plain_text
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import excerpt, notify

from . import selectors
from .models import PostMention, Room, RoomMembership, RoomPost

WHOLE_ROOM = frozenset({"raum", "room", "alle", "all"})
BRACKETS = re.compile(r"@\[([^\]\n]{1,100})\]")
WORD = re.compile(r"(?<![\w.])@([\w.+-]+)")
CAP = 200


@dataclass
class Mentions:
    users: list[User] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    whole_room: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.departments or self.whole_room)


def parse(text: str) -> Mentions:
    """The people, departments and whole-room mentions of a text (unknown names stay text)."""
    found = Mentions()
    names = [" ".join(m.split()) for m in BRACKETS.findall(text)]
    rest = BRACKETS.sub(" ", text)
    words = {w.lower().rstrip(".") for w in WORD.findall(rest)}
    found.whole_room = bool(words & WHOLE_ROOM)
    for keyword in WHOLE_ROOM:
        rest = re.sub(rf"(?<![\w.])@{keyword}\b", " ", rest, flags=re.IGNORECASE)
    people = {p.pk: p for p in people_mentioned(rest)}
    if names:
        query = Q()
        for name in names:
            query |= Q(full_name__iexact=name)
        for person in User.objects.filter(query, is_active=True):
            people[person.pk] = person
        dept_query = Q()
        for name in names:
            dept_query |= Q(name__iexact=name)
        found.departments = list(Department.objects.filter(dept_query).order_by("name"))
    found.users = sorted(people.values(), key=lambda p: p.pk)
    return found


def display_name(person: User) -> str:
    return " ".join((person.full_name or person.email).split())


@dataclass
class Outcome:
    told: list[User]
    not_told: list[User]  # named but may not read the (private) room

    def warnings(self) -> list[str]:
        return [
            _("%(name)s is not a member of this private room and was not notified.")
            % {"name": display_name(p)}
            for p in self.not_told
        ]


def store(post: RoomPost, mentions: Mentions) -> None:
    """The post's PostMention rows (replaced on edit)."""
    post.mentions.all().delete()
    rows = [PostMention(post=post, user=u) for u in mentions.users]
    rows += [PostMention(post=post, department=d) for d in mentions.departments]
    if mentions.whole_room:
        rows.append(PostMention(post=post, whole_room=True))
    PostMention.objects.bulk_create(rows)


def recipients(post: RoomPost, mentions: Mentions) -> Outcome:
    room: Room = post.room
    author_id = post.author_id
    readers = User.objects.filter(is_active=True)
    if room.is_private:
        readers = readers.filter(room_memberships__room=room)
    told: dict[int, User] = {}
    not_told: list[User] = []
    reader_ids = set(readers.values_list("pk", flat=True)) if room.is_private else None
    for person in mentions.users:
        if reader_ids is not None and person.pk not in reader_ids:
            not_told.append(person)
        else:
            told[person.pk] = person
    if mentions.departments:
        of_departments = readers.filter(departments__in=mentions.departments).distinct()
        for person in of_departments.order_by("pk")[:CAP]:
            told.setdefault(person.pk, person)
    if mentions.whole_room:
        members = room.memberships.filter(user__is_active=True).exclude(
            notify=RoomMembership.Notify.NONE
        )
        for membership in members.select_related("user")[: CAP * 5]:
            told.setdefault(membership.user_id, membership.user)
    if post.parent_id is not None and post.parent is not None:
        root_author = post.parent.author
        if root_author is not None and root_author.is_active:
            wants_all = room.memberships.filter(
                user=root_author, notify=RoomMembership.Notify.ALL
            ).exists()
            if wants_all and selectors.may_read(root_author, room):
                told.setdefault(root_author.pk, root_author)
    told.pop(author_id or 0, None)
    return Outcome([told[k] for k in sorted(told)], not_told)


def notify_post(
    post: RoomPost, mentions: Mentions, *, already: Collection[int] = frozenset()
) -> Outcome:
    """Tell the recipients (in the app only; the daily digest mails them), except `already`."""
    outcome = recipients(post, mentions)
    people = [p for p in outcome.told if p.pk not in already]
    if not people:
        return outcome
    author = post.author
    who = display_name(author) if author is not None else _("Someone")
    room_name = post.room.name
    quote = excerpt(post.body)
    notify(
        people,
        kind=Notification.Kind.ROOM,
        path=reverse("spaces:room", args=[post.room_id]) + f"#post-{post.pk}",
        title=lambda: (
            _("%(who)s mentioned you in “%(room)s”: “%(text)s”")
            % {"who": who, "room": room_name, "text": quote}
        ),
        template="spaces/email/mention.txt",
        context={"who": who, "room": post.room, "excerpt": quote},
        email=False,
    )
    return outcome


def plain_words(body: str) -> str:
    """A post's words without Markdown, a mention "@[Anna Schmidt]" as "@Anna Schmidt"."""
    return BRACKETS.sub(r"@\1", to_plain_text(body))
