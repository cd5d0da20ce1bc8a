"""Reads for the SLA settings: which calendars and policies a person may see and change.

Everyone reads the SLA settings (the overview tells an agent what targets apply); only
administrators and social media managers may open one calendar or policy to change it.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from socialdesk.accounts.models import Role, User
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.sla.models import BusinessHours, SlaOutcome, SlaPolicy

EDITORS = frozenset({Role.ADMIN, Role.MANAGER})


def _edits(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in EDITORS


def policies_for(user: User) -> QuerySet[SlaPolicy]:
    """The SLA policies a person reads: all of them."""
    return SlaPolicy.objects.select_related("business_hours")


def calendars_for(user: User) -> QuerySet[BusinessHours]:
    """The business-hours calendars a person reads: all of them."""
    return BusinessHours.objects.all()


def policy_for(user: User, pk: int) -> SlaPolicy:
    """One policy a person may change; 404 when it does not exist or they may not change it."""
    found = policies_for(user).filter(pk=pk).first() if _edits(user) else None
    if found is None:
        raise Http404
    return found


def calendar_for(user: User, pk: int) -> BusinessHours:
    """One calendar a person may change; 404 when it does not exist or they may not change it."""
    found = calendars_for(user).filter(pk=pk).first() if _edits(user) else None
    if found is None:
        raise Http404
    return found


def outcomes_for(user: User, conversation_id: int) -> QuerySet[SlaOutcome]:
    """The recorded clocks of one conversation, empty when the person may not see it."""
    visible = conversations_for_user(user).filter(pk=conversation_id)
    return SlaOutcome.objects.filter(conversation__in=visible, evaluated=False).order_by(
        "started_at", "kind", "pk"
    )
