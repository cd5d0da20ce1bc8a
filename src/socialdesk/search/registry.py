"""Every kind the search knows, in the order the results list them.

Room and wiki kinds plug in here (`spaces.room`, `spaces.post`, `wiki.page`)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from socialdesk.inbox.models import Conversation
from socialdesk.search.kinds.base import Kind
from socialdesk.search.kinds.inbox import CONTACT, CONVERSATION, LISTENING, MESSAGE, NOTE
from socialdesk.search.kinds.others import FEEDBACK, IDEA, PERSON, POST
from socialdesk.search.kinds.spaces import ROOM, ROOM_POST
from socialdesk.search.kinds.wiki import WIKI_PAGE
from socialdesk.spaces.models import Room

KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        CONVERSATION,
        MESSAGE,
        NOTE,
        CONTACT,
        FEEDBACK,
        LISTENING,
        POST,
        IDEA,
        ROOM,
        ROOM_POST,
        WIKI_PAGE,
        PERSON,
    )
}
INDEXED = [k for k in KINDS.values() if k.key == k.entry_kind]
"""The kinds with their own rows (listening reads the message rows)."""


CONTAINERS: dict[str, tuple[str, Callable[[], QuerySet]]] = {  # type: ignore[type-arg]
    "inbox.conversation": ("conversation_id", lambda: Conversation.objects.all()),
    "spaces.room": ("room_id", lambda: Room.objects.all()),
}
"""Sources whose objects hold other entries (the column naming them): when one is gone, the
entries it held are refreshed too (what went with it loses its entry)."""


def kind(key: str) -> Kind:
    return KINDS[key]
