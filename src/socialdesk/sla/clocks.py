"""The clocks of one conversation, computed from its messages, and how they become facts.

Which clocks run:
- first response: from the first message (when it is the customer's and needs a reply) until
  the company's first message at or after it;
- next response: from each customer message that follows a company message, until the
  company's next message (one clock per instant: messages of the same second are one wait);
- resolution: from the first message until the conversation is first resolved after it.

A clock stops at the reply's own time on the network (`Message.created_at`), not when
socialdesk fetched it: a reply written on time but fetched late counts as on time. Spells in
which the conversation waits on the customer or is resolved pause every clock.

How a computed clock meets what was recorded before (`merge`):
- a stopped clock (met or breached) is final and never recomputed;
- a running clock past its due time is breached; its policy, target and due time are frozen,
  and it stays breached when a late reply stops it (only a reply whose own time is at or
  before the frozen due time, fetched late, shows that it was met);
- a running clock still inside its target is pending and follows the current policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from socialdesk.sla.calendar import BusinessCalendar, Pause, due_at, elapsed

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
RESOLUTION = "resolution"
KINDS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)
PENDING = "pending"
MET = "met"
BREACHED = "breached"


@dataclass(frozen=True, slots=True)
class Clock:
    kind: str
    started_at: datetime
    target: timedelta
    due_at: datetime | None
    stopped_at: datetime | None
    state: str
    elapsed_seconds: int | None
    margin_seconds: int | None


class Recorded(Protocol):
    """What `merge` reads and writes of a recorded outcome (an `SlaOutcome`)."""

    target_seconds: int
    due_at: datetime | None
    stopped_at: datetime | None
    state: str
    elapsed_seconds: int | None
    margin_seconds: int | None


def _seconds(value: timedelta) -> int:
    return int(value.total_seconds())


def clock(
    kind: str,
    start: datetime,
    stop: datetime | None,
    target: timedelta,
    pauses: list[Pause],
    calendar: BusinessCalendar | None,
    now: datetime,
) -> Clock:
    """Evaluate one clock: due time, state, counting time and margin."""
    try:
        due = due_at(start, target, pauses, calendar)
    except OverflowError:  # a target beyond the year 9999 never runs out
        due = None
    if stop is None:
        running_late = due is not None and now > due
        return Clock(kind, start, target, due, None, BREACHED if running_late else PENDING,
                     None, None)  # fmt: skip
    spent = elapsed(start, stop, pauses, calendar)
    met = due is None or stop <= due
    return Clock(kind, start, target, due, stop, MET if met else BREACHED,
                 _seconds(spent), _seconds(target - spent))  # fmt: skip


def clocks(
    *,
    messages: list[tuple[str, datetime]],
    first_needs_reply: bool,
    resolutions: Sequence[datetime],
    targets: dict[str, timedelta | None],
    pauses: list[Pause],
    calendar: BusinessCalendar | None,
    now: datetime,
) -> list[Clock]:
    """Return every clock of a conversation; `messages` are (direction, own time) in time order,
    `resolutions` the times it was resolved, in order."""
    if not messages:
        return []
    found: list[Clock] = []
    first_direction, first_at = messages[0]
    first_target = targets.get(FIRST_RESPONSE)
    if first_target is not None and first_needs_reply and first_direction == "in":
        stop = next((at for d, at in messages if d == "out" and at >= first_at), None)
        found.append(clock(FIRST_RESPONSE, first_at, stop, first_target, pauses, calendar, now))
    next_target = targets.get(NEXT_RESPONSE)
    if next_target is not None:
        for index in range(1, len(messages)):
            direction, at = messages[index]
            if direction != "in" or messages[index - 1][0] != "out":
                continue
            if found and found[-1].kind == NEXT_RESPONSE and found[-1].started_at == at:
                continue  # messages of the same instant: one wait, one clock
            stop = next((t for d, t in messages[index + 1 :] if d == "out" and t >= at), None)
            found.append(clock(NEXT_RESPONSE, at, stop, next_target, pauses, calendar, now))
    resolution_target = targets.get(RESOLUTION)
    if resolution_target is not None:
        # the first resolution after the first message: one before it (resolved while empty,
        # or a message whose own time is later) cannot end the wait that message starts
        stop = next((at for at in resolutions if at >= first_at), None)
        found.append(clock(RESOLUTION, first_at, stop, resolution_target, pauses, calendar, now))
    return found


def merge(
    recorded: Recorded,
    computed: Clock,
    pauses: list[Pause],
    calendar: BusinessCalendar | None,
) -> bool:
    """Bring a recorded outcome up to date with the computed clock; return whether it changed.

    Only the fields of the outcome's clock are touched; the caller copies the policy of a
    pending clock. `calendar` is the recorded outcome's own (for a frozen breach).
    """
    before = (recorded.due_at, recorded.stopped_at, recorded.state, recorded.target_seconds)
    if recorded.stopped_at is not None or recorded.state == MET:
        return False  # final: a fact
    if recorded.state == BREACHED:
        if computed.stopped_at is None:
            return False
        stop = computed.stopped_at
        recorded.stopped_at = stop
        target = timedelta(seconds=recorded.target_seconds)
        spent = elapsed(computed.started_at, stop, pauses, calendar)
        recorded.elapsed_seconds = _seconds(spent)
        recorded.margin_seconds = _seconds(target - spent)
        # Only a reply whose own time is at or before the frozen due time was on time.
        on_time = recorded.due_at is not None and stop <= recorded.due_at
        recorded.state = MET if on_time else BREACHED
        return True
    recorded.target_seconds = _seconds(computed.target)
    recorded.due_at = computed.due_at
    recorded.stopped_at = computed.stopped_at
    recorded.state = computed.state
    recorded.elapsed_seconds = computed.elapsed_seconds
    recorded.margin_seconds = computed.margin_seconds
    return before != (recorded.due_at, recorded.stopped_at, recorded.state, recorded.target_seconds)
