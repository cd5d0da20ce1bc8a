"""The stored facts of conversations, recomputed from their messages.

A conversation keeps its first and last message time, first response, waiting time, preview,
contact, language and company account up to date, so lists and KPIs need no scan of messages.
Imports, channels and the inbox's own writes all recompute them here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from socialdesk.channels.models import ChannelAccount
from socialdesk.core.db import update_rows
from socialdesk.inbox.models import Conversation, Direction, Message

PREVIEW_LENGTH = 280


def refresh_conversations(
    conversation_ids: set[int],
    accounts: dict[int, ChannelAccount] | None = None,
    mentioned_company: Callable[[str], str | None] | None = None,
    *,
    first_inbound_needs_reply: bool = False,
) -> None:
    """Recompute each conversation's facts from its messages, in a fixed number of queries."""
    if not conversation_ids:
        return
    accounts = accounts or {a.pk: a for a in ChannelAccount.objects.all()}
    by_handle = {(a.network, a.handle): a for a in accounts.values()}
    rows = Message.objects.filter(conversation_id__in=conversation_ids).values_list(
        "pk", "conversation_id", "created_at", "direction", "needs_reply", "channel_account_id",
        "contact_id", "language",
    )  # fmt: skip
    per_conversation: dict[int, list[tuple[int, datetime, str, bool, int, int | None, str]]] = (
        defaultdict(list)
    )
    for pk, conversation_id, created_at, direction, flag, message_account, contact, lang in rows:
        per_conversation[conversation_id].append(
            (pk, created_at, direction, flag, message_account, contact, lang)
        )
    first_ids = [min(ms, key=lambda m: (m[1], m[0]))[0] for ms in per_conversation.values()]
    last_ids = [max(ms, key=lambda m: (m[1], m[0]))[0] for ms in per_conversation.values()]
    texts = dict(Message.objects.filter(pk__in=first_ids + last_ids).values_list("pk", "text"))

    conversations = list(Conversation.objects.filter(pk__in=per_conversation))
    newly_flagged: list[int] = []
    account_moves: dict[int, list[int]] = defaultdict(list)
    for conversation in conversations:
        messages = sorted(per_conversation[conversation.pk], key=lambda m: (m[1], m[0]))
        first, last = messages[0], messages[-1]
        inbound = [m for m in messages if m[2] == Direction.INBOUND]
        outbound = [m for m in messages if m[2] == Direction.OUTBOUND]
        conversation.first_message_at = first[1]
        conversation.first_message_inbound = first[2] == Direction.INBOUND
        if first_inbound_needs_reply and first[2] == Direction.INBOUND and not first[3]:
            # twcs: the inbound message that starts a conversation needs a reply.
            newly_flagged.append(first[0])
            first = (*first[:3], True, *first[4:])
        conversation.needs_reply = first[2] == Direction.INBOUND and first[3]
        response = next((m for m in outbound if m[1] >= first[1]), None)
        conversation.first_response_at = response[1] if response else None
        conversation.first_response_seconds = (
            int((response[1] - first[1]).total_seconds()) if response else None
        )
        conversation.last_message_at = last[1]
        conversation.last_inbound_at = inbound[-1][1] if inbound else None
        conversation.waiting_since = conversation.last_inbound_at or first[1]
        conversation.message_count = len(messages)
        conversation.preview = texts.get(last[0], "")[:PREVIEW_LENGTH]
        conversation.contact_id = inbound[0][5] if inbound else conversation.contact_id
        conversation.language = next((m[6] for m in inbound if m[6]), "")
        # The company account that writes in it, else the first company @mentioned.
        account_id: int | None = outbound[0][4] if outbound else None
        if account_id is None and mentioned_company is not None:
            network = (
                accounts[conversation.channel_account_id].network
                if conversation.channel_account_id in accounts
                else ""
            )
            handle = mentioned_company(texts.get(first[0], ""))
            if handle and (network, handle) in by_handle:
                account_id = by_handle[(network, handle)].pk
        if account_id is not None and account_id != conversation.channel_account_id:
            conversation.channel_account_id = account_id
        if any(m[4] != conversation.channel_account_id for m in messages):
            account_moves[conversation.channel_account_id].append(conversation.pk)
    fields = [
        "first_message_at", "first_message_inbound", "needs_reply", "first_response_at",
        "first_response_seconds", "last_message_at", "last_inbound_at", "waiting_since",
        "message_count", "preview", "contact", "language", "channel_account",
    ]  # fmt: skip
    update_rows(
        Conversation,
        fields,
        [
            [getattr(c, f + "_id" if f in ("contact", "channel_account") else f) for f in fields]
            + [c.pk]
            for c in conversations
        ],
    )
    Message.objects.filter(pk__in=newly_flagged).update(needs_reply=True)
    for account_id, ids in account_moves.items():
        Message.objects.filter(conversation_id__in=ids).exclude(
            channel_account_id=account_id
        ).update(channel_account_id=account_id)
