"""Every kind the search knows, in the order the results list them.

Room and wiki kinds plug in here (`spaces.room`, `spaces.post`, `wiki.page`)."""

from __future__ import annotations

from socialdesk.search.kinds.base import Kind
from socialdesk.search.kinds.inbox import CONTACT, CONVERSATION, LISTENING, MESSAGE, NOTE
from socialdesk.search.kinds.others import FEEDBACK, IDEA, PERSON, POST
from socialdesk.search.kinds.spaces import ROOM, ROOM_POST
from socialdesk.search.kinds.wiki import WIKI_PAGE

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


def kind(key: str) -> Kind:
    return KINDS[key]
