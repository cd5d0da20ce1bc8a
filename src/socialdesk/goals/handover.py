"""The goals' part of a person's hand-over list: the goals they own."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from socialdesk.accounts.handover import SHOWN, HandoverSection, section_of
from socialdesk.accounts.models import User
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.goal_selectors import goals_for_user


def owned_goals(person: User, viewer: User) -> HandoverSection | None:
    held = goals_for_user(viewer).filter(owner=person)
    total = held.count()
    if not total:
        return None
    rows = held.order_by("deadline", "pk")[:SHOWN]
    return section_of(_("Goals they own"), rows, _text, _url, total)


def _text(goal: Goal) -> str:
    return goal.name


def _url(goal: Goal) -> str:
    return reverse("goals:goal", args=[goal.pk])
