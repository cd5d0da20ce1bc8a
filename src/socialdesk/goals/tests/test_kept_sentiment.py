"""A past period's sentiment share is kept (PostgreSQL, `core.figure_cache`) until a
classification of it changes: reclassified, moved to another department with its
conversation, a new one written; each served figure equals a recount of the classifications."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.accounts.models import Department, User
from socialdesk.core import figure_cache
from socialdesk.feedback.models import Classification
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period, Scope
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import bounds, sentiment_share
from socialdesk.inbox.models import Conversation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL keeps figures"),
]
TABLE = '"feedback_classification"'
PAST = Period.of_days(date(2026, 10, 1), date(2026, 11, 29))  # over at NOW


@pytest.fixture
def history(people: dict[str, User]) -> Iterator[dict[str, Any]]:
    caches[figure_cache.STORE].clear()
    yield kpi_history.build()
    caches[figure_cache.STORE].clear()


def _share(scope: Scope, sentiment: str = "negative") -> Callable[[], Any]:
    return lambda: kpis.get("sentiment_share").value(
        PAST, params={"sentiment": sentiment}, scope=scope, now=NOW
    )


def _runs(read: Callable[[], Any]) -> tuple[Any, bool]:
    """The figure and whether reading it counted the classifications (False: it was kept)."""
    with CaptureQueriesContext(connection) as queries:
        value = read()
    return value, any(TABLE in q["sql"] for q in queries.captured_queries)


def _recount(user: User | None, sentiment: str = "negative") -> float | None:
    start, end = bounds(PAST)
    return sentiment_share(start, end, {"sentiment": sentiment}, user)


def test_the_share_is_kept_until_a_classification_of_the_period_changes(history, people):
    member = people["member"]
    for user in (None, member):
        read = _share(Scope(user=user))
        first, counted = _runs(read)
        assert counted and first == pytest.approx(_recount(user)) and first is not None
        again, counted = _runs(read)
        assert not counted and again == first
        positive, counted = _runs(_share(Scope(user=user), "positive"))  # another figure
        assert counted and positive == pytest.approx(_recount(user, "positive"))
    # one negative classification of the period turns positive: both readers see it
    negative = Classification.objects.filter(sentiment="negative").order_by("pk").first()
    assert negative is not None
    Classification.objects.filter(pk=negative.pk).update(sentiment="positive")
    for user in (None, member):
        changed, counted = _runs(_share(Scope(user=user)))
        assert counted and changed == pytest.approx(_recount(user))


def test_a_conversation_moved_into_a_members_department_changes_her_share(history, people):
    member = people["member"]
    read = _share(Scope(user=member))
    before = read()
    theirs = member.departments.first()
    other = Conversation.objects.exclude(department=theirs).filter(
        messages__classification__sentiment="negative"
    )
    moved = other.order_by("pk").first()
    assert moved is not None and isinstance(theirs, Department)
    Conversation.objects.filter(pk=moved.pk).update(department=theirs)  # copies follow
    after, counted = _runs(read)
    assert counted and after == pytest.approx(_recount(member)) and after != before


def test_narrowed_to_a_channel_it_is_counted_every_time(history):
    read = _share(Scope(accounts=("nord",)))
    read()
    _again, counted = _runs(read)
    assert counted
