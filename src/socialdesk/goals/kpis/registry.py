"""The KPI registry: every figure socialdesk measures, as a named, documented computation.

A `Kpi` has a stable `name` (used by the CLI, the API and saved goals), a translated label and
description, a `unit` (share 0…1, duration in seconds, count, number), typed `params` with
defaults, the `scopes` it can be narrowed to (channel accounts, departments, tags, business
hours) and one function `compute(query) -> float | None` (None: nothing to measure, e.g. no
decided conversation). Everything else is derived here, the same way for every KPI:

- `value(period)`: the figure over a period of whole days `[start, end)` in the organisation's
  time zone (`Period`; `end` is exclusive);
- `series(period, by)`: one value per day, week (Monday first) or calendar month;
- `change(period)`: the value, the value of the previous period of the same length, and the
  difference.

A KPI whose source is not built yet has `available = False` and a `reason`; pickers list
`available()` only. The KPIs live in `goals/kpis/<family>.py` and read through the apps' own
selectors and KPI functions (`sla.kpi`, `sla.outcome_kpi`), never a copy of their logic.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise

from socialdesk.accounts.models import Organisation, User
from socialdesk.core.durations import human_duration
from socialdesk.sla.kpi import parse_duration


class KpiError(ValueError):
    """A KPI, parameter or scope that does not exist or does not fit (a message for people)."""


class Unit(StrEnum):
    SHARE = "share"  # 0 … 1, shown as a percentage
    DURATION = "duration"  # seconds, shown as "2 h 14 min"
    COUNT = "count"  # a whole number of things
    NUMBER = "number"  # an average or another number with decimals


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Param:
    """One parameter of a KPI: `kind` is "duration" ("24h"), "choice" or "text"."""

    name: str
    kind: str
    default: str
    help: str | Promise = ""
    choices: tuple[str, ...] = ()

    def parse(self, text: str) -> Any:
        if self.kind == "duration":
            try:
                value = parse_duration(text)
            except ValueError as error:
                raise KpiError(f"{self.name}: {error}") from None
            if value <= timedelta(0):
                raise KpiError(f"{self.name}: {text!r} must be longer than zero")
            return value
        if self.kind == "choice":
            if text not in self.choices:
                raise KpiError(f"{self.name}: {text!r} is not one of {', '.join(self.choices)}")
            return text
        return text.strip()


@dataclass(frozen=True)
class Scope:
    """What a figure covers: the person it is for (None: everything, the operator's CLI) and
    optional narrowing to channel accounts (handles), departments (ids), tags (names) and a
    business calendar (its name; where the KPI counts time)."""

    user: User | None = None
    accounts: tuple[str, ...] = ()
    departments: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    business_hours: str = ""

    def used(self) -> set[str]:
        names = ("accounts", "departments", "tags", "business_hours")
        return {name for name in names if getattr(self, name)}


@dataclass(frozen=True)
class Period:
    """Whole days `[start, end)` in the organisation's time zone (`end` not included)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise KpiError("a period ends after it starts")

    @classmethod
    def of_days(cls, since: date, until: date) -> Period:
        """The days `since` … `until`, both included (as the CLI's --since/--until)."""
        return cls(since, until + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.start - timedelta(days=self.days), self.start)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes (midnight to midnight; DST days are 23 or 25 h)."""
        zone = ZoneInfo(Organisation.current().time_zone)
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def split(self, by: Grain) -> list[Period]:
        """Buckets of a day, a week (from Monday) or a month, cut to the period."""
        buckets, day = [], self.start
        while day < self.end:
            if by == Grain.DAY:
                nxt = day + timedelta(days=1)
            elif by == Grain.WEEK:
                nxt = day + timedelta(days=7 - day.weekday())
            else:
                nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            buckets.append(Period(day, min(nxt, self.end)))
            day = nxt
        return buckets


@dataclass(frozen=True)
class Query:
    """What `compute` gets: the period, the parsed parameters, the scope and "now"."""

    period: Period
    params: Mapping[str, Any]
    scope: Scope
    now: datetime

    @property
    def start(self) -> datetime:
        return self.period.bounds()[0]

    @property
    def end(self) -> datetime:
        return self.period.bounds()[1]


@dataclass(frozen=True)
class Point:
    period: Period
    value: float | None


@dataclass(frozen=True)
class Change:
    value: float | None
    previous: float | None
    previous_period: Period

    @property
    def delta(self) -> float | None:
        """Value minus the previous value (percentage points for shares)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str | Promise
    description: str | Promise
    unit: Unit
    compute: Callable[[Query], float | None] | None
    params: tuple[Param, ...] = ()
    scopes: frozenset[str] = frozenset()
    family: str = ""
    # A figure of this moment (e.g. the backlog now): no history, no series, no change.
    point_in_time: bool = False
    available: bool = True
    reason: str | Promise = ""
    extra: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- parameters and scope
    def parse_params(self, raw: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Parse `{"within": "24h"}`; missing ones take their default. Raises KpiError."""
        raw = dict(raw or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            allowed = ", ".join(known) or "none"
            raise KpiError(f"{self.name} has no parameter {unknown[0]!r} (it has: {allowed})")
        return {name: p.parse(raw.get(name, p.default)) for name, p in known.items()}

    def check_scope(self, scope: Scope) -> None:
        unsupported = sorted(scope.used() - self.scopes)
        if unsupported:
            raise KpiError(f"{self.name} cannot be narrowed by {', '.join(unsupported)}")

    def _query(
        self,
        period: Period,
        params: Mapping[str, str] | None,
        scope: Scope | None,
        now: datetime | None,
    ) -> Query:
        if not self.available or self.compute is None:
            raise KpiError(f"{self.name} is not available: {self.reason}")
        scope = scope or Scope()
        self.check_scope(scope)
        moment = _MOMENT.get()
        now = now or (moment.now if moment is not None else timezone.now())
        return Query(period, self.parse_params(params), scope, now)

    # ---------------------------------------------------------------- figures
    def value(
        self,
        period: Period,
        *,
        params: Mapping[str, str] | None = None,
        scope: Scope | None = None,
        now: datetime | None = None,
    ) -> float | None:
        query = self._query(period, params, scope, now)
        assert self.compute is not None
        return self.compute(query)

    def series(
        self,
        period: Period,
        by: Grain | str = Grain.WEEK,
        *,
        params: Mapping[str, str] | None = None,
        scope: Scope | None = None,
        now: datetime | None = None,
    ) -> list[Point]:
        """One value per day/week/month of the period (none for a point-in-time KPI)."""
        query = self._query(period, params, scope, now)
        if self.point_in_time:
            return []
        assert self.compute is not None
        return [
            Point(bucket, self.compute(Query(bucket, query.params, query.scope, query.now)))
            for bucket in period.split(Grain(by))
        ]

    def change(
        self,
        period: Period,
        *,
        params: Mapping[str, str] | None = None,
        scope: Scope | None = None,
        now: datetime | None = None,
    ) -> Change:
        """The value and the value of the previous period of the same length."""
        query = self._query(period, params, scope, now)
        assert self.compute is not None
        before = period.previous()
        previous = (
            None
            if self.point_in_time
            else self.compute(Query(before, query.params, query.scope, query.now))
        )
        return Change(self.compute(query), previous, before)

    # ---------------------------------------------------------------- for people
    def format(self, value: float | None) -> str:
        """A value as people read it in the active language ("87,5 %", "2 Std. 14 Min.")."""
        return format_value(self.unit, value)

    def shown_as_zero(self, delta: float) -> bool:
        """Whether a change is too small to show in the KPI's unit (0.04 percentage points,
        0.3 s): it then reads "±0,0 Pp." and points neither up nor down."""
        if self.unit == Unit.SHARE:
            return round(abs(delta) * 100, 1) == 0
        return format_value(self.unit, abs(delta)) == format_value(self.unit, 0.0)

    def format_delta(self, delta: float | None) -> str:
        if delta is None:
            return "–"
        sign = "±" if self.shown_as_zero(delta) else "+" if delta > 0 else "−"
        if self.unit == Unit.SHARE:
            from django.utils.translation import gettext

            points = number_format(round(abs(delta) * 100, 1), 1, force_grouping=True)
            text = gettext("%(sign)s%(points)s pp") % {"sign": sign, "points": points}
            return text.replace(" ", "\u00a0")  # percentage points, never broken apart
        return sign + format_value(self.unit, abs(delta))


def format_value(unit: Unit, value: float | None) -> str:
    if value is None:
        return "–"
    if unit == Unit.SHARE:
        return number_format(round(value * 100, 1), 1, force_grouping=True) + "\u00a0%"
    if unit == Unit.DURATION:
        return human_duration(value)
    if unit == Unit.COUNT:
        return number_format(round(value), force_grouping=True)
    return number_format(round(value, 1), 1, force_grouping=True)


@dataclass
class _Moment:
    now: datetime
    every: bool = True  # shared computations give every figure their KPIs could want
    periods: tuple[Period, ...] = ()  # the page's periods, computed together where they can be
    figures: dict[Hashable, Any] = field(default_factory=dict)


_MOMENT: ContextVar[_Moment | None] = ContextVar("kpi_moment", default=None)


@contextmanager
def one_moment(
    now: datetime | None = None, *, every: bool = True, periods: Sequence[Period] = ()
) -> Iterator[None]:
    """The figures computed inside are of one moment (`now`, unless a call names its own) and
    share what they have in common: a page of KPIs reads the first-response figures for its
    share, median and 90th percentile once, and the SLA clocks once for all seven of theirs.

    `every=False` for a page that shows a few of the figures (a dashboard): what a KPI asks
    `shared` with `alone` is computed for it alone (the dashboard's one SLA figure, the share
    of first-response clocks met, reads that kind's clocks without their times: at 10 million
    messages a quarter's SLA read took 420 ms for all kinds and times).

    `periods`: the periods the page shows (a period and the one it is compared with); a
    computation that can do several at once (`shared_across`) does them together when the
    first of them is asked."""
    token = _MOMENT.set(_Moment(now or timezone.now(), every, tuple(periods)))
    try:
        with Organisation.remembered():  # its time zone, asked by every figure's bounds
            yield
    finally:
        _MOMENT.reset(token)


def shared[T](key: Hashable, compute: Callable[[bool], T], *, alone: Hashable = None) -> T:
    """`compute(full)` once per key inside `one_moment` (with `full=True`: every figure the
    KPIs sharing it could want); outside, each call computes just its own (`full=False`).
    `alone`: what the calling KPI asks for itself (part of the key) in a moment that does not
    compute every figure (`one_moment(every=False)`), where it gets `compute(False)`."""
    moment = _MOMENT.get()
    if moment is None:
        return compute(False)
    full = moment.every or alone is None
    if not full:
        key = (key, alone)
    if key not in moment.figures:
        moment.figures[key] = compute(full)
    value: T = moment.figures[key]
    return value


def shared_across[T](
    key_of: Callable[[Period], Hashable],
    period: Period,
    together: Callable[[tuple[Period, ...]], list[T]],
    *,
    alone: Callable[[bool], T],
) -> T:
    """Like `shared` for a computation that can do several periods at once: in one moment
    the figure of `key_of(period)` once, and when the moment names its periods and this is one
    of them, `together(periods)` computes every one not yet known in one go (each the full
    figure). Outside a moment: `alone(False)`."""
    moment = _MOMENT.get()
    if moment is None:
        return alone(False)
    key = key_of(period)
    if key not in moment.figures:
        batch = moment.periods if period in moment.periods else (period,)
        missing = tuple(p for p in batch if key_of(p) not in moment.figures)
        for each, value in zip(missing, together(missing), strict=True):
            moment.figures[key_of(each)] = value
    found: T = moment.figures[key]
    return found


REGISTRY: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    if kpi.name in REGISTRY:
        raise ValueError(f"KPI {kpi.name!r} registered twice")
    REGISTRY[kpi.name] = kpi
    return kpi


def get(name: str) -> Kpi:
    """The KPI of that name; KpiError (naming the known ones) for an unknown name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KpiError(f"no KPI {name!r} (there are: {', '.join(sorted(REGISTRY))})") from None


FAMILIES = ("responses", "inbox", "feedback", "publishing", "listening")


def all_kpis() -> list[Kpi]:
    """Every KPI, responses first (the team's promise), then by family and registration."""
    order = {name: index for index, name in enumerate(REGISTRY)}
    return sorted(
        REGISTRY.values(),
        key=lambda k: (FAMILIES.index(k.family) if k.family in FAMILIES else 99, order[k.name]),
    )


def available() -> list[Kpi]:
    """The KPIs a picker offers: those whose source is built."""
    return [k for k in all_kpis() if k.available]
