"""Which goals a person sees: the one selector every goal list, count, chart, export and API
answer uses.

Managers, admins and agents see every goal. A department member sees the goals of the whole
organisation (those narrowed to no department) and those narrowed to one of their departments.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import Role, User
from socialdesk.goals.goal_models import Goal


def goals_for_user(user: User, *, archived: bool = False) -> QuerySet[Goal]:
    goals = Goal.objects.filter(archived_at__isnull=not archived).select_related(
        "owner", "objective"
    )
    if user.role != Role.MEMBER:
        return goals
    through = Goal.departments.through
    narrowed = through.objects.filter(goal_id=OuterRef("pk"))
    mine = narrowed.filter(department__in=user.departments.all())
    return goals.filter(Q(~Exists(narrowed)) | Q(Exists(mine)))


def goals_all(*, archived: bool = False) -> QuerySet[Goal]:
    """Every goal of the organisation (the operator's command line, which runs as nobody)."""
    return Goal.objects.filter(archived_at__isnull=not archived).select_related(
        "owner", "objective"
    )


def goal_for_user(user: User, pk: int) -> Goal:
    """The goal, archived or not, if the person may see it; 404 otherwise."""
    found = (
        goals_for_user(user).filter(pk=pk).first()
        or goals_for_user(user, archived=True).filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found
