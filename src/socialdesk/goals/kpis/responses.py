"""Response KPIs: first responses within a target and response times, from `sla.kpi` and the
recorded SLA outcomes (`sla.outcome_kpi`), the one implementation of each figure."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.utils.translation import gettext_lazy as _

from socialdesk.goals.kpis.registry import (
    Kpi,
    Param,
    Period,
    Query,
    Unit,
    register,
    shared,
    shared_across,
)
from socialdesk.goals.kpis.scoping import (
    ACCOUNTS,
    BUSINESS_HOURS,
    DEPARTMENTS,
    calendar,
    one_account,
)
from socialdesk.sla import clocks, outcome_kpi
from socialdesk.sla import kpi as first_response_kpi
from socialdesk.sla.outcome_kpi import ClockFigures

FAMILY = "responses"
WITHIN = Param("within", "duration", "24h", _("target, e.g. 24h, 90m, 1d"))


def _first_response(
    query: Query, *, percentiles: bool = True
) -> first_response_kpi.FirstResponseKpi:
    """`socialdesk kpi first-response` over the period's days (first message in the period);
    shared by the three first-response KPIs on one page (`one_moment`), and computed for the
    page's periods together (`one_moment(periods=…)`, `first_responses`)."""
    within = query.params.get("within") or WITHIN.parse(WITHIN.default)

    def compute(full: bool) -> first_response_kpi.FirstResponseKpi:
        return first_response_kpi.first_response(
            within=within,
            user=query.scope.user,
            account=one_account(query.scope),
            since=query.period.start,
            until=query.period.last_day,
            calendar=calendar(query.scope),
            calendar_name=query.scope.business_hours or None,
            now=query.now,
            breakdown=False,
            departments=query.scope.departments,
            percentiles=percentiles or full,
        )

    def together(periods: tuple[Period, ...]) -> list[first_response_kpi.FirstResponseKpi]:
        return first_response_kpi.first_responses(
            periods=[(period.start, period.last_day) for period in periods],
            within=within,
            user=query.scope.user,
            account=one_account(query.scope),
            calendar=calendar(query.scope),
            calendar_name=query.scope.business_hours or None,
            now=query.now,
            departments=query.scope.departments,
        )

    def key_of(period: Period) -> Hashable:
        return ("first_response", period, query.scope, query.now, within)

    return shared_across(key_of, query.period, together, alone=compute)


register(
    Kpi(
        name="first_response_within",
        label=_("First responses within the target"),
        description=_(
            "Share of questions (conversations that start with a customer's message needing a "
            "reply) answered within the target. Questions not answered yet and still inside "
            "the target are pending: neither met nor missed. The same figure as "
            "“socialdesk kpi first-response”."
        ),
        unit=Unit.SHARE,
        params=(WITHIN,),
        scopes=frozenset({ACCOUNTS, DEPARTMENTS, BUSINESS_HOURS}),
        family=FAMILY,
        compute=lambda q: _first_response(q, percentiles=False).rate_within,
    )
)
register(
    Kpi(
        name="first_response_median",
        label=_("Median first response time"),
        description=_(
            "Half of the answered questions got their first response faster than this "
            "(questions whose first message lies in the period)."
        ),
        unit=Unit.DURATION,
        scopes=frozenset({ACCOUNTS, DEPARTMENTS, BUSINESS_HOURS}),
        family=FAMILY,
        compute=lambda q: _first_response(q).median_seconds,
    )
)
register(
    Kpi(
        name="first_response_p90",
        label=_("First response time, 90th percentile"),
        description=_("Nine in ten answered questions got their first response faster than this."),
        unit=Unit.DURATION,
        scopes=frozenset({ACCOUNTS, DEPARTMENTS, BUSINESS_HOURS}),
        family=FAMILY,
        compute=lambda q: _first_response(q).p90_seconds,
    )
)


def _clock(
    kind: str, pick: Callable[[ClockFigures], float | None], *, times: bool = True
) -> Callable[[Query], float | None]:
    """`times=False` for a share: alone, the counts without the counting times."""

    def compute(query: Query) -> float | None:
        def figures_of(full: bool) -> outcome_kpi.SlaKpi:
            """On a page of KPIs (`full`) every figure of every kind at once, shared by the
            seven SLA KPIs: the times come in the same pass as the counts."""
            return outcome_kpi.sla_kpi(
                user=query.scope.user,
                account=one_account(query.scope),
                since=query.period.start,
                until=query.period.last_day,
                now=query.now,
                kinds=clocks.KINDS if full else (kind,),
                departments=query.scope.departments,
                times=times or full,
            )

        key = ("sla", query.period, query.scope, query.now)
        figures = shared(key, figures_of, alone=(kind, times))
        value: ClockFigures = getattr(figures, kind)
        return pick(value)

    return compute


_MET_LABELS = {
    "first_response": _("SLA met: first response"),
    "next_response": _("SLA met: next response"),
    "resolution": _("SLA met: resolution"),
}
_TIME_LABELS = {
    "next_response": (_("Median next response time"), _("Next response time, 90th percentile")),
    "resolution": (_("Median resolution time"), _("Resolution time, 90th percentile")),
}

for _kind, _label in _MET_LABELS.items():
    register(
        Kpi(
            name=f"sla_met_{_kind}",
            label=_label,
            description=_(
                "Share of the SLA clocks of this kind (started in the period) that stopped "
                "within their target. A clock still running inside its target is pending and "
                "not counted; a late answer is never met."
            ),
            unit=Unit.SHARE,
            scopes=frozenset({ACCOUNTS, DEPARTMENTS}),
            family=FAMILY,
            compute=_clock(_kind, lambda f: f.rate_met, times=False),
        )
    )

for _kind, (_median, _p90) in _TIME_LABELS.items():
    register(
        Kpi(
            name=f"{_kind}_median",
            label=_median,
            description=_(
                "Half of the stopped SLA clocks of this kind (started in the period) stopped "
                "faster than this (counting time: pauses left out, open hours with business "
                "hours)."
            ),
            unit=Unit.DURATION,
            scopes=frozenset({ACCOUNTS, DEPARTMENTS}),
            family=FAMILY,
            compute=_clock(_kind, lambda f: f.median_seconds),
        )
    )
    register(
        Kpi(
            name=f"{_kind}_p90",
            label=_p90,
            description=_(
                "Nine in ten stopped SLA clocks of this kind (started in the period) stopped "
                "faster than this."
            ),
            unit=Unit.DURATION,
            scopes=frozenset({ACCOUNTS, DEPARTMENTS}),
            family=FAMILY,
            compute=_clock(_kind, lambda f: f.p90_seconds),
        )
    )
