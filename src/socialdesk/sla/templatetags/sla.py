"""`{% load sla %}{% sla_history conversation %}`: a conversation's SLA clocks in words.

"Next response: 3 h 12 min late, on 30/11/2026 14:02" / "Nächste Antwort: 3 Std. 12 Min. zu
spät, am 30.11.2026 14:02". Reads through the person's visibility (`sla.selectors`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from socialdesk.core.durations import human_duration
from socialdesk.inbox.models import Conversation
from socialdesk.sla import clocks
from socialdesk.sla.models import ClockKind, SlaOutcome
from socialdesk.sla.selectors import outcomes_for

register = template.Library()


def _when(value: datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def describe(outcome: SlaOutcome, now: datetime) -> str:
    """One clock in words, in the active language."""
    words = {
        "clock": ClockKind(outcome.kind).label,
        "margin": human_duration(outcome.margin_seconds),
    }
    if outcome.stopped_at is not None:
        words["when"] = _when(outcome.stopped_at)
        if outcome.state == clocks.MET:
            return _("%(clock)s: on time (%(margin)s to spare), on %(when)s") % words
        return _("%(clock)s: %(margin)s late, on %(when)s") % words
    if outcome.due_at is None:
        return _("%(clock)s: paused while we wait on the customer") % words
    words["due"] = _when(outcome.due_at)
    words["left"] = human_duration(outcome.due_at - now)
    if outcome.state == clocks.BREACHED or outcome.due_at < now:
        if outcome.kind == clocks.RESOLUTION:
            return _("%(clock)s: missed, due %(due)s, not resolved yet") % words
        return _("%(clock)s: missed, due %(due)s, no answer yet") % words
    return _("%(clock)s: pending, due %(due)s (%(left)s left)") % words


@register.inclusion_tag("sla/_history.html", takes_context=True)
def sla_history(context: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    """The conversation's recorded SLA clocks, oldest first; nothing for one out of sight."""
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"lines": []}
    now = timezone.now()
    lines = []
    for outcome in outcomes_for(user, conversation.pk):
        state = outcome.state
        if state == clocks.PENDING and outcome.due_at is not None and outcome.due_at < now:
            state = clocks.BREACHED
        lines.append(
            {"state": state, "text": describe(outcome, now), "policy": outcome.policy_name}
        )
    return {"lines": lines}
