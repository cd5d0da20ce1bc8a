"""The inbox KPIs read from the rollup equal a count of the messages a person may see.

Random histories (messages around the DST change, conversations routed to departments and
assigned to people) are measured for a manager, for a department member (own departments and
own conversations only), narrowed to a department and to an account, by day and by week, in
Berlin (whole-hour offset: the rollup answers) and in Kolkata (+05:30: the messages are
counted); each is compared with a count made in Python from the rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialdesk.accounts.models import Department, Organisation, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Grain, Period, Scope
from socialdesk.inbox import rollups
from socialdesk.inbox.models import Conversation, Direction, Message, Tag

FIRST = datetime(2026, 10, 19, 0, 0, tzinfo=UTC)
PERIOD = Period.of_days(date(2026, 10, 19), date(2026, 11, 1))

histories = st.lists(
    st.tuples(
        st.integers(0, 14 * 24 * 60),  # written, minutes after FIRST
        st.booleans(),  # inbound
        st.booleans(),  # needs a reply
        st.integers(0, 5),  # conversation
    ),
    max_size=25,
)
routing = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=6, max_size=6)


def _count(zone: str, period: Period, visible, needing: bool = False) -> int:
    tz = ZoneInfo(zone)
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end, time.min, tzinfo=tz)
    return sum(
        1
        for m in Message.objects.select_related("conversation")
        if m.direction == Direction.INBOUND
        and start <= m.created_at < end
        and visible(m.conversation)
        and (m.needs_reply or not needing)
    )


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=histories,
    routes=routing,
    zone=st.sampled_from(["Europe/Berlin", "Asia/Kolkata"]),
    by=st.sampled_from([Grain.DAY, Grain.WEEK]),
)
def test_the_inbox_kpis_equal_a_count_of_what_each_person_may_see(
    rows: list[tuple[int, bool, bool, int]], routes: list[tuple[int, int]], zone: str, by: Grain
) -> None:
    with transaction.atomic():
        organisation = Organisation.current()
        organisation.time_zone = zone
        organisation.save()
        accounts = [ChannelAccount.objects.create(network="mastodon", handle=h) for h in "ab"]
        departments = [Department.objects.create(name=n) for n in ("Service", "Product")]
        manager = User.objects.create_user(email="m@example.org", password="x", role=Role.MANAGER)
        member = User.objects.create_user(email="d@example.org", password="x", role=Role.MEMBER)
        member.departments.add(departments[0])
        conversations = [
            Conversation.objects.create(
                channel_account=accounts[i % 2],
                department=departments[routes[i][0]] if routes[i][0] < 2 else None,
                assignee=member if routes[i][1] == 0 else None,
            )
            for i in range(6)
        ]
        for index, (minutes, inbound, needs, which) in enumerate(rows):
            conversation = conversations[which]
            Message.objects.create(
                conversation=conversation, channel_account=conversation.channel_account,
                external_id=f"m{index}",
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                text="?", created_at=FIRST + timedelta(minutes=minutes), needs_reply=needs,
            )  # fmt: skip
        cases = [
            (Scope(user=manager), lambda c: True),
            (
                Scope(user=member),
                lambda c: c.department_id == departments[0].pk or c.assignee_id == member.pk,
            ),
            (Scope(departments=(departments[1].pk,)), lambda c: c.department_id == departments[1].pk),
            (Scope(accounts=("a",)), lambda c: c.channel_account_id == accounts[0].pk),
        ]  # fmt: skip
        volume, share = kpis.get("inbound_volume"), kpis.get("needs_reply_share")
        for scope, visible in cases:
            for point in volume.series(PERIOD, by, scope=scope):
                assert point.value == _count(zone, point.period, visible), (scope, point)
            total = _count(zone, PERIOD, visible)
            needing = _count(zone, PERIOD, visible, needing=True)
            expected = needing / total if total else None
            assert share.value(PERIOD, scope=scope) == pytest.approx(expected), scope
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_rollup_answers_in_whole_hour_zones_and_the_messages_elsewhere(
    organisation: Organisation,
) -> None:
    """Berlin's day starts on a whole UTC hour, Kolkata's at half past: only the first can be
    summed from hour rows; a tag narrows below the rollup, so it is counted from messages."""
    start = datetime(2026, 10, 25, tzinfo=ZoneInfo("Europe/Berlin"))
    assert rollups.on_the_hour(start)
    assert not rollups.on_the_hour(datetime(2026, 10, 25, tzinfo=ZoneInfo("Asia/Kolkata")))
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    tagged = Conversation.objects.create(channel_account=account)
    tagged.tags.add(Tag.objects.create(name="Rechnung"))
    other = Conversation.objects.create(channel_account=account)
    for index, conversation in enumerate((tagged, other, other)):
        Message.objects.create(
            conversation=conversation, channel_account=account, external_id=f"t{index}",
            direction=Direction.INBOUND, text="?", created_at=start + timedelta(hours=index),
        )  # fmt: skip
    day = Period.of_days(date(2026, 10, 25), date(2026, 10, 25))
    volume = kpis.get("inbound_volume")
    assert volume.value(day) == 3
    assert volume.value(day, scope=Scope(tags=("Rechnung",))) == 1
