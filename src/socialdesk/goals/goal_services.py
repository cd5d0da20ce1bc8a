"""Writing goals: create, change, archive and bring back, and the evaluation that keeps each
goal's figures and status (a change of status is told to the owner and the managers).

Every write goes through here, takes the acting person and is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.goals import kpis
from socialdesk.goals.goal_measure import measure
from socialdesk.goals.goal_models import NAME_LIMIT, Comparison, Goal, GoalStatus, GoalStatusChange
from socialdesk.goals.kpis import KpiError, Scope
from socialdesk.goals.strategy_models import Objective
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import notify

# A target beyond this is a typing error, not a goal (and would not survive every database).
TARGET_LIMIT = 1e12
MAX_DAYS = 3 * 366
SCOPE_ITEMS = 50
SCOPE_ITEM_LENGTH = 100

FIELDS = (
    "name",
    "kpi",
    "params",
    "target",
    "comparison",
    "start",
    "deadline",
    "accounts",
    "tags",
    "business_hours",
    "owner",
    "objective",
)

# The fields `check` takes besides the departments.
CHECKED = tuple(f for f in FIELDS if f not in ("owner", "objective"))


def _no_nul(value: str) -> bool:
    return "\x00" not in value


def _clean_list(values: Iterable[str], field: str, errors: dict[str, list[str]]) -> list[str]:
    out = []
    for raw in values:
        value = str(raw).strip()
        if not value:
            continue
        if not _no_nul(value) or len(value) > SCOPE_ITEM_LENGTH:
            errors.setdefault(field, []).append(
                gettext("“%(value)s” is not a valid entry here.") % {"value": value[:40]}
            )
            continue
        if value not in out:
            out.append(value)
    if len(out) > SCOPE_ITEMS:
        errors.setdefault(field, []).append(
            gettext("Choose at most %(limit)s.") % {"limit": SCOPE_ITEMS}
        )
    return out


def check(
    *,
    name: str,
    kpi: str,
    params: Mapping[str, str] | None,
    target: float,
    comparison: str,
    start: date,
    deadline: date,
    accounts: Iterable[str] = (),
    departments: Iterable[Department] = (),
    tags: Iterable[str] = (),
    business_hours: str = "",
) -> dict[str, Any]:
    """The goal's fields, cleaned; a ValidationError naming each wrong field otherwise."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors.setdefault("name", []).append(gettext("Give the goal a name."))
    elif not _no_nul(name):
        errors.setdefault("name", []).append(gettext("This text contains a NUL character."))
    elif len(name) > NAME_LIMIT:
        errors.setdefault("name", []).append(
            gettext("Shorten the name to %(limit)s characters.") % {"limit": NAME_LIMIT}
        )
    raw_params = {str(k): str(v) for k, v in (params or {}).items()}
    found = None
    try:
        found = kpis.get(kpi)
        if not found.available:
            raise KpiError(str(found.reason))
    except KpiError as error:
        errors.setdefault("kpi", []).append(str(error))
        found = None
    if found is not None:
        try:
            found.parse_params(raw_params)
        except KpiError as error:
            errors.setdefault("params", []).append(str(error))
    if comparison not in Comparison.values:
        errors.setdefault("comparison", []).append(gettext("Choose “at least” or “at most”."))
    if target != target or abs(target) > TARGET_LIMIT:  # NaN or absurd
        errors.setdefault("target", []).append(gettext("Enter a target that is a real number."))
    elif found is not None and found.unit == kpis.Unit.SHARE and not 0 <= target <= 1:
        errors.setdefault("target", []).append(gettext("A share is between 0 % and 100 %."))
    elif target < 0:
        errors.setdefault("target", []).append(gettext("The target cannot be negative."))
    if deadline < start:
        errors.setdefault("deadline", []).append(gettext("The deadline comes after the start."))
    elif (deadline - start).days > MAX_DAYS:
        errors.setdefault("deadline", []).append(gettext("A goal runs for at most three years."))
    accounts = _clean_list(accounts, "accounts", errors)
    tags = _clean_list(tags, "tags", errors)
    business_hours = (business_hours or "").strip()
    if not _no_nul(business_hours) or len(business_hours) > 100:
        errors.setdefault("business_hours", []).append(gettext("Choose a business calendar."))
    department_ids = tuple(sorted(d.pk for d in departments))
    if found is not None and not errors:
        try:
            found.check_scope(
                Scope(
                    accounts=tuple(accounts),
                    departments=department_ids,
                    tags=tuple(tags),
                    business_hours=business_hours,
                )
            )
        except KpiError as error:
            errors.setdefault("kpi", []).append(str(error))
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kpi": kpi,
        "params": raw_params,
        "target": float(target),
        "comparison": comparison,
        "start": start,
        "deadline": deadline,
        "accounts": accounts,
        "tags": tags,
        "business_hours": business_hours,
    }


def _audit_view(goal: Goal) -> dict[str, Any]:
    return {
        "name": goal.name,
        "kpi": goal.kpi,
        "params": goal.params,
        "target": goal.target,
        "comparison": goal.comparison,
        "start": goal.start.isoformat(),
        "deadline": goal.deadline.isoformat(),
        "accounts": goal.accounts,
        "departments": sorted(goal.departments.values_list("pk", flat=True)),
        "tags": goal.tags,
        "owner": goal.owner_id,
        "objective": goal.objective_id,
    }


@transaction.atomic
def goal_create(
    *,
    by: Acting,
    name: str,
    kpi: str,
    target: float,
    deadline: date,
    params: Mapping[str, str] | None = None,
    comparison: str = Comparison.AT_LEAST,
    start: date | None = None,
    accounts: Iterable[str] = (),
    departments: Iterable[Department] = (),
    tags: Iterable[str] = (),
    business_hours: str = "",
    owner: User | None = None,
    objective: Objective | None = None,
    now: datetime | None = None,
) -> Goal:
    """A new goal, its baseline and first figures computed at once (no one is notified of
    the first status: the person creating it sees it)."""
    departments = list(departments)
    fields = check(
        name=name,
        kpi=kpi,
        params=params,
        target=target,
        comparison=comparison,
        start=start or timezone.localdate(now),
        deadline=deadline,
        accounts=accounts,
        departments=departments,
        tags=tags,
        business_hours=business_hours,
    )
    goal = Goal.objects.create(
        organisation=Organisation.current(),
        owner=owner or by.user,
        objective=objective,
        created_by=by.user,
        **fields,
    )
    goal.departments.set(departments)
    evaluate(goal, now=now, tell=False)
    record(by, "goal.created", goal, after=_audit_view(goal))
    return goal


@transaction.atomic
def goal_update(
    *,
    by: Acting,
    goal: Goal,
    departments: Iterable[Department] | None = None,
    now: datetime | None = None,
    **changes: Any,
) -> Goal:
    """Change some of the goal's fields (names as in goal_create); its figures are computed
    again, the baseline too (it depends on the period, the KPI and the scope)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"goal_update got unknown fields {sorted(unknown)}")
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    before = _audit_view(goal)
    current = {f: getattr(goal, f) for f in FIELDS}
    current.update(changes)
    chosen = list(departments) if departments is not None else list(goal.departments.all())
    fields = check(
        name=current["name"],
        kpi=current["kpi"],
        params=current["params"],
        target=current["target"],
        comparison=current["comparison"],
        start=current["start"],
        deadline=current["deadline"],
        accounts=current["accounts"],
        departments=chosen,
        tags=current["tags"],
        business_hours=current["business_hours"],
    )
    for field, value in fields.items():
        setattr(goal, field, value)
    goal.owner = current["owner"]
    goal.objective = current["objective"]
    goal.save()
    goal.departments.set(chosen)
    evaluate(goal, now=now, tell=False)
    after = _audit_view(goal)
    if after != before:
        record(by, "goal.changed", goal, before=before, after=after)
    return goal


@transaction.atomic
def goal_archive(*, by: Acting, goal: Goal, archived: bool = True) -> Goal:
    """Archive a goal (it leaves the overview and is no longer evaluated) or bring it back."""
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if bool(goal.archived_at) == archived:
        return goal
    goal.archived_at = timezone.now() if archived else None
    goal.save(update_fields=["archived_at"])
    record(by, "goal.archived" if archived else "goal.restored", goal)
    if not archived:
        evaluate(goal, tell=False)
    return goal


def evaluate(goal: Goal, *, now: datetime | None = None, tell: bool = True) -> Goal:
    """Compute the goal's figures and store them; a changed status is recorded and, with
    `tell`, told to the owner and the managers. A KPI error (e.g. a business calendar that was
    deleted) leaves the figures as they were."""
    now = now or timezone.now()
    try:
        figures = measure(goal, now=now)
    except KpiError:
        return goal
    before = goal.status
    goal.baseline = figures.baseline
    goal.current = figures.current
    goal.forecast = figures.forecast
    goal.status = figures.status
    goal.series = figures.series
    goal.evaluated_at = now
    goal.save(update_fields=["baseline", "current", "forecast", "status", "series", "evaluated_at"])
    if figures.status != before:
        GoalStatusChange.objects.create(
            goal=goal,
            before=before,
            after=figures.status,
            current=figures.current,
            forecast=figures.forecast,
            at=now,
        )
        if tell:
            _tell(goal, before)
    return goal


def _tell(goal: Goal, before: str) -> None:
    people = {
        u.pk: u
        for u in User.objects.filter(is_active=True).filter(
            Q(role=Role.MANAGER) | Q(pk=goal.owner_id)
        )
    }
    kpi = kpis.get(goal.kpi)
    name, status = goal.name, goal.status
    deadline = goal.deadline

    def title() -> str:
        return gettext("Goal “%(name)s” is now %(status)s") % {
            "name": name,
            "status": GoalStatus(status).label,
        }

    notify(
        people.values(),
        kind=Notification.Kind.GOAL,
        path=reverse("goals:goal", args=[goal.pk]),
        title=title,
        template="goals/goals/email/status.txt",
        context={
            "goal": goal,
            "before": GoalStatus(before).label,
            "after": GoalStatus(status).label,
            "current": lambda: kpi.format(goal.current),
            "forecast": lambda: kpi.format(goal.forecast),
            "target": lambda: kpi.format(goal.target),
            "deadline": lambda: date_format(deadline, "SHORT_DATE_FORMAT"),
        },
    )


def refresh_due(now: datetime | None = None) -> int:
    """Evaluate each open goal not evaluated for GOALS_REFRESH_MINUTES (and those whose
    deadline passed since, so "reached"/"missed" arrive on the day); return how many."""
    now = now or timezone.now()
    stale = now - timedelta(minutes=settings.GOALS_REFRESH_MINUTES)
    due = Goal.objects.filter(archived_at__isnull=True).filter(
        Q(evaluated_at__isnull=True) | Q(evaluated_at__lte=stale)
    )
    done = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            # Claimed: a goal another worker evaluates now is skipped, one it evaluated a
            # moment ago is no longer due, so a change of status is told once.
            goal = due.select_for_update(skip_locked=True, no_key=True).filter(pk=pk).first()
            if goal is None:
                continue
            evaluate(goal, now=now)
        done += 1
    return done


__all__ = [
    "TARGET_LIMIT",
    "check",
    "evaluate",
    "goal_archive",
    "goal_create",
    "goal_update",
    "refresh_due",
]
