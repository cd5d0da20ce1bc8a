"""REST API: the KPI registry (`/kpis`) and one KPI over a period (`/kpis/{name}`).

A KPI's figures are computed for the token's person: only what that person may see is counted
(the same scope as the pages). Parameters come as `param.<name>=<value>` in the query string,
e.g. `/api/v1/kpis/first_response_within?param.within=24h&since=2026-11-01&until=2026-11-30`.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from socialdesk.api.auth import allow
from socialdesk.api.inputs import Id, Text
from socialdesk.core.http import ApiRequest
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Grain, Kpi, KpiError, Period, Scope

router = Router(tags=["KPIs and goals"])
MAX_DAYS = 3 * 366 + 31
PARAM_PREFIX = "param."
SCOPE_LIMIT = 50


class ParamOut(Schema):
    name: str
    type: str
    default: str
    help: str
    choices: list[str]


class KpiOut(Schema):
    name: str
    label: str
    description: str
    unit: str
    family: str
    params: list[ParamOut]
    scopes: list[str]
    point_in_time: bool
    available: bool
    reason: str

    @staticmethod
    def of(kpi: Kpi) -> KpiOut:
        return KpiOut(
            name=kpi.name,
            label=str(kpi.label),
            description=str(kpi.description),
            unit=kpi.unit.value,
            family=kpi.family,
            params=[
                ParamOut(
                    name=p.name,
                    type=p.kind,
                    default=p.default,
                    help=str(p.help),
                    choices=list(p.choices),
                )
                for p in kpi.params
            ],
            scopes=sorted(kpi.scopes),
            point_in_time=kpi.point_in_time,
            available=kpi.available,
            reason=str(kpi.reason),
        )


class PointOut(Schema):
    start: date
    until: date
    value: float | None
    value_text: str


class KpiValueOut(Schema):
    name: str
    unit: str
    params: dict[str, str]
    since: date
    until: date
    value: float | None
    value_text: str
    previous: float | None
    previous_since: date
    previous_until: date
    change: float | None
    change_text: str
    by: Grain
    series: list[PointOut]


class KpiFilter(Schema):
    since: date | None = Field(None, description="first day; default: 4 weeks before `until`")
    until: date | None = Field(None, description="last day, included; default: yesterday")
    by: Grain = Grain.WEEK
    account: list[Text] = Field(default_factory=list, max_length=SCOPE_LIMIT)
    department_id: list[Id] = Field(default_factory=list, max_length=SCOPE_LIMIT)
    tag: list[Text] = Field(default_factory=list, max_length=SCOPE_LIMIT)
    business_hours: Text = Field("", max_length=100)


@router.get("/kpis", response=list[KpiOut], **allow("list_kpis"))
def list_kpis(request: ApiRequest) -> list[KpiOut]:
    """Every KPI socialdesk measures: parameters, unit, what it can be narrowed to, and whether
    its source is built (`available`; `reason` says what is missing)."""
    return [KpiOut.of(k) for k in kpis.all_kpis()]


def _params(request: ApiRequest) -> dict[str, str]:
    params: dict[str, str] = {}
    for key in request.GET:
        value = request.GET.get(key, "")
        if key.startswith(PARAM_PREFIX):
            name = key.removeprefix(PARAM_PREFIX)
            if "\x00" in value or "\x00" in name or len(value) > 100:
                raise ValidationError({key: "This value is not valid here."})
            params[name] = value
    return params


@router.get("/kpis/{name}", response=KpiValueOut, **allow("get_kpi"))
def get_kpi(request: ApiRequest, name: Text, filters: Query[KpiFilter]) -> KpiValueOut:
    """One KPI over the days `since` … `until` (both included): the value, the previous period
    of the same length and the change, and the series by day, week or month. Parameters as
    `param.<name>=<value>`; only what the token's person may see is counted."""
    if name not in kpis.REGISTRY:
        raise Http404
    kpi = kpis.get(name)
    until = filters.until or timezone.localdate() - timedelta(days=1)
    since = filters.since or until - timedelta(days=27)
    if since > until:
        raise ValidationError({"since": "The first day comes before the last day (until)."})
    if (until - since).days > MAX_DAYS:
        raise ValidationError({"since": "Ask for at most three years at a time."})
    raw = _params(request)
    scope = Scope(
        user=request.auth,
        accounts=tuple(filters.account),
        departments=tuple(filters.department_id),
        tags=tuple(filters.tag),
        business_hours=filters.business_hours,
    )
    period = Period.of_days(since, until)
    try:
        kpi.parse_params(raw)
    except KpiError as error:
        raise ValidationError({"params": str(error)}) from None
    try:
        change = kpi.change(period, params=raw, scope=scope)
        series = kpi.series(period, filters.by, params=raw, scope=scope)
    except KpiError as error:
        raise ValidationError({"name" if not kpi.available else "scope": str(error)}) from None
    return KpiValueOut(
        name=kpi.name,
        unit=kpi.unit.value,
        params={p.name: raw.get(p.name, p.default) for p in kpi.params},
        since=since,
        until=until,
        value=change.value,
        value_text=kpi.format(change.value),
        previous=None if kpi.point_in_time else change.previous,
        previous_since=change.previous_period.start,
        previous_until=change.previous_period.last_day,
        change=None if kpi.point_in_time else change.delta,
        change_text=kpi.format_delta(None if kpi.point_in_time else change.delta),
        by=Grain(filters.by),
        series=[
            PointOut(
                start=p.period.start,
                until=p.period.last_day,
                value=p.value,
                value_text=kpi.format(p.value),
            )
            for p in series
        ],
    )
