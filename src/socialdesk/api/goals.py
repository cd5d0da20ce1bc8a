"""REST API: goals (list, get, set, change, archive) with the same rules as the goal pages.

Everyone reads the goals `goals_for_user` gives them; managers and admins write, through
`goal_services` (a wrong value is a 422 naming each field, and nothing is stored). Targets are
raw numbers in the KPI's unit (a share 0…1, a duration in seconds) or text as people write
them: `"95%"`, `"24h"`, `"90m"`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Router, Schema, Status
from pydantic import Field, StrictFloat, StrictInt

from socialdesk.accounts.models import Department, User
from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.core.http import ApiRequest
from socialdesk.goals import goal_services
from socialdesk.goals.goal_data import parse_target
from socialdesk.goals.goal_models import NAME_LIMIT, Goal, GoalStatus
from socialdesk.goals.goal_selectors import goal_for_user, goals_for_user
from socialdesk.goals.strategy_models import Objective

router = Router(tags=["KPIs and goals"])
LIST_LIMIT = 1000  # entries of a scope list beyond which a request is not a goal
SCOPE_TEXT = 100

Target = Annotated[
    StrictFloat | StrictInt | Annotated[Text, Field(max_length=40)],
    Field(union_mode="left_to_right"),
]
ScopeText = Annotated[Text, Field(max_length=SCOPE_TEXT)]


class DepartmentRef(Schema):
    id: int
    name: str


class GoalOut(Schema):
    id: int
    name: str
    kpi: str
    params: dict[str, str]
    target: float
    comparison: str
    baseline: float | None
    current: float | None
    forecast: float | None
    status: GoalStatus
    start: date
    deadline: date
    accounts: list[str]
    departments: list[DepartmentRef]
    tags: list[str]
    business_hours: str
    owner: str | None
    objective_id: int | None
    series: list[list[Any]]
    evaluated_at: datetime | None
    archived: bool

    @staticmethod
    def of(goal: Goal) -> GoalOut:
        return GoalOut(
            id=goal.pk,
            name=goal.name,
            kpi=goal.kpi,
            params=dict(goal.params),
            target=goal.target,
            comparison=goal.comparison,
            baseline=goal.baseline,
            current=goal.current,
            forecast=goal.forecast,
            status=GoalStatus(goal.status),
            start=goal.start,
            deadline=goal.deadline,
            accounts=list(goal.accounts),
            departments=[DepartmentRef(id=d.pk, name=d.name) for d in goal.departments.all()],
            tags=list(goal.tags),
            business_hours=goal.business_hours,
            owner=goal.owner.email if goal.owner else None,
            objective_id=goal.objective_id,
            series=goal.series,
            evaluated_at=goal.evaluated_at,
            archived=goal.archived_at is not None,
        )


class GoalIn(Schema):
    name: Text = Field(max_length=NAME_LIMIT)
    kpi: Text = Field(max_length=64, description="a KPI's name, see /kpis")
    params: dict[Annotated[Text, Field(max_length=64)], ScopeText] = Field(
        default_factory=dict, max_length=20
    )
    target: Target = Field(description='a number in the KPI\'s unit, or "95%", "24h"')
    comparison: Text = Field("ge", max_length=2, description="ge (at least) or le (at most)")
    start: date | None = Field(None, description="default: today")
    deadline: date
    accounts: list[ScopeText] = Field(default_factory=list, max_length=LIST_LIMIT)
    department_ids: list[Id] = Field(default_factory=list, max_length=LIST_LIMIT)
    tags: list[ScopeText] = Field(default_factory=list, max_length=LIST_LIMIT)
    business_hours: ScopeText = ""
    owner_id: Id | None = None
    objective_id: Id | None = None


class GoalPatch(Schema):
    name: Text | None = Field(None, max_length=NAME_LIMIT)
    kpi: Text | None = Field(None, max_length=64)
    params: dict[Annotated[Text, Field(max_length=64)], ScopeText] | None = Field(
        None, max_length=20
    )
    target: Target | None = None
    comparison: Text | None = Field(None, max_length=2)
    start: date | None = None
    deadline: date | None = None
    accounts: list[ScopeText] | None = Field(None, max_length=LIST_LIMIT)
    department_ids: list[Id] | None = Field(None, max_length=LIST_LIMIT)
    tags: list[ScopeText] | None = Field(None, max_length=LIST_LIMIT)
    business_hours: ScopeText | None = None
    owner_id: Id | None = None
    objective_id: Id | None = None


def _out(request: ApiRequest, pk: int) -> GoalOut:
    return GoalOut.of(goal_for_user(request.auth, pk))


class _Errors:
    """Collects the fields that are wrong before the service is asked (it names the rest)."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def note(self, field: str, message: str) -> None:
        self.found.setdefault(field, []).append(message)

    def target(self, raw: float | str, kpi: str) -> float:
        try:
            return parse_target(raw, kpi)
        except ValueError as error:
            self.note("target", str(error))
            return 0.0

    def departments(self, ids: list[int]) -> list[Department]:
        found = list(Department.objects.filter(pk__in=ids))
        missing = sorted(set(ids) - {d.pk for d in found})
        if missing:
            self.note("department_ids", f"No department with id {', '.join(map(str, missing))}.")
        return found

    def owner(self, pk: int | None) -> User | None:
        if pk is None:
            return None
        found = User.objects.filter(pk=pk, is_active=True).first()
        if found is None:
            self.note("owner_id", f"No active person with id {pk}.")
        return found

    def objective(self, pk: int | None) -> Objective | None:
        if pk is None:
            return None
        found = Objective.objects.filter(pk=pk).first()
        if found is None:
            self.note("objective_id", f"No objective with id {pk}.")
        return found

    def raise_with(self, error: ValidationError | None = None) -> None:
        """Raise the fields found here together with those the service named."""
        found = dict(self.found)
        if error is not None:
            for field, messages in error.message_dict.items():
                if _field(field) not in self.found:  # said once, by whoever saw it first
                    found.setdefault(_field(field), []).extend(messages)
        if found:
            raise ValidationError(found)


def _field(service_field: str) -> str:
    """The service's field names as the request spells them."""
    return {"departments": "department_ids", "owner": "owner_id", "objective": "objective_id"}.get(
        service_field, service_field
    )


@router.get("/goals", response=list[GoalOut], **allow("list_goals"))
def list_goals(request: ApiRequest, archived: bool = False) -> list[GoalOut]:
    """The goals you may see (or the archived ones), by deadline, with the figures they keep:
    baseline, current value, forecast, status and the progress series."""
    goals = goals_for_user(request.auth, archived=archived).prefetch_related("departments")
    return [GoalOut.of(g) for g in goals]


@router.get("/goals/{goal_id}", response=GoalOut, **allow("get_goal"))
def get_goal(request: ApiRequest, goal_id: Id) -> GoalOut:
    return _out(request, goal_id)


@router.post("/goals", response={201: GoalOut}, **allow("create_goal"))
def create_goal(request: ApiRequest, payload: GoalIn) -> Any:
    """Set a goal: a KPI with parameters, a target, a comparison (ge/le), start and deadline, a
    scope, an owner and the objective it measures. Its baseline and first figures are computed
    at once. A wrong value is a 422 naming each field; nothing is stored then."""
    errors = _Errors()
    target = errors.target(payload.target, payload.kpi)
    departments = errors.departments(payload.department_ids)
    owner = errors.owner(payload.owner_id)
    objective = errors.objective(payload.objective_id)
    fields: dict[str, Any] = {
        "name": payload.name,
        "kpi": payload.kpi,
        "params": payload.params,
        "target": target,
        "comparison": payload.comparison,
        "deadline": payload.deadline,
        "accounts": payload.accounts,
        "departments": departments,
        "tags": payload.tags,
        "business_hours": payload.business_hours,
    }
    if errors.found:
        try:
            goal_services.check(**fields, start=payload.start or payload.deadline)
        except ValidationError as error:
            errors.raise_with(error)
        errors.raise_with()
    try:
        goal = goal_services.goal_create(
            by=acting(request), **fields, start=payload.start, owner=owner, objective=objective
        )
    except ValidationError as error:
        errors.raise_with(error)
        raise
    return Status(201, _out(request, goal.pk))


@router.patch("/goals/{goal_id}", response=GoalOut, **allow("update_goal"))
def update_goal(request: ApiRequest, goal_id: Id, payload: GoalPatch) -> GoalOut:
    """Change some of a goal's fields (those given); its figures are computed again."""
    goal = goal_for_user(request.auth, goal_id)
    given = payload.model_fields_set
    errors = _Errors()
    changes: dict[str, Any] = {}
    for field in ("name", "kpi", "params", "comparison", "start", "deadline", "accounts",
                  "tags", "business_hours"):  # fmt: skip
        if field in given:
            value = getattr(payload, field)
            if value is None:
                errors.note(field, "This field cannot be empty.")
            else:
                changes[field] = value
    if "target" in given:
        if payload.target is None:
            errors.note("target", "This field cannot be empty.")
        else:
            changes["target"] = errors.target(payload.target, changes.get("kpi", goal.kpi))
    if "owner_id" in given:
        changes["owner"] = errors.owner(payload.owner_id)
    if "objective_id" in given:
        changes["objective"] = errors.objective(payload.objective_id)
    departments = None
    if "department_ids" in given:
        departments = errors.departments(payload.department_ids or [])
    if errors.found:
        merged: dict[str, Any] = {f: getattr(goal, f) for f in goal_services.CHECKED}
        merged.update({k: v for k, v in changes.items() if k in goal_services.CHECKED})
        merged["departments"] = departments if departments is not None else goal.departments.all()
        try:
            goal_services.check(**merged)
        except ValidationError as error:
            errors.raise_with(error)
        errors.raise_with()
    try:
        goal_services.goal_update(by=acting(request), goal=goal, departments=departments, **changes)
    except ValidationError as error:
        errors.raise_with(error)
        raise
    return _out(request, goal_id)


@router.delete("/goals/{goal_id}", response={204: None}, **allow("archive_goal"))
def archive_goal(request: ApiRequest, goal_id: Id) -> Any:
    """Archive a goal: it leaves the lists (see `?archived=true`) and is no longer evaluated."""
    goal_services.goal_archive(by=acting(request), goal=goal_for_user(request.auth, goal_id))
    return Status(204, None)
