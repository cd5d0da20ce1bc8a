"""Which conversation each imported row belongs to: threads follow the parent ids.

A row joins its parent's conversation whether the parent came earlier in the chunk, later in
it, or was stored before; stored replies whose parent arrives now pull their conversation in.
Rows and conversations that turn out to be one thread form one group (a union-find over
"n:<row id>" and "c:<conversation id>"); stored conversations of one group are merged into the
oldest, and each group without one gets a new conversation id.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from socialdesk.channels.items.readers import ImportRow
from socialdesk.core import changes
from socialdesk.core.db import reserve_ids
from socialdesk.inbox.models import Conversation, Message, Note


class Groups:
    """Union-find of rows ("n:…") and stored conversations ("c:…")."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # An existing conversation ("c:…", lowest id first) represents the group.
            keep, drop = sorted((root_a, root_b), key=_representative_order)
            self.parent[drop] = keep


def _representative_order(key: str) -> tuple[int, int, str]:
    if key.startswith("c:"):
        return (0, int(key[2:]), "")
    return (1, 0, key)


def top_of_thread(row: ImportRow, by_id: dict[str, ImportRow]) -> ImportRow:
    """The first row up the chain of parents within `by_id` (a loop of parents stops)."""
    seen = {row.external_id}
    while row.parent_id in by_id and row.parent_id not in seen:
        row = by_id[row.parent_id]
        seen.add(row.external_id)
    return row


def grouped(
    rows: list[ImportRow],
    by_id: dict[str, ImportRow],
    stored_parents: dict[str, tuple[int, int]],
    orphans: list[tuple[int, str, int]],
) -> Groups:
    """The threads of a chunk's rows: `stored_parents` maps a parent's id to its stored
    (message, conversation); `orphans` are stored (message, parent's id, conversation) whose
    parent is among the rows."""
    groups = Groups()
    for row in rows:
        top = top_of_thread(row, by_id)
        if top.parent_id in stored_parents:
            groups.union(f"n:{row.external_id}", f"c:{stored_parents[top.parent_id][1]}")
        else:
            groups.union(f"n:{row.external_id}", f"n:{top.external_id}")
    for _pk, parent_external_id, conversation_id in orphans:
        groups.union(f"n:{parent_external_id}", f"c:{conversation_id}")
    return groups


def conversations_for(
    rows: list[ImportRow], groups: Groups
) -> tuple[dict[str, int], set[int], int]:
    """The conversation id of each row id (existing, merged, or new), the ids of the new ones
    (reserved here, inserted with their facts by the importer) and how many were merged away."""
    members: dict[str, set[str]] = defaultdict(set)
    for key in list(groups.parent):
        members[groups.find(key)].add(key)

    new_roots = [root for root in members if root.startswith("n:")]
    created = reserve_ids(Conversation, len(new_roots))
    conversation_of_root = dict(zip(new_roots, created, strict=True))
    merged = 0
    for root in members:
        if root.startswith("c:"):
            conversation_of_root[root] = int(root[2:])
            others = [int(k[2:]) for k in members[root] if k.startswith("c:") and k != root]
            if others:
                merge(into=int(root[2:]), others=others)
                merged += len(others)
    return (
        {
            row.external_id: conversation_of_root[groups.find(f"n:{row.external_id}")]
            for row in rows
        },
        set(created),
        merged,
    )


def merge(*, into: int, others: list[int]) -> None:
    """Move every message, note and tag of `others` into conversation `into`; remove them."""
    Message.objects.filter(conversation_id__in=others).update(conversation_id=into)
    Note.objects.filter(conversation_id__in=others).update(conversation_id=into)
    target = Conversation.objects.get(pk=into)
    for conversation in Conversation.objects.filter(pk__in=others).prefetch_related("tags"):
        target.tags.add(*conversation.tags.all())
    Conversation.objects.filter(pk__in=others).delete()
    changes.changed("inbox.conversation", others)
    changes.changed(
        "inbox.message",
        Message.objects.filter(conversation_id=into).values_list("pk", flat=True),
    )
    changes.changed(
        "inbox.note", Note.objects.filter(conversation_id=into).values_list("pk", flat=True)
    )


def replies_to(ids: list[str]) -> QuerySet[Message, tuple[int, str, int, int]]:
    """Stored messages of any account whose parent has one of these ids (id, parent's id,
    conversation, account; the caller keeps its accounts'), read through the index on the
    parent's id. Asked for the accounts too, SQLite (which keeps no statistics) read every
    message of the accounts instead: 250 ms a chunk at a million messages, and growing."""
    return (
        Message.objects.filter(parent_external_id__among=ids)
        .order_by()
        .values_list("pk", "parent_external_id", "conversation_id", "channel_account_id")
    )
