"""Property tests for the fast KPI reads (issue 13, item 7): narrowed scopes and a member's
own visibility, over random histories, equal a recomputation written here from the history.

A history: conversations on two channel accounts, in one of three departments or none, tagged
or not, some assigned to the member; their messages written in random order (one by one or in
one bulk insert, as an import does) on the days around a DST change; then edits (a person sets
"needs a reply"), hand-offs to another department, deletions and the erasure of a contact
(texts and sentiments gone, the facts kept). Each example runs in a transaction rolled back
afterwards; SQLite and PostgreSQL (the suite's PostgreSQL pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.db import insert_rows
from socialdesk.feedback.models import Classification
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period, Scope
from socialdesk.inbox.models import Contact, Conversation, Message, Tag
from socialdesk.privacy.selectors import contact_messages
from socialdesk.privacy.services import contact_erase
from socialdesk.sla.models import SlaOutcome

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# Five days before each DST change of 2026 (29 March, 25 October) and 10 days after.
STARTS = (datetime(2026, 3, 24, 0, 0, tzinfo=UTC), datetime(2026, 10, 20, 0, 0, tzinfo=UTC))
SPAN_MINUTES = 15 * 24 * 60

message = st.tuples(
    st.integers(0, SPAN_MINUTES),  # written, minutes after the window's start
    st.booleans(),  # inbound
    st.booleans(),  # needs a reply (inbound only)
    st.sampled_from(["", "", "negative", "neutral", "positive"]),  # sentiment judged
)
conversation = st.fixed_dictionaries(
    {
        "account": st.integers(0, 1),
        "department": st.one_of(st.none(), st.integers(0, 2)),
        "tag": st.booleans(),
        "assigned": st.booleans(),
        "messages": st.lists(message, min_size=1, max_size=4),
        # SLA clock: (kind, started minutes, target seconds, stopped after seconds or None)
        "clock": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(["first_response", "next_response", "resolution"]),
                st.integers(0, SPAN_MINUTES),
                st.integers(60, 2 * 86400),
                st.one_of(st.none(), st.integers(0, 3 * 86400)),
            ),
        ),
    }
)
changes = st.fixed_dictionaries(
    {
        "bulk": st.booleans(),  # messages stored in one bulk insert (import) or one by one
        "order": st.randoms(use_true_random=False),
        "flip": st.lists(st.integers(0, 40), max_size=4),  # a person changes "needs a reply"
        "move": st.lists(st.tuples(st.integers(0, 40), st.one_of(st.none(), st.integers(0, 2)))),
        "delete": st.lists(st.integers(0, 40), max_size=3),
        "erase": st.one_of(st.none(), st.integers(0, 40)),
    }
)


@dataclass
class Row:
    """The test's own record of one message: what the KPIs should count."""

    pk: int
    conversation: int
    account: int
    at: datetime
    inbound: bool
    needs: bool
    sentiment: str


def _build(history: list[dict[str, Any]], change: dict[str, Any], start: datetime) -> Any:
    organisation = Organisation.current()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    accounts = [
        ChannelAccount.objects.create(network="mastodon", handle=h) for h in ("nord", "sued")
    ]
    departments = [Department.objects.create(name=f"Abteilung {n}") for n in range(3)]
    member = User.objects.create_user("mia@example.com", "x", role=Role.MEMBER)
    member.departments.add(departments[0])
    tag = Tag.objects.create(name="rechnung")
    state: dict[str, Any] = {"conversations": {}, "rows": [], "tagged": set(), "clocks": []}
    planned = []
    for index, plan in enumerate(history):
        contact = Contact.objects.create(display_name=f"Kunde {index}")
        made = Conversation.objects.create(
            channel_account=accounts[plan["account"]],
            contact=contact,
            department=departments[plan["department"]] if plan["department"] is not None else None,
            assignee=member if plan["assigned"] else None,
        )
        if plan["tag"]:
            made.tags.add(tag)
            state["tagged"].add(made.pk)
        state["conversations"][made.pk] = {
            "account": plan["account"],
            "department": plan["department"],
            "assigned": plan["assigned"],
            "contact": contact.pk,
        }
        for number, (minutes, inbound, needs, sentiment) in enumerate(plan["messages"]):
            at = start + timedelta(minutes=minutes)
            planned.append((made, f"c{index}m{number}", at, inbound, inbound and needs, sentiment))
        if plan["clock"] is not None:
            kind, minutes, target, stopped = plan["clock"]
            started = start + timedelta(minutes=minutes)
            state_of = "pending" if stopped is None else "met" if stopped <= target else "breached"
            SlaOutcome.objects.create(
                conversation=made, kind=kind, policy_name="P", target_seconds=target,
                started_at=started, due_at=started + timedelta(seconds=target),
                stopped_at=started + timedelta(seconds=stopped) if stopped is not None else None,
                state=state_of, elapsed_seconds=stopped,
            )  # fmt: skip
            state["clocks"].append((made.pk, kind, started, target, state_of))
    change["order"].shuffle(planned)  # written in random order, not in time order
    fields = ["conversation", "channel_account", "external_id", "direction", "text",
              "created_at", "needs_reply", "contact", "meta", "author_handle",
              "parent_external_id", "language", "imported_at"]  # fmt: skip
    values = [
        [made.pk, made.channel_account_id, external, "in" if inbound else "out", "Hallo?", at,
         needs, made.contact_id if inbound else None, {}, "", "", "de", NOW]
        for made, external, at, inbound, needs, _sentiment in planned
    ]  # fmt: skip
    if change["bulk"]:
        insert_rows(Message, fields, values)
    else:
        for pk, account, external, direction, text, at, needs, contact, meta, *_ in values:
            Message.objects.create(
                conversation_id=pk, channel_account_id=account, external_id=external,
                direction=direction, text=text, created_at=at, needs_reply=needs,
                contact_id=contact, meta=meta,
            )  # fmt: skip
    ids = dict(Message.objects.values_list("external_id", "pk"))
    for made, external, at, inbound, needs, sentiment in planned:
        pk = ids[external]
        if sentiment and inbound:
            Classification.objects.create(message_id=pk, sentiment=sentiment)
        state["rows"].append(
            Row(pk, made.pk, accounts.index(made.channel_account), at, inbound, needs,
                sentiment if inbound else "")
        )  # fmt: skip
    return _change(state, change, departments, member)


def _change(
    state: dict[str, Any], change: dict[str, Any], departments: list[Department], member: User
) -> Any:
    rows: list[Row] = state["rows"]
    for index in change["flip"]:
        row = rows[index % len(rows)]
        if row.inbound:
            row.needs = not row.needs
            Message.objects.filter(pk=row.pk).update(
                needs_reply=row.needs, needs_reply_set_by=member
            )
    conversations = list(state["conversations"])
    for index, department in change["move"]:
        pk = conversations[index % len(conversations)]
        Conversation.objects.filter(pk=pk).update(
            department=departments[department] if department is not None else None
        )
        state["conversations"][pk]["department"] = department
    for index in change["delete"]:
        if rows:
            row = rows.pop(index % len(rows))
            Message.objects.filter(pk=row.pk).delete()
    if change["erase"] is not None:
        pk = conversations[change["erase"] % len(conversations)]
        contact = Contact.objects.get(pk=state["conversations"][pk]["contact"])
        erased = set(contact_messages(contact).values_list("pk", flat=True))
        contact_erase(by=Acting(user=None, label="test"), contact=contact)
        for row in rows:
            if row.pk in erased:
                row.sentiment = ""  # the judgement of an erased text is gone; the facts stay
    state["member"] = member
    state["departments"] = [d.pk for d in departments]
    return state


def _local_bounds(first: date, days: int) -> tuple[datetime, datetime]:
    end = first + timedelta(days=days)
    return (
        datetime.combine(first, time(0), tzinfo=BERLIN),
        datetime.combine(end, time(0), tzinfo=BERLIN),
    )


def _expected(state: dict[str, Any], who: str, lo: datetime, hi: datetime) -> dict[str, Any]:
    conversations = state["conversations"]

    def visible(pk: int) -> bool:
        facts = conversations[pk]
        if who == "member":
            return bool(facts["department"] == 0 or facts["assigned"])
        if who == "department":
            return bool(facts["department"] == 1)
        if who == "account":
            return bool(facts["account"] == 1)
        if who == "tag":
            return pk in state["tagged"]
        return True

    inbound = [
        r for r in state["rows"] if r.inbound and lo <= r.at < hi and visible(r.conversation)
    ]
    judged = [r for r in inbound if r.sentiment]
    figures: dict[str, Any] = {
        "inbound_volume": float(len(inbound)),
        "needs_reply_share": sum(r.needs for r in inbound) / len(inbound) if inbound else None,
        "sentiment_share": (
            sum(r.sentiment == "negative" for r in judged) / len(judged) if judged else None
        ),
    }
    if who in {"team", "member", "account"}:
        for kind in ("first_response", "next_response", "resolution"):
            met = breached = 0
            for pk, clock_kind, started, target, recorded in state["clocks"]:
                if clock_kind != kind or not (lo <= started < hi) or not visible(pk):
                    continue
                if recorded == "pending" and started + timedelta(seconds=target) < NOW:
                    recorded = "breached"
                met += recorded == "met"
                breached += recorded == "breached"
            figures[f"sla_met_{kind}"] = met / (met + breached) if met + breached else None
    return figures


def _scope(state: dict[str, Any], who: str) -> Scope:
    if who == "member":
        return Scope(user=state["member"])
    if who == "department":
        return Scope(departments=(state["departments"][1],))
    if who == "account":
        return Scope(accounts=("sued",))
    if who == "tag":
        return Scope(tags=("rechnung",))
    return Scope()


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],  # no long shrinking
)
@given(
    history=st.lists(conversation, min_size=1, max_size=8),
    change=changes,
    window=st.sampled_from(STARTS),
    first_day=st.integers(0, 13),
    days=st.integers(1, 20),  # both sides of SHORT_PERIOD_DAYS (14)
)
def test_it_equals_a_recomputation_for_every_scope_over_random_histories(
    history: list[dict[str, Any]],
    change: dict[str, Any],
    window: datetime,
    first_day: int,
    days: int,
) -> None:
    with transaction.atomic():
        state = _build(history, change, window)
        first = window.date() + timedelta(days=first_day)
        period = Period(first, first + timedelta(days=days))
        for who in ("team", "member", "department", "account", "tag"):
            expected = _expected(state, who, *_local_bounds(first, days))
            for name, value in expected.items():
                got = kpis.get(name).value(period, scope=_scope(state, who), now=NOW)
                assert got == pytest.approx(value), (name, who, period)
        transaction.set_rollback(True)
