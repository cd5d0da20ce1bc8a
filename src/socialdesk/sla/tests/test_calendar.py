"""Business time, holidays, DST and paused SLA clocks, checked on concrete datetimes.

Dates are in 2026: the clocks in Europe/Berlin spring forward on Sunday 29 March
(02:00 CET -> 03:00 CEST) and fall back on Sunday 25 October (03:00 CEST -> 02:00 CET).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from socialdesk.sla.calendar import (
    BusinessCalendar,
    Pause,
    add_business_time,
    business_time_between,
    due_at,
    elapsed,
    opening_hours,
    state,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
WEEKDAYS = range(5)
EVERY_DAY = range(7)
NINE_TO_FIVE = (time(9), time(17))


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN, fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def office(*blocks: tuple[time, time], days=WEEKDAYS, closed=()) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Europe/Berlin",
        weekly_hours=opening_hours(days, *(blocks or (NINE_TO_FIVE,))),
        holidays=frozenset(closed),
    )


ROUND_THE_CLOCK = office((time(0), time(0)), days=EVERY_DAY)


# --- the known case, weekends, opening and closing ------------------------------------


def test_it_moves_a_friday_afternoon_target_to_monday_morning():
    """Created Friday 16:30 with a 1 h target and Mon-Fri 9-17: due Monday 09:30."""
    due = add_business_time(office(), berlin(2026, 3, 6, 16, 30), HOUR)
    assert due == berlin(2026, 3, 9, 9, 30)
    assert due.utcoffset() == HOUR


def test_it_starts_counting_at_the_next_opening():
    """A start before opening, after closing or on a weekend counts from the next opening."""
    calendar = office()
    assert add_business_time(calendar, berlin(2026, 3, 3, 7, 0), 30 * MINUTE) == berlin(
        2026, 3, 3, 9, 30
    )
    assert add_business_time(calendar, berlin(2026, 3, 3, 17, 0), 30 * MINUTE) == berlin(
        2026, 3, 4, 9, 30
    )
    assert add_business_time(calendar, berlin(2026, 3, 7, 11, 0), HOUR) == berlin(2026, 3, 9, 10, 0)


def test_it_ends_at_closing_time_when_the_target_fits_exactly():
    """A target that uses up the day exactly is due at 17:00, not the next morning."""
    assert add_business_time(office(), berlin(2026, 3, 3, 9, 0), 8 * HOUR) == berlin(
        2026, 3, 3, 17, 0
    )


def test_it_returns_the_start_itself_for_a_zero_duration():
    """Zero business time has passed at the start, even outside opening hours."""
    assert add_business_time(office(), berlin(2026, 3, 7, 11, 0), timedelta(0)) == berlin(
        2026, 3, 7, 11, 0
    )


def test_it_counts_no_business_time_over_a_weekend():
    """Friday 16:00 to Monday 10:00 holds two open hours; end before start holds none."""
    calendar = office()
    assert business_time_between(calendar, berlin(2026, 3, 6, 16), berlin(2026, 3, 9, 10)) == (
        2 * HOUR
    )
    assert business_time_between(calendar, berlin(2026, 3, 9, 10), berlin(2026, 3, 6, 16)) == (
        timedelta(0)
    )


def test_it_counts_several_blocks_per_day_around_a_lunch_break():
    """With 9-12 and 13-17, an hour from 11:30 ends at 13:30 and 11-14 holds two hours."""
    calendar = office((time(9), time(12)), (time(13), time(17)))
    assert add_business_time(calendar, berlin(2026, 3, 3, 11, 30), HOUR) == berlin(
        2026, 3, 3, 13, 30
    )
    assert business_time_between(calendar, berlin(2026, 3, 3, 11), berlin(2026, 3, 3, 14)) == (
        2 * HOUR
    )
    assert add_business_time(calendar, berlin(2026, 3, 3, 12, 15), HOUR) == berlin(
        2026, 3, 3, 14, 0
    )


def test_it_accepts_an_evening_block_that_ends_at_midnight():
    """A block ending at time(0) runs until midnight at the end of its day."""
    calendar = office((time(18), time(0)), days=EVERY_DAY)
    assert add_business_time(calendar, berlin(2026, 3, 3, 23, 0), 2 * HOUR) == berlin(
        2026, 3, 4, 19, 0
    )


# --- holidays and closed days ---------------------------------------------------------


def test_it_skips_a_german_public_holiday():
    """Tag der Deutschen Einheit (Saturday 3 October 2026) closes a Mon-Sat office."""
    hours = opening_hours(range(6), NINE_TO_FIVE)
    german = BusinessCalendar.german(years=range(2026, 2027), hours=hours)
    plain = BusinessCalendar("Europe/Berlin", hours)
    friday = berlin(2026, 10, 2, 16, 30)
    assert date(2026, 10, 3) in german.holidays
    assert add_business_time(plain, friday, HOUR) == berlin(2026, 10, 3, 9, 30)
    assert add_business_time(german, friday, HOUR) == berlin(2026, 10, 5, 9, 30)


def test_it_closes_on_all_saints_day_in_bavaria_but_not_in_berlin():
    """Allerheiligen (Sunday 1 November 2026) is a holiday in BY, not in BE."""
    hours = opening_hours(EVERY_DAY, NINE_TO_FIVE)
    bavaria = BusinessCalendar.german(state="BY", years=range(2026, 2027), hours=hours)
    berlin_state = BusinessCalendar.german(state="BE", years=range(2026, 2027), hours=hours)
    saturday = berlin(2026, 10, 31, 16, 30)
    assert add_business_time(bavaria, saturday, HOUR) == berlin(2026, 11, 2, 9, 30)
    assert add_business_time(berlin_state, saturday, HOUR) == berlin(2026, 11, 1, 9, 30)


def test_it_closes_on_a_weekday_state_holiday():
    """Fronleichnam (Thursday 4 June 2026) closes a Mon-Fri office in BY, not in BE."""
    bavaria = BusinessCalendar.german(state="BY", years=range(2026, 2027))
    berlin_state = BusinessCalendar.german(state="BE", years=range(2026, 2027))
    wednesday = berlin(2026, 6, 3, 16, 30)
    assert add_business_time(bavaria, wednesday, HOUR) == berlin(2026, 6, 5, 9, 30)
    assert add_business_time(berlin_state, wednesday, HOUR) == berlin(2026, 6, 4, 9, 30)


def test_it_closes_on_custom_closed_days():
    """Christmas Eve as an extra closed day, then Christmas, pushes a target to Monday."""
    usual = BusinessCalendar.german(years=range(2026, 2027))
    with_eve = BusinessCalendar.german(
        years=range(2026, 2027), extra_closed_days=[date(2026, 12, 24)]
    )
    wednesday = berlin(2026, 12, 23, 16, 30)
    assert add_business_time(usual, wednesday, HOUR) == berlin(2026, 12, 24, 9, 30)
    # 24th closed by us, 25th and 26th public holidays, 27th a Sunday.
    assert add_business_time(with_eve, wednesday, HOUR) == berlin(2026, 12, 28, 9, 30)


def test_it_counts_a_bavarian_working_year():
    """Mon-Fri 9-17 in BY, 2026: 261 weekdays less 9 weekday holidays, 8 h each."""
    calendar = BusinessCalendar.german(state="BY", years=range(2026, 2027))
    year = business_time_between(calendar, berlin(2026, 1, 1), berlin(2027, 1, 1))
    assert year == 252 * 8 * HOUR
    # The same year summed day by day never takes the whole-week shortcut.
    by_day = timedelta(0)
    day = berlin(2026, 1, 1)
    while day < berlin(2027, 1, 1):
        following = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=BERLIN)
        by_day += business_time_between(calendar, day, following)
        day = following
    assert by_day == year


def test_it_skips_whole_weeks_for_long_targets():
    """52 weeks of Mon-Fri 9-17 from Monday 5 January 2026 end Friday 1 January 2027, 17:00."""
    due = add_business_time(office(), berlin(2026, 1, 5, 9), 52 * 40 * HOUR)
    assert due == berlin(2027, 1, 1, 17)
    # Twenty years round the clock, in real hours across forty clock changes.
    start = berlin(2026, 1, 1)
    assert add_business_time(ROUND_THE_CLOCK, start, timedelta(days=7305)) == start.astimezone(
        UTC
    ) + timedelta(days=7305)


# --- daylight saving time -------------------------------------------------------------


def test_it_crosses_spring_forward_in_business_hours():
    """Friday 27 March 16:30 CET + 1 h is Monday 30 March 09:30 CEST (07:30 UTC)."""
    due = add_business_time(office(), berlin(2026, 3, 27, 16, 30), HOUR)
    assert due == utc(2026, 3, 30, 7, 30)
    assert (due.hour, due.minute, due.utcoffset()) == (9, 30, 2 * HOUR)
    assert business_time_between(office(), berlin(2026, 3, 27, 16), due) == 90 * MINUTE


def test_it_crosses_fall_back_in_business_hours():
    """Friday 23 October 16:30 CEST + 1 h is Monday 26 October 09:30 CET (08:30 UTC)."""
    due = add_business_time(office(), berlin(2026, 10, 23, 16, 30), HOUR)
    assert due == utc(2026, 10, 26, 8, 30)
    assert (due.hour, due.minute, due.utcoffset()) == (9, 30, HOUR)


def test_it_skips_the_missing_hour_round_the_clock():
    """On 29 March 03:00 does not exist: 2 h from 01:30 CET is 04:30 CEST."""
    due = add_business_time(ROUND_THE_CLOCK, berlin(2026, 3, 29, 1, 30), 2 * HOUR)
    assert due == utc(2026, 3, 29, 2, 30)
    assert (due.hour, due.minute, due.utcoffset()) == (4, 30, 2 * HOUR)
    day = business_time_between(ROUND_THE_CLOCK, berlin(2026, 3, 29), berlin(2026, 3, 30))
    assert day == 23 * HOUR


def test_it_counts_the_repeated_hour_round_the_clock():
    """On 25 October 02:00-03:00 happens twice: 2 h from 01:30 CEST is the second 02:30."""
    due = add_business_time(ROUND_THE_CLOCK, berlin(2026, 10, 25, 1, 30), 2 * HOUR)
    # Python never calls a repeated local time equal to a datetime in another zone (PEP 495).
    assert due.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert (due.hour, due.minute, due.utcoffset()) == (2, 30, HOUR)
    day = business_time_between(ROUND_THE_CLOCK, berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert day == 25 * HOUR


def test_it_keeps_wall_clock_hours_for_a_block_across_the_change():
    """A 01:00-05:00 night shift is 3 real hours on 29 March and 5 on 25 October."""
    night = office((time(1), time(5)), days=EVERY_DAY)
    spring = business_time_between(night, berlin(2026, 3, 29), berlin(2026, 3, 30))
    autumn = business_time_between(night, berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert (spring, autumn) == (3 * HOUR, 5 * HOUR)
    assert add_business_time(night, berlin(2026, 3, 29, 1), 3 * HOUR) == utc(2026, 3, 29, 3)
    assert add_business_time(night, berlin(2026, 3, 29, 1), 4 * HOUR) == berlin(2026, 3, 30, 2)


def test_it_opens_a_block_that_starts_in_the_gap_at_the_jump():
    """A 02:30-04:00 block on 29 March opens when the clock jumps to 03:00 CEST."""
    calendar = office((time(2, 30), time(4)), days=EVERY_DAY)
    assert add_business_time(calendar, berlin(2026, 3, 29), MINUTE) == utc(2026, 3, 29, 1, 1)
    assert business_time_between(calendar, berlin(2026, 3, 29), berlin(2026, 3, 30)) == HOUR


def test_it_measures_calendar_time_targets_in_real_seconds_across_dst():
    """Without a calendar, 24 h after Saturday noon is Sunday 13:00 in spring, 11:00 in autumn."""
    spring = due_at(berlin(2026, 3, 28, 12), 24 * HOUR)
    autumn = due_at(berlin(2026, 10, 24, 12), 24 * HOUR)
    assert spring == utc(2026, 3, 29, 11) and (spring.hour, spring.utcoffset()) == (13, 2 * HOUR)
    assert autumn == utc(2026, 10, 25, 10) and (autumn.hour, autumn.utcoffset()) == (11, HOUR)
    # Both ends share a ZoneInfo, where Python's own subtraction would say 24 h.
    assert elapsed(berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12)) == 23 * HOUR
    assert elapsed(berlin(2026, 10, 24, 12), berlin(2026, 10, 25, 12)) == 25 * HOUR


# --- pauses, reopening and states -----------------------------------------------------


def test_it_stops_the_clock_during_a_closed_pause():
    """A 4 h target from 10:00 with a pause 11:00-12:30 is due at 15:30."""
    pauses = [Pause(berlin(2026, 3, 2, 11), berlin(2026, 3, 2, 12, 30))]
    start = berlin(2026, 3, 2, 10)
    assert due_at(start, 4 * HOUR, pauses) == berlin(2026, 3, 2, 15, 30)
    assert elapsed(start, berlin(2026, 3, 2, 13), pauses) == 90 * MINUTE
    assert elapsed(start, berlin(2026, 3, 2, 15, 30), pauses) == 4 * HOUR


def test_it_has_no_due_time_during_an_open_pause():
    """While the conversation waits on the customer, there is no due time and it is paused."""
    start = berlin(2026, 3, 2, 10)
    pauses = [Pause(berlin(2026, 3, 2, 11), None)]
    due = due_at(start, 4 * HOUR, pauses)
    assert due is None
    assert elapsed(start, berlin(2026, 3, 2, 18), pauses) == HOUR
    assert state(due, berlin(2026, 3, 2, 18), None) == "paused"


def test_it_keeps_a_due_time_that_ran_out_before_an_open_pause():
    """A target already missed when the pause began stays breached."""
    start = berlin(2026, 3, 2, 10)
    due = due_at(start, HOUR, [Pause(berlin(2026, 3, 2, 12), None)])
    assert due == berlin(2026, 3, 2, 11)
    assert state(due, berlin(2026, 3, 2, 13), None) == "breached"


def test_it_pauses_business_time_and_merges_overlapping_pauses():
    """Business time in overlapping pauses is subtracted once."""
    calendar = office()
    start = berlin(2026, 3, 2, 9)
    pauses = [
        Pause(berlin(2026, 3, 2, 10), berlin(2026, 3, 2, 12)),
        Pause(berlin(2026, 3, 2, 11), berlin(2026, 3, 2, 13)),
    ]
    assert elapsed(start, berlin(2026, 3, 2, 17), pauses, calendar) == 5 * HOUR
    assert due_at(start, 6 * HOUR, pauses, calendar) == berlin(2026, 3, 3, 10)


def test_it_continues_the_same_clock_when_a_conversation_is_reopened():
    """Resolved Monday 12:00, reopened Tuesday 09:00: the 8 h target resumes, due Tuesday 15:00."""
    calendar = office()
    created = berlin(2026, 3, 2, 10)
    resolved, reopened = berlin(2026, 3, 2, 12), berlin(2026, 3, 3, 9)
    while_resolved = [Pause(resolved, None)]
    assert due_at(created, 8 * HOUR, while_resolved, calendar) is None
    assert elapsed(created, berlin(2026, 3, 2, 16), while_resolved, calendar) == 2 * HOUR
    after_reopening = [Pause(resolved, reopened)]
    due = due_at(created, 8 * HOUR, after_reopening, calendar)
    assert due == berlin(2026, 3, 3, 15)
    assert elapsed(created, berlin(2026, 3, 3, 10), after_reopening, calendar) == 3 * HOUR
    assert state(due, berlin(2026, 3, 3, 10), None) == "on_track"


def test_it_moves_from_on_track_to_at_risk_to_breached():
    """A due time of 15:30 is on track at 15:00, at risk from 15:15, breached after 15:30."""
    due = berlin(2026, 3, 2, 15, 30)
    assert state(due, berlin(2026, 3, 2, 15, 0), None) == "on_track"
    assert state(due, berlin(2026, 3, 2, 15, 14), None) == "on_track"
    assert state(due, berlin(2026, 3, 2, 15, 15), None) == "at_risk"
    assert state(due, berlin(2026, 3, 2, 15, 30), None) == "at_risk"
    assert state(due, berlin(2026, 3, 2, 15, 31), None) == "breached"
    assert state(due, berlin(2026, 3, 2, 14, 0), None, warn_before=2 * HOUR) == "at_risk"


def test_it_reports_met_or_breached_once_the_target_is_met():
    """Met at or before the due time is met, whenever it is asked; met late is breached."""
    due = berlin(2026, 3, 2, 15, 30)
    later = berlin(2026, 3, 9, 12)
    assert state(due, later, berlin(2026, 3, 2, 15, 0)) == "met"
    assert state(due, later, due) == "met"
    assert state(due, later, berlin(2026, 3, 2, 15, 31)) == "breached"
    assert state(None, later, berlin(2026, 3, 2, 15, 0)) == "met"


def test_it_compares_states_in_real_time_across_fall_back():
    """Met at the second 02:30 on 25 October is after a due time of the first 02:45."""
    due = berlin(2026, 10, 25, 2, 45)
    met = berlin(2026, 10, 25, 2, 30, fold=1)
    assert state(due, met, met) == "breached"
    assert state(due, berlin(2026, 10, 25, 2, 35), None) == "at_risk"


# --- bad input ------------------------------------------------------------------------


def test_it_rejects_naive_datetimes():
    """Every public datetime must carry a time zone; the message names the argument."""
    naive = datetime(2026, 3, 2, 10)
    aware = berlin(2026, 3, 2, 10)
    with pytest.raises(ValueError, match=r"start must be timezone-aware, got naive 2026-03-02"):
        add_business_time(office(), naive, HOUR)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        business_time_between(office(), aware, naive)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        elapsed(aware, naive)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        due_at(naive, HOUR)
    with pytest.raises(ValueError, match="pause end must be timezone-aware"):
        Pause(aware, naive)
    with pytest.raises(ValueError, match="met_at must be timezone-aware"):
        state(aware, aware, naive)


def test_it_rejects_a_block_that_does_not_end_after_it_starts():
    """A block 17:00-09:00 or 09:00-09:00 is named in the error, with its weekday."""
    with pytest.raises(ValueError, match="opening block 17:00-09:00 on Monday does not end"):
        BusinessCalendar("Europe/Berlin", {0: ((time(17), time(9)),)})
    with pytest.raises(ValueError, match="opening block 09:00-09:00 on Tuesday"):
        BusinessCalendar("Europe/Berlin", {1: ((time(9), time(9)),)})
    with pytest.raises(ValueError, match="opening blocks 09:00-12:00 and 11:00-13:00 on Monday"):
        BusinessCalendar("Europe/Berlin", {0: ((time(11), time(13)), (time(9), time(12)))})
    with pytest.raises(ValueError, match="weekday 7 is not 0"):
        BusinessCalendar("Europe/Berlin", {7: (NINE_TO_FIVE,)})


def test_it_rejects_an_unknown_time_zone_or_state():
    """An unknown IANA zone or German state code is named in the error."""
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Berlinn'"):
        BusinessCalendar("Europe/Berlinn", {})
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        BusinessCalendar.german(time_zone="Mars/Olympus", years=range(2026, 2027))
    with pytest.raises(ValueError, match="unknown German state 'XX'; known: BB, BE"):
        BusinessCalendar.german(state="XX", years=range(2026, 2027))


def test_it_rejects_a_calendar_without_open_hours():
    """Adding business time on a calendar that never opens fails instead of looping."""
    closed = BusinessCalendar("Europe/Berlin", {0: ()})
    with pytest.raises(ValueError, match="has no open hours"):
        add_business_time(closed, berlin(2026, 3, 2), HOUR)
    assert business_time_between(closed, berlin(2026, 3, 2), berlin(2027, 3, 2)) == timedelta(0)
    with pytest.raises(ValueError, match="has no open hours"):
        due_at(berlin(2026, 3, 2), HOUR, (), closed)


def test_it_rejects_negative_durations_and_backward_pauses():
    """A negative duration or target, or a pause that ends before it starts, is refused."""
    with pytest.raises(ValueError, match="duration must not be negative"):
        add_business_time(office(), berlin(2026, 3, 2), -HOUR)
    with pytest.raises(ValueError, match="target must not be negative"):
        due_at(berlin(2026, 3, 2), -HOUR)
    with pytest.raises(ValueError, match="pause ends at 2026-03-02T09:00:00"):
        Pause(berlin(2026, 3, 2, 10), berlin(2026, 3, 2, 9))


# --- round trips ----------------------------------------------------------------------

CALENDARS = [
    office(),
    office((time(9), time(12)), (time(13), time(17)), days=range(6)),
    office((time(1), time(5)), (time(22), time(0)), days=EVERY_DAY),
    ROUND_THE_CLOCK,
    BusinessCalendar.german(state="BY", years=range(2025, 2029)),
]


def _round_trip(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
    due = add_business_time(calendar, start, duration)
    assert business_time_between(calendar, start, due) == duration
    # The due time is the earliest instant: a microsecond earlier the target is not reached.
    if duration:
        assert business_time_between(calendar, start, due - timedelta(microseconds=1)) < duration


def test_it_gives_back_the_duration_it_added_on_seeded_samples():
    """business_time_between(start, add_business_time(start, d)) == d, on fixed random samples."""
    rng = random.Random(20260329)
    first = datetime(2025, 1, 1, tzinfo=UTC)
    for _ in range(300):
        start = (first + timedelta(seconds=rng.randrange(3 * 365 * 86400))).astimezone(BERLIN)
        duration = timedelta(minutes=rng.randrange(0, 40 * 60 * 10))
        _round_trip(rng.choice(CALENDARS), start, duration)


def test_it_gives_back_the_duration_it_added_for_any_input():
    """The round trip holds for any start, duration and calendar that hypothesis finds."""
    pytest.importorskip("hypothesis")
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(
        calendar=st.sampled_from(CALENDARS),
        start=st.datetimes(
            min_value=datetime(2025, 1, 1),
            max_value=datetime(2027, 12, 31),
            timezones=st.just(BERLIN),
            allow_imaginary=False,
        ),
        duration=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=120)),
    )
    def check(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> None:
        _round_trip(calendar, start, duration)

    check()


def test_it_counts_exactly_the_target_until_the_due_time():
    """elapsed(start, due_at(start, target, pauses)) == target, with and without a calendar."""
    rng = random.Random(1025)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    for _ in range(100):
        start = (first + timedelta(minutes=rng.randrange(365 * 1440))).astimezone(BERLIN)
        pauses = []
        cursor = start
        for _ in range(rng.randrange(4)):
            begin = cursor + timedelta(minutes=rng.randrange(-600, 3000))
            pauses.append(Pause(begin, begin + timedelta(minutes=rng.randrange(1, 3000))))
            cursor = begin
        target = timedelta(minutes=rng.randrange(1, 3000))
        calendar = rng.choice([None, *CALENDARS])
        due = due_at(start, target, pauses, calendar)
        assert due is not None
        assert elapsed(start, due, pauses, calendar) == target
