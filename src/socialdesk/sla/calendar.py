"""The time engine behind response-time SLAs: business hours, holidays and paused clocks.

Business hours are wall-clock hours in the calendar's time zone: "9:00-17:00" means from
the moment the office clock shows 9:00 until it shows 17:00, however long that is in real
time. On the days the clocks change (Europe/Berlin: last Sunday of March and of October)
an opening block that spans the change is an hour shorter or longer.

Every wall-clock time maps to the first instant at which the local clock shows it or a
later time. A time that falls into the spring-forward gap therefore maps to the moment
of the jump, and a time that occurs twice in autumn maps to its first occurrence. The
mapping never runs backwards, so blocks that touch on the wall clock touch in real time.

`datetime.time` cannot say 24:00, so a block that ends at `time(0)` ends at midnight at
the end of its day: `(time(0), time(0))` is a whole day, `(time(18), time(0))` an evening.

All arithmetic happens in UTC: Python subtracts and compares two datetimes that share a
`ZoneInfo` by their wall-clock fields, which is off by the DST shift across a change.
Results come back in local time; one that falls in the repeated autumn hour never
compares equal to a datetime in another zone (PEP 495), so compare such results after
`astimezone(UTC)`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The package's top level loads countries lazily, which hides them from mypy.
from holidays.countries.germany import Germany as GermanHolidays

type Block = tuple[time, time]
type WeeklyHours = dict[int, tuple[Block, ...]]
type SlaState = Literal["met", "breached", "at_risk", "on_track", "paused"]
type _Interval = tuple[datetime, datetime]

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_MIDNIGHT = time(0)


def opening_hours(weekdays: Iterable[int], *blocks: Block) -> WeeklyHours:
    """Return weekly hours that open each of `weekdays` (0 = Monday) with the same blocks."""
    return {weekday: tuple(blocks) for weekday in weekdays}


def _format_time(value: time) -> str:
    """Format a block boundary the way people write opening hours."""
    if value.second or value.microsecond:
        return value.isoformat()
    return value.strftime("%H:%M")


def _format_block(block: Block) -> str:
    """Format a block as `09:00-17:00`, with a midnight end shown as 24:00."""
    end = "24:00" if block[1] == _MIDNIGHT else _format_time(block[1])
    return f"{_format_time(block[0])}-{end}"


def _offset_in_day(value: time) -> timedelta:
    """Return how far `value` lies after midnight on the wall clock."""
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def _block_bounds(block: Block) -> tuple[timedelta, timedelta]:
    """Return a block's start and end as wall-clock offsets, a midnight end being 24 h."""
    start, end = block
    return _offset_in_day(start), _DAY if end == _MIDNIGHT else _offset_in_day(end)


def _require_aware(name: str, value: datetime) -> None:
    """Raise ValueError unless `value` carries a UTC offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _normalise_day(weekday: object, blocks: object) -> tuple[Block, ...]:
    """Return a day's blocks sorted, or raise ValueError naming what is wrong with them."""
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
        raise ValueError(f"weekday {weekday!r} is not 0 (Monday) to 6 (Sunday)")
    day_name = WEEKDAY_NAMES[weekday]
    if not isinstance(blocks, Iterable):
        raise ValueError(f"opening hours for {day_name} must be a sequence of (start, end)")
    checked: list[Block] = []
    for block in blocks:
        if not (
            isinstance(block, tuple)
            and len(block) == 2
            and all(isinstance(part, time) for part in block)
        ):
            raise ValueError(f"opening block {block!r} on {day_name} is not a (time, time) pair")
        start, end = block
        if start.tzinfo is not None or end.tzinfo is not None:
            # The calendar's own time zone decides; a second one on the block would conflict.
            raise ValueError(f"opening block {block!r} on {day_name} must use naive times")
        # `fold` only matters for instants; on an opening plan 9:00 is 9:00.
        pair = (start.replace(fold=0), end.replace(fold=0))
        begin, finish = _block_bounds(pair)
        if finish <= begin:
            raise ValueError(
                f"opening block {_format_block(pair)} on {day_name} does not end after it starts"
            )
        checked.append(pair)
    checked.sort(key=_block_bounds)
    for earlier, later in itertools.pairwise(checked):
        if _block_bounds(later)[0] < _block_bounds(earlier)[1]:
            raise ValueError(
                f"opening blocks {_format_block(earlier)} and {_format_block(later)}"
                f" on {day_name} overlap"
            )
    return tuple(checked)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday in one time zone, minus closed days.

    `weekly_hours` maps a weekday (0 = Monday) to its opening blocks; a weekday that is
    missing is closed. `holidays` are local dates on which nothing is open.
    """

    time_zone: str
    # A dict cannot be hashed; leaving it out of the hash keeps calendars usable as keys.
    weekly_hours: WeeklyHours = field(hash=False)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        """Validate the input and keep private, sorted copies of it."""
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        if not isinstance(self.weekly_hours, Mapping):
            raise ValueError("weekly_hours must map weekdays (0 = Monday) to opening blocks")
        checked = {day: _normalise_day(day, blocks) for day, blocks in self.weekly_hours.items()}
        hours = dict(sorted(checked.items()))
        closed = frozenset(self.holidays)
        for day in closed:
            # A datetime never equals the date it falls on, so it would never close anything.
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"closed day {day!r} is not a datetime.date")
        # A copy shields the frozen calendar from later changes to the caller's dict.
        object.__setattr__(self, "weekly_hours", hours)
        object.__setattr__(self, "holidays", closed)

    @classmethod
    def german(
        cls,
        *,
        time_zone: str = "Europe/Berlin",
        state: str | None = None,
        years: range,
        hours: Mapping[int, Sequence[Block]] | None = None,
        extra_closed_days: Iterable[date] = (),
    ) -> BusinessCalendar:
        """Build a calendar closed on German public holidays of `years`, nationwide or in `state`.

        `state` is a federal state code such as "BY", "BE" or "NW"; None means only the
        nationwide holidays. `hours` defaults to Monday to Friday, 9:00-17:00. Holidays
        are only known for `years`, so pick a range that covers every deadline.
        """
        try:
            public = GermanHolidays(subdiv=state, years=years)
        except NotImplementedError as error:
            known = ", ".join(GermanHolidays.subdivisions)
            raise ValueError(f"unknown German state {state!r}; known: {known}") from error
        if hours is None:
            hours = opening_hours(range(5), (time(9), time(17)))
        return cls(
            time_zone=time_zone,
            weekly_hours={weekday: tuple(blocks) for weekday, blocks in hours.items()},
            holidays=frozenset(public.keys()) | frozenset(extra_closed_days),
        )

    @property
    def zone(self) -> ZoneInfo:
        """Return the calendar's time zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.time_zone)

    @property
    def weekly_open_time(self) -> timedelta:
        """Return the wall-clock open time of a week without holidays or clock changes."""
        total = _ZERO
        for blocks in self.weekly_hours.values():
            for block in blocks:
                begin, finish = _block_bounds(block)
                total += finish - begin
        return total


def _instant(zone: ZoneInfo, day: date, wall: timedelta) -> datetime:
    """Return, in UTC, the first instant at which the local clock shows `day` + `wall` or later."""
    local = datetime.combine(day, _MIDNIGHT) + wall
    # fold=0 picks the first occurrence of a time that the autumn change repeats.
    candidate = local.replace(tzinfo=zone).astimezone(UTC)
    if candidate.astimezone(zone).replace(tzinfo=None) == local:
        return candidate
    # The wall time lies in a spring-forward gap: the answer is the moment of the jump.
    # fold=1 reads it with the offset after the jump (an instant before it), fold=0 with
    # the offset before (an instant after it); search whole seconds in between, since
    # tz data changes offsets on whole seconds.
    after = candidate
    before = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    new_offset = after.astimezone(zone).utcoffset()
    low = int(before.timestamp())
    high = math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == new_offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _day_intervals(calendar: BusinessCalendar, zone: ZoneInfo, day: date) -> list[_Interval]:
    """Return the open stretches of one local day as UTC (start, end) pairs."""
    if day in calendar.holidays:
        return []
    intervals: list[_Interval] = []
    for block in calendar.weekly_hours.get(day.weekday(), ()):
        begin, finish = _block_bounds(block)
        opens, closes = _instant(zone, day, begin), _instant(zone, day, finish)
        # A block that lies entirely inside a spring-forward gap is never open.
        if closes > opens:
            intervals.append((opens, closes))
    return intervals


def _midnight_offset(zone: ZoneInfo, day: date) -> timedelta | None:
    """Return the UTC offset in force when `day` begins."""
    return datetime.combine(day, _MIDNIGHT, tzinfo=zone).utcoffset()


def _is_plain_week(calendar: BusinessCalendar, zone: ZoneInfo, first_day: date) -> bool:
    """Tell whether the week from `first_day` is open exactly its nominal weekly time.

    That holds when no day is closed and the UTC offset stays put. Comparing the offset
    at the eight midnights catches every change unless two cancel out within one day,
    which no zone in the tz database does.
    """
    days = [first_day + timedelta(days=n) for n in range(8)]
    if any(day in calendar.holidays for day in days[:7]):
        return False
    offset = _midnight_offset(zone, first_day)
    return all(_midnight_offset(zone, day) == offset for day in days[1:])


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """Return the instant at which `duration` of open time has passed since `start`.

    Counting begins at `start`, or at the next opening if `start` is outside the hours.
    The result is in the calendar's time zone; a zero duration returns `start` itself.
    """
    _require_aware("start", start)
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    weekly = calendar.weekly_open_time
    if weekly == _ZERO:
        raise ValueError(
            f"calendar in {calendar.time_zone} has no open hours, so no business time ever passes"
        )
    zone = calendar.zone
    cursor = start.astimezone(UTC)
    if duration == _ZERO:
        return cursor.astimezone(zone)
    remaining = duration
    # A day earlier than the start's local date costs little and covers clocks that
    # turn back across midnight, where the previous day's hours can still lie ahead.
    day = cursor.astimezone(zone).date() - _DAY
    while True:
        if (
            remaining > weekly
            and _instant(zone, day, _ZERO) >= cursor
            and _is_plain_week(calendar, zone, day)
        ):
            # Long targets skip whole weeks instead of visiting every opening block.
            remaining -= weekly
            day += _WEEK
            continue
        for opens, closes in _day_intervals(calendar, zone, day):
            opens = max(opens, cursor)
            if closes <= opens:
                continue
            if closes - opens >= remaining:
                return (opens + remaining).astimezone(zone)
            remaining -= closes - opens
        day += _DAY


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Return how much open time lies between `start` and `end` (zero if end <= start)."""
    _require_aware("start", start)
    _require_aware("end", end)
    begin, finish = start.astimezone(UTC), end.astimezone(UTC)
    weekly = calendar.weekly_open_time
    if finish <= begin or weekly == _ZERO:
        return _ZERO
    zone = calendar.zone
    # One day of margin on both sides, for clocks that turn back across midnight.
    day = begin.astimezone(zone).date() - _DAY
    last_day = finish.astimezone(zone).date() + _DAY
    total = _ZERO
    while day <= last_day:
        if (
            _instant(zone, day, _ZERO) >= begin
            and _instant(zone, day + _WEEK, _ZERO) <= finish
            and _is_plain_week(calendar, zone, day)
        ):
            total += weekly
            day += _WEEK
            continue
        for opens, closes in _day_intervals(calendar, zone, day):
            opens, closes = max(opens, begin), min(closes, finish)
            if closes > opens:
                total += closes - opens
        day += _DAY
    return total


@dataclass(frozen=True)
class Pause:
    """A stretch during which an SLA clock stands still, such as waiting on the customer.

    `end` is None while the pause lasts. A resolved conversation that is reopened keeps
    its clock: the time from resolution to reopening is a pause.
    """

    start: datetime
    end: datetime | None

    def __post_init__(self) -> None:
        """Reject naive datetimes and a pause that ends before it starts."""
        _require_aware("pause start", self.start)
        if self.end is not None:
            _require_aware("pause end", self.end)
            if self.end.astimezone(UTC) < self.start.astimezone(UTC):
                raise ValueError(
                    f"pause ends at {self.end.isoformat()}, before it starts"
                    f" at {self.start.isoformat()}"
                )


def _merged_pauses(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime | None]]:
    """Return the pauses in UTC, sorted, with overlapping ones joined (None = open end)."""
    ordered = sorted(
        (
            (pause.start.astimezone(UTC), None if pause.end is None else pause.end.astimezone(UTC))
            for pause in pauses
        ),
        key=lambda pair: pair[0],
    )
    merged: list[tuple[datetime, datetime | None]] = []
    for begin, finish in ordered:
        if merged:
            last_begin, last_finish = merged[-1]
            if last_finish is None:
                # An open pause swallows everything after it.
                break
            if begin <= last_finish:
                merged[-1] = (last_begin, None if finish is None else max(finish, last_finish))
                continue
        merged.append((begin, finish))
    return merged


def _measure(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> timedelta:
    """Return the time that counts between two UTC instants."""
    if calendar is None:
        return max(end - start, _ZERO)
    return business_time_between(calendar, start, end)


def _advance(calendar: BusinessCalendar | None, start: datetime, duration: timedelta) -> datetime:
    """Return, in UTC, the instant at which `duration` of counting time follows `start`."""
    if calendar is None:
        return start + duration
    return add_business_time(calendar, start, duration).astimezone(UTC)


def elapsed(
    start: datetime,
    now: datetime,
    pauses: Iterable[Pause] = (),
    calendar: BusinessCalendar | None = None,
) -> timedelta:
    """Return the time that counts toward a target between `start` and `now`.

    Without a calendar that is real elapsed time; with one, open business time. Paused
    stretches do not count; an open pause counts as lasting until `now`.
    """
    _require_aware("start", start)
    _require_aware("now", now)
    begin, current = start.astimezone(UTC), now.astimezone(UTC)
    if current <= begin:
        return _ZERO
    total = _measure(calendar, begin, current)
    for pause_start, pause_end in _merged_pauses(pauses):
        stopped = max(pause_start, begin)
        resumed = current if pause_end is None else min(pause_end, current)
        if resumed > stopped:
            total -= _measure(calendar, stopped, resumed)
    return total


def due_at(
    start: datetime,
    target: timedelta,
    pauses: Iterable[Pause] = (),
    calendar: BusinessCalendar | None = None,
) -> datetime | None:
    """Return when `target` of counting time will have passed since `start`, given the pauses.

    Return None while an open pause holds the clock before the target is reached. A
    target that ran out before the open pause began keeps its due time, so a breach
    cannot hide behind a later pause. The result is in the calendar's time zone, or in
    `start`'s without a calendar.
    """
    _require_aware("start", start)
    if target < _ZERO:
        raise ValueError(f"target must not be negative, got {target}")
    shown_in: tzinfo | None = start.tzinfo if calendar is None else calendar.zone
    cursor, remaining = start.astimezone(UTC), target
    for pause_start, pause_end in _merged_pauses(pauses):
        if pause_end is not None and pause_end <= cursor:
            continue
        available = _measure(calendar, cursor, pause_start) if pause_start > cursor else _ZERO
        if available >= remaining:
            return _advance(calendar, cursor, remaining).astimezone(shown_in)
        remaining -= available
        if pause_end is None:
            return None
        cursor = pause_end
    return _advance(calendar, cursor, remaining).astimezone(shown_in)


def state(
    due: datetime | None,
    now: datetime,
    met_at: datetime | None,
    warn_before: timedelta = timedelta(minutes=15),
) -> SlaState:
    """Return where an SLA target stands: met, breached, at_risk, on_track or paused.

    Met exactly at the due instant counts as met, so breached means strictly after it.
    A target met while its clock is paused (due is None) counts as met.
    """
    _require_aware("now", now)
    if due is not None:
        _require_aware("due", due)
    if met_at is not None:
        _require_aware("met_at", met_at)
    if warn_before < _ZERO:
        raise ValueError(f"warn_before must not be negative, got {warn_before}")
    if met_at is not None:
        if due is None or met_at.astimezone(UTC) <= due.astimezone(UTC):
            return "met"
        return "breached"
    if due is None:
        return "paused"
    left = due.astimezone(UTC) - now.astimezone(UTC)
    if left < _ZERO:
        return "breached"
    if left <= warn_before:
        return "at_risk"
    return "on_track"
