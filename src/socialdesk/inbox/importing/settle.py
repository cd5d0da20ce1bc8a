"""An imported conversation's status follows its history: answered threads are resolved.

History brought in from files is mostly done: the company answered and the customer did not
write again. Left "open", 218 of the 255 conversations of the twcs sample would bury the 37
that end with the customer. So after each chunk the conversations it touched are settled, in
a fixed number of queries:

- the company wrote last (nothing of the customer's waits for us) -> resolved, as of the
  company's last message (as Zammad's import keeps answered tickets closed and Chatwoot
  resolves them; "waiting on customer" would keep 218 reminders alive and pause SLA clocks
  forever instead of ending them);
- a customer message after the company's last reply needs a reply (`waiting_for_us_since`)
  -> open again if it was resolved or waiting: the customer wrote again, as in both tools.

Anything else (the customer wrote last, e.g. "Thanks!", needing no reply) keeps its status.
A later file with more of a thread settles it again; a re-import adds no message and so
changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import F, Q

from socialdesk.inbox.importing.facts import NewConversation
from socialdesk.inbox.models import Conversation, ConversationEvent, Status
from socialdesk.inbox.signals import conversations_changed

# The company wrote last: no customer message at all, or none at or after the last message.
ANSWERED = Q(waiting_for_us_since__isnull=True) & (
    Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=F("last_message_at"))
)


def answered(conversation: NewConversation) -> bool:
    """`ANSWERED` for a conversation an import is about to insert (its facts in memory): a
    history import inserts those already resolved instead of updating them afterwards."""
    last, inbound = conversation.last_message_at, conversation.last_inbound_at
    return (
        last is not None
        and conversation.waiting_for_us_since is None
        and (inbound is None or inbound < last)
    )


def settle_status(conversation_ids: Collection[int], *, live: bool = False) -> tuple[int, int]:
    """Resolve the answered conversations, reopen those waiting for us; return both counts.

    `live` (items a channel polls now): only a thread the company started and nobody has
    answered yet is resolved (the company's own post, no customer in it: nothing to do);
    a conversation a person is working on keeps the status they gave it.
    """
    if not conversation_ids:
        return 0, 0
    touched = Conversation.objects.filter(pk__among=list(conversation_ids))
    resolvable = Q(last_inbound_at__isnull=True) if live else ANSWERED
    to_resolve = list(
        touched.filter(resolvable, status=Status.OPEN, last_message_at__isnull=False).values_list(
            "pk", "last_message_at"
        )
    )
    to_reopen = list(
        touched.filter(
            status__in=[Status.RESOLVED, Status.WAITING], waiting_for_us_since__isnull=False
        ).values_list("pk", "status", "waiting_for_us_since")
    )
    if to_resolve:
        Conversation.objects.filter(pk__among=[pk for pk, _at in to_resolve]).update(
            status=Status.RESOLVED, resolved_at=F("last_message_at")
        )
    if to_reopen:
        Conversation.objects.filter(pk__among=[pk for pk, _s, _at in to_reopen]).update(
            status=Status.OPEN, resolved_at=None
        )
    ConversationEvent.objects.bulk_create(
        [
            ConversationEvent(
                conversation_id=pk, at=at, old_status=Status.OPEN, new_status=Status.RESOLVED
            )
            for pk, at in to_resolve
            if at is not None
        ]
        + [
            ConversationEvent(conversation_id=pk, at=at, old_status=old, new_status=Status.OPEN)
            for pk, old, at in to_reopen
            if at is not None
        ],
        batch_size=1000,
    )
    return len(to_resolve), len(to_reopen)


def refresh_targets(conversation_ids: set[int]) -> None:
    """Tell the SLA clocks of these conversations that have a policy (in the chunk's
    transaction): the periodic check only looks at clocks running out."""
    with_policy = sorted(
        Conversation.objects.filter(pk__among=list(conversation_ids), sla_policy__isnull=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    if with_policy:
        conversations_changed.send(sender=Conversation, conversation_ids=with_policy)
