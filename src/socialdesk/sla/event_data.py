"""What the SLA tells other tools (`core.events`): a deadline is near, or was missed.

The data is the inbox's conversation (`inbox.event_data`), the deadline (ISO 8601) and the clock
it belongs to (first response, next response, resolution), under the conversation's subject so
that it arrives in order with the conversation's other events.
"""

from __future__ import annotations

from socialdesk.core import events
from socialdesk.inbox import event_data
from socialdesk.inbox.models import Conversation, SlaState
from socialdesk.sla.models import OutcomeState, SlaOutcome

WARNING, BREACHED = "sla.warning", "sla.breached"


def _clock(conversation: Conversation, breached: bool) -> SlaOutcome | None:
    """The clock the warning is about: the missed one, or the running one due first."""
    outcomes = SlaOutcome.objects.filter(conversation_id=conversation.pk, evaluated=False)
    if breached:
        return outcomes.filter(state=OutcomeState.BREACHED).order_by("-started_at", "-pk").first()
    running = outcomes.filter(stopped_at__isnull=True, due_at__isnull=False)
    return running.order_by("due_at", "pk").first()


def announce_warning(conversation: Conversation) -> None:
    """Call inside the warning's transaction, with the state it warns of."""
    breached = conversation.sla_state == SlaState.BREACHED
    kind = BREACHED if breached else WARNING
    if not events.wanted(kind):
        return
    clock = _clock(conversation, breached)
    found = event_data.conversations([conversation.pk]).first()
    if found is None:
        return
    deadline = clock.due_at if clock is not None and clock.due_at else conversation.sla_due_at
    data = {
        "conversation": event_data.conversation_data(found),
        "deadline": event_data.when(deadline),
        "clock": clock.kind if clock is not None else None,
        "policy": clock.policy_name if clock is not None else None,
    }
    events.emit(kind, [(event_data.subject(conversation.pk), data)])
