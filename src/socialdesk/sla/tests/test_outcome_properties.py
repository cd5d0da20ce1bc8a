"""Property tests: over random event sequences, every recorded SLA outcome equals a recomputation
written here independently (plain calendar arithmetic, no `sla.calendar`), and no recorded breach
ever turns into "met" — except the one case the issue asks for: a reply whose own time on the
network was at or before the due time, fetched only after the clock had run out."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, ConversationEvent, Message, Note
from socialdesk.sla.models import SlaOutcome, SlaPolicy
from socialdesk.sla.services import refresh_sla

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PAUSING = {"waiting", "resolved"}

targets = st.one_of(st.none(), st.integers(min_value=1, max_value=600))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("message"), st.sampled_from(["in", "out"]), st.integers(0, 240)),
        st.tuples(st.just("note")),
        st.tuples(st.just("status"), st.sampled_from(["open", "waiting", "resolved"])),
        st.tuples(st.just("wait"), st.integers(1, 900)),
        st.tuples(st.just("policy"), st.integers(1, 600), targets, targets),
        st.tuples(st.just("policy off")),
    ),
    min_size=1,
    max_size=14,
)


# ------------------------------------------------ the independent model (calendar time only)


@dataclass
class Model:
    messages: list[tuple[str, datetime]] = field(default_factory=list)
    statuses: list[tuple[datetime, str]] = field(default_factory=list)
    targets: dict[str, int | None] | None = None  # minutes; None: no policy applies
    records: dict[tuple[str, datetime], dict[str, object]] = field(default_factory=dict)

    def pauses(self) -> list[tuple[datetime, datetime | None]]:
        spells: list[tuple[datetime, datetime | None]] = []
        since: datetime | None = None
        for at, status in self.statuses:
            if status in PAUSING and since is None:
                since = at
            elif status not in PAUSING and since is not None:
                spells.append((since, at))
                since = None
        if since is not None:
            spells.append((since, None))
        return spells

    def due(self, start: datetime, minutes: int) -> datetime | None:
        cursor, left = start, timedelta(minutes=minutes)
        for begin, end in self.pauses():
            if end is not None and end <= cursor:
                continue
            room = begin - cursor if begin > cursor else timedelta(0)
            if room >= left:
                return cursor + left
            left -= room
            if end is None:
                return None
            cursor = end
        return cursor + left

    def spent(self, start: datetime, stop: datetime) -> timedelta:
        total = stop - start
        for begin, end in self.pauses():
            overlap = min(stop, end or stop) - max(start, begin)
            if overlap > timedelta(0):
                total -= overlap
        return total

    def clocks(self, now: datetime) -> list[tuple[str, datetime, int, datetime | None]]:
        """(kind, start, target minutes, stop) of every clock the targets define."""
        if not self.messages or self.targets is None:
            return []
        found = []
        outs = [at for d, at in self.messages if d == "out"]
        first_direction, first_at = self.messages[0]
        if first_direction == "in" and self.targets["first_response"]:
            stop = next((at for at in outs if at >= first_at), None)
            found.append(("first_response", first_at, self.targets["first_response"], stop))
        if self.targets["next_response"]:
            for place in range(1, len(self.messages)):
                direction, at = self.messages[place]
                if direction == "in" and self.messages[place - 1][0] == "out":
                    if found and found[-1][:2] == ("next_response", at):
                        continue  # the same instant: the same wait
                    later = self.messages[place + 1 :]
                    stop = next((t for d, t in later if d == "out" and t >= at), None)
                    found.append(("next_response", at, self.targets["next_response"], stop))
        if self.targets["resolution"]:
            # a resolution before the first message cannot end the wait that message starts
            resolved = next(
                (at for at, s in self.statuses if s == "resolved" and at >= first_at), None
            )
            found.append(("resolution", first_at, self.targets["resolution"], resolved))
        return found

    def outcome(
        self, start: datetime, minutes: int, stop: datetime | None, now: datetime
    ) -> dict[str, object]:
        due = self.due(start, minutes)
        result: dict[str, object] = {"due": due, "stop": stop, "target": minutes * 60}
        if stop is None:
            late = due is not None and now > due
            return {**result, "state": "breached" if late else "pending", "margin": None}
        margin = minutes * 60 - int(self.spent(start, stop).total_seconds())
        on_time = due is None or stop <= due
        return {**result, "state": "met" if on_time else "breached", "margin": margin}

    def refresh(self, now: datetime) -> None:
        seen = set()
        for kind, start, minutes, stop in self.clocks(now):
            key = (kind, start)
            seen.add(key)
            fresh = self.outcome(start, minutes, stop, now)
            old = self.records.get(key)
            if old is None or old["state"] == "pending":
                self.records[key] = fresh  # new, or still inside its target: follows the policy
            elif old["state"] == "breached" and old["stop"] is None and stop is not None:
                spent = int(self.spent(start, stop).total_seconds())
                on_time = old["due"] is not None and stop <= old["due"]  # type: ignore[operator]
                old.update(stop=stop, margin=int(old["target"]) - spent,  # type: ignore[call-overload]
                           state="met" if on_time else "breached")  # fmt: skip
        for key in [k for k, r in self.records.items() if k not in seen]:
            if self.records[key]["state"] == "pending":
                del self.records[key]


# ------------------------------------------------ the property


def _recorded(conversation: Conversation) -> dict[tuple[str, datetime], dict[str, object]]:
    return {
        (o.kind, o.started_at): {
            "due": o.due_at,
            "stop": o.stopped_at,
            "target": o.target_seconds,
            "state": o.state,
            "margin": o.margin_seconds,
        }
        for o in SlaOutcome.objects.filter(conversation=conversation, evaluated=False)
    }


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=steps, first=st.integers(1, 600), following=targets, resolution=targets)
# Resolved while still empty, reopened, asked, resolved again: the second resolution stops the
# resolution clock (it stayed "breached, running" for ever when only the first one counted).
@example(
    plan=[("status", "resolved"), ("status", "open"), ("message", "in", 0), ("status", "resolved")],
    first=1, following=None, resolution=1,
)  # fmt: skip
def test_it_records_what_an_independent_recomputation_says_and_never_unbreaches(
    plan, first, following, resolution
):
    with transaction.atomic():
        _run(plan, first, following, resolution)
        transaction.set_rollback(True)


def _run(plan, first, following, resolution) -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    policy = SlaPolicy.objects.create(name="P", first_response_minutes=first,
                                      next_response_minutes=following,
                                      resolution_minutes=resolution)  # fmt: skip
    model = Model(targets={"first_response": first, "next_response": following,
                           "resolution": resolution})  # fmt: skip
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    now, status = T0, "open"
    history: list[dict[tuple[str, datetime], dict[str, object]]] = []
    for step in plan:
        now += timedelta(minutes=7)
        if step[0] == "message":
            _, direction, lag = step
            last = model.messages[-1][1] if model.messages else T0
            at = max(now - timedelta(minutes=lag), last)  # its own time: maybe fetched late
            Message.objects.create(
                conversation=conversation, channel_account=account, direction=direction,
                external_id=f"m{len(model.messages)}", text="?", created_at=at,
                needs_reply=direction == "in",
            )  # fmt: skip
            refresh_conversations({conversation.pk})
            model.messages.append((direction, at))
        elif step[0] == "note":
            Note.objects.create(conversation=conversation, text="intern")
        elif step[0] == "status" and step[1] != status:
            ConversationEvent.objects.create(conversation=conversation, at=now,
                                             old_status=status, new_status=step[1])  # fmt: skip
            status = step[1]
            Conversation.objects.filter(pk=conversation.pk).update(
                status=status, resolved_at=now if status == "resolved" else None
            )
            model.statuses.append((now, status))
        elif step[0] == "wait":
            now += timedelta(minutes=step[1])
        elif step[0] == "policy":
            _, first, following, resolution = step
            SlaPolicy.objects.filter(pk=policy.pk).update(
                is_active=True, first_response_minutes=first, next_response_minutes=following,
                resolution_minutes=resolution,
            )  # fmt: skip
            model.targets = {"first_response": first, "next_response": following,
                             "resolution": resolution}  # fmt: skip
        elif step[0] == "policy off":
            SlaPolicy.objects.filter(pk=policy.pk).update(is_active=False)
            model.targets = None
        refresh_sla([conversation.pk], now=now)
        model.refresh(now)
        recorded = _recorded(conversation)
        assert recorded == model.records, step
        history.append(recorded)
    _assert_no_breach_turned_met(history)


def _assert_no_breach_turned_met(history) -> None:
    for earlier, later in itertools.pairwise(history):
        for key, before in earlier.items():
            after = later.get(key)
            if before["state"] == "pending":
                continue
            assert after is not None, f"{key} was recorded {before['state']} and vanished"
            if before["stop"] is not None:
                assert after == before, f"stopped clock {key} changed"
            elif before["state"] == "breached" and after["state"] == "met":
                # only a reply whose own time was on time, fetched after the due time passed
                assert after["stop"] is not None and after["stop"] <= before["due"]
