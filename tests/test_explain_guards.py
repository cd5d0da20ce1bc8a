"""EXPLAIN guards of the hot queries at 10 million messages (issue 16, item 5).

bench/bench_scale.py measures the inbox list, a conversation, the first-response KPI, the search
and the dashboards at 10 million messages; they keep their goals only while each reads an index
made for it (bench/README.md lists them). Here every hot query is built by the product's own
code (the selector, the KPI's `value()`, the dashboard view, the search), then planned by
PostgreSQL with sequential scans switched off (`SET LOCAL enable_seqscan = off`): on the few
rows of a test a missing index then shows as a Seq Scan of the big table, a different index as
a name that is not the expected one. Each guard is also run once with its index dropped inside
the test's transaction, where it must fail (`test_each_guard_fails_without_its_index`).

PostgreSQL only: SQLite's planner is checked by src/socialdesk/inbox/tests/test_list_plans.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.accounts.services import department_delete
from socialdesk.core import paging
from socialdesk.feedback.models import Classification
from socialdesk.goals import kpis
from socialdesk.goals.kpis.registry import Period, Scope
from socialdesk.inbox import selectors
from socialdesk.inbox.models import Conversation, Direction, Message, Status
from socialdesk.search.selectors import search
from socialdesk.sla import clocks, kpi_groups, outcome_kpi
from tests.explain_world import Index, check, committed, plan_of_queryset, plans_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the plans guarded are PostgreSQL's (SQLite's: inbox/tests/test_list_plans.py)",
    ),
]

Indexes = tuple[Index, ...]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The module's committed rows (`explain_world.committed`)."""
    yield from committed(django_db_blocker)


WAITING = ("conversation_waiting_for_us", "inbox_conversation_waiting_for_us_since_bc9d31e3")
# a department's (or a member's departments') conversations by their wait: the department's
# own index when the planner expects few of them (CI took it after the other tests' statistics)
DEPARTMENT_WAITING = ("conversation_dept_wait", *WAITING)


def _inbox(
    who: str, index: Index, *, sorts: bool = False, **filters: str
) -> tuple[Callable[..., None], Indexes]:
    """The first page of the inbox list as `who` opens it with these filters (`sorts`: the
    planner may sort the rows the index found, as it does for the few unanswered ones or, after
    other tests' statistics, for one department's)."""

    def guard(world: dict[str, Any]) -> None:
        rows = selectors.inbox_list(world[who], selectors.InboxFilters(**filters))
        plan = plan_of_queryset(rows[:50])
        check([plan], index)
        # the page's order comes from the index (an Incremental Sort of its ties at most)
        assert sorts or not [n for n in plan if n["Node Type"] == "Sort"], plan

    return guard, (index,)


def member_unanswered_count(world: dict[str, Any]) -> None:
    """The count above a member's unanswered list (their departments' open conversations
    waiting for us, up to 10,001) reads the department's wait index alone: the status is in
    it, so no page of the table is visited."""
    filters = selectors.InboxFilters(needs_reply="yes")
    plans = plans_of(lambda: selectors.inbox_count(world["member"], filters, 10_001))
    check(plans, "conversation_dept_wait")
    reads = [n for plan in plans for n in plan if n.get("Index Name") == "conversation_dept_wait"]
    assert all(n["Node Type"] == "Index Only Scan" for n in reads), reads


def member_channel_counts(world: dict[str, Any]) -> None:
    """A member's SLA-breached count of one channel (its dashboard): their departments'
    branch reads the department's index alone, the account carried in it (PostgreSQL's
    INCLUDE), no page of the table visited. (The dashboard's backlog beside it reads the
    count the database keeps, `inbox.waiting`: a few rows, whatever the conversations.)"""
    filters = selectors.InboxFilters(sla_state="breached", account=str(world["account"].pk))
    plans = plans_of(lambda: selectors.inbox_count(world["member"], filters))
    check(plans, "conversation_dept_sla")
    names = {"conversation_dept_sla"}
    reads = [n for plan in plans for n in plan if n.get("Index Name") in names]
    assert all(n["Node Type"] == "Index Only Scan" for n in reads), reads


def member_deep_page(world: dict[str, Any]) -> None:
    """A deep page of a member's resolved conversations, newest first (`core.paging`): its ids
    are read from the status-and-date index alone, the member's departments and assignments
    checked there (PostgreSQL's INCLUDE), then only the page's rows are read."""
    rows = selectors.inbox_list(
        world["member"], selectors.InboxFilters(status=Status.RESOLVED, sort="newest")
    )
    page = paging.CappedPaginator(rows, 50).page(paging.DEEP // 50 + 2)
    assert isinstance(page.object_list, QuerySet)
    plan = plan_of_queryset(page.object_list)
    check([plan], "conversation_status_newest")
    reads = [n for n in plan if n.get("Index Name") == "conversation_status_newest"]
    assert all(n["Node Type"] == "Index Only Scan" for n in reads), reads


def conversation_messages(world: dict[str, Any]) -> None:
    conversation = world["conversations"][5]
    rows = selectors.conversation_for_user(world["manager"], conversation.pk).messages.all()
    check([plan_of_queryset(rows)], "inbox_message_conversation_id_37bc0d72")


# the period's questions (first message inbound, needing a reply) in the order of their time
KPI = (
    "conversation_kpi",
    "conversation_kpi_response",
    "inbox_conversation_first_message_at_1a2f94d1",
)


def first_response_kpi(world: dict[str, Any]) -> None:
    today = world["now"].date()
    week = Period(today - timedelta(days=6), today + timedelta(days=1))
    for user in (world["manager"], world["member"]):
        scope = Scope(user=user)
        plans = plans_of(
            partial(kpis.get("first_response_within").value, week, scope=scope, now=world["now"])
        )
        check(plans, KPI)


def first_response_narrowed(world: dict[str, Any]) -> None:
    """Narrowed to a channel (its dashboard) or to a department member's visibility, the
    first-response figures read the period's questions from an index, as the team's do. (On a
    large table PostgreSQL reads them from `conversation_kpi_response` alone, which INCLUDEs
    the account, department and assignee; on these few rows it may take the narrower index and
    the table: bench/bench_scale.py measures the difference.)"""
    today = world["now"].date()
    weeks = Period(today - timedelta(days=27), today + timedelta(days=1))  # the KPI page's
    for scope in (Scope(user=world["member"]), Scope(accounts=(world["account"].handle,))):
        plans = plans_of(
            partial(kpis.get("first_response_within").value, weeks, scope=scope, now=world["now"])
        )
        check(plans, KPI)


def dashboard(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["manager"])
    plans = plans_of(lambda: client.get(reverse("goals:dashboard")))
    check(plans, *DASHBOARD_INDEXES)


# the first-response figures and percentiles, the SLA queues' counts, the SLA met shares
DASHBOARD_INDEXES: Indexes = (
    KPI,
    "conversation_sla_queue",
    "sla_outcome_kpi_seen",
)


def sentiment_share(world: dict[str, Any]) -> None:
    """The period's judged messages: for the whole team and for a department member from the
    index `classification_kpi_written` alone (a classification carries its message's time and
    its conversation's department and assignee), without reading a single message; narrowed
    to a channel joined with the period's inbound messages by id, read from
    `message_kpi_inbound` alone (it includes the id and the conversation), never from the
    table."""
    inbound = Message.objects.filter(direction=Direction.INBOUND).order_by("pk")
    Classification.objects.bulk_create(  # one message in two judged, as the rules leave them
        Classification(message_id=pk, written_at=at, sentiment=["negative", "neutral", ""][n % 3])
        for n, (pk, at) in enumerate(inbound.values_list("pk", "created_at")[::2])
    )  # in the test's transaction (rolled back), with the statistics of a live database
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_classification")
    today = world["now"].date()
    month = Period(today - timedelta(days=27), today + timedelta(days=1))
    kpi = kpis.get("sentiment_share")

    def plans_as(user: User, **narrowed: Any) -> list[list[dict[str, Any]]]:
        return plans_of(
            partial(kpi.value, month, scope=Scope(user=user, **narrowed), now=world["now"],
                    params={"sentiment": "negative"})
        )  # fmt: skip

    for user in (world["manager"], world["member"]):
        plans = plans_as(user)
        check(plans, "classification_kpi_written")
        messages = [n for plan in plans for n in plan if n.get("Relation Name") == "inbox_message"]
        assert not messages, messages
    plans = plans_as(world["member"], accounts=(world["account"].handle,))
    check(plans, "message_kpi_inbound")
    scans = [n for plan in plans for n in plan if n.get("Index Name") == "message_kpi_inbound"]
    assert all(n["Node Type"] == "Index Only Scan" for n in scans), scans


def sla_figures(world: dict[str, Any]) -> None:
    """The SLA figures of the KPI page's four weeks (every kind, with the percentiles), as the
    manager, as a department member, of one channel and of one department (the outcome's own
    copies of account, department and assignee, the index's last columns): read from the index
    alone, never from the outcomes' table nor the conversations."""
    today = world["now"].date()
    department = [world["department"].pk]
    for user, account, departments in (
        (world["manager"], None, ()),
        (world["member"], None, ()),
        (world["manager"], world["account"].handle, ()),
        (world["manager"], None, department),
    ):
        plans = plans_of(
            partial(
                outcome_kpi.sla_kpi,
                user=user,
                account=account,
                departments=departments,
                since=today - timedelta(days=27),
                until=today,
                now=world["now"],
                kinds=clocks.KINDS,
            )
        )
        check(plans, "sla_outcome_kpi_seen")
        reads = [n for plan in plans for n in plan if n.get("Relation Name") == "sla_slaoutcome"]
        assert reads, plans
        scans = [(n["Node Type"], n.get("Index Name")) for n in reads]
        case = (user.email, account, departments)
        assert all(kind == "Index Only Scan" for kind, _name in scans), (case, scans, plans)
        joined = [
            n for plan in plans for n in plan if n.get("Relation Name") == "inbox_conversation"
        ]
        assert not joined, joined


def search_match(world: dict[str, Any]) -> None:
    plans = plans_of(lambda: search(world["manager"], "quokka"))  # a rare word
    check(plans, "search_entry_vector")


def _search_box(word: str, index: Index, many: bool) -> tuple[Callable[..., None], Indexes]:
    """The inbox's search box (`search.inbox_box`), a manager's first page of all statuses and
    its count: a rare word's conversations found through the full-text index, a frequent
    word's checked conversation by conversation through the entries' conversation index."""

    def guard(world: dict[str, Any]) -> None:
        def page() -> None:
            filters = selectors.with_text(selectors.InboxFilters(status="all", query=word))
            assert filters.text is not None and filters.text.many == many, word
            list(selectors.inbox_list(world["manager"], filters)[:50])
            selectors.inbox_count(world["manager"], filters, paging.COUNT_CAP + 1)

        check(plans_of(page), index)

    return guard, (index,)


def written_here(world: dict[str, Any]) -> None:
    """The KPI's breakdown by person starts from the replies people wrote in socialdesk: found
    in the index of the messages that have an author (few; every message that arrives has
    none and is not in it, inbox 0034), not by reading every answered conversation's."""
    clock = kpi_groups.Clock(timedelta(hours=24), world["now"], None)
    plans = plans_of(lambda: kpi_groups.by_person(Conversation.objects.all(), clock))
    check(plans, "message_author_user")


def department_removed(world: dict[str, Any]) -> None:
    """Removing a department (Settings) empties its conversations' department: they are found
    by the department's composite indexes (its own single-column index is gone, inbox 0034),
    not by reading every conversation. Rolled back: the world stays as it is."""
    department = Department.objects.get(pk=world["department"].pk)  # deleting clears pk
    with transaction.atomic():
        plans = plans_of(
            lambda: department_delete(by=Acting(world["manager"]), department=department),
            kinds=("SELECT", "UPDATE", "DELETE"),
        )
        transaction.set_rollback(True)
    check(plans, ("conversation_dept_sla", "conversation_dept_wait"))


# the guard → the indexes it expects (dropped by the second test)
GUARDS: dict[str, tuple[Callable[..., None], Indexes]] = {
    "inbox, default (open, waiting longest)": _inbox("manager", WAITING),
    "inbox, all newest first": _inbox(
        "manager", "conversation_newest", status="all", sort="newest"
    ),
    "inbox, open newest first": _inbox(
        "manager", "conversation_status_newest", status=Status.OPEN, sort="newest"
    ),
    "inbox, open by SLA deadline": _inbox(
        "manager", "conversation_status_due", status=Status.OPEN, sort="due"
    ),
    "inbox, unanswered": _inbox("manager", WAITING, sorts=True, needs_reply="yes"),
    "inbox, a department": _inbox("manager", DEPARTMENT_WAITING, sorts=True, department="1"),
    "inbox, a member's default": _inbox("member", DEPARTMENT_WAITING),
    "a member's unanswered count": (member_unanswered_count, ("conversation_dept_wait",)),
    "a member's deep page": (member_deep_page, ("conversation_status_newest",)),
    "a member's counts of a channel": (
        member_channel_counts,
        ("conversation_dept_wait", "conversation_dept_sla"),
    ),
    "a conversation's messages": (
        conversation_messages,
        ("inbox_message_conversation_id_37bc0d72",),
    ),
    "a department removed": (
        department_removed,
        (("conversation_dept_sla", "conversation_dept_wait"),),
    ),
    "the replies written here (KPI by person)": (written_here, ("message_author_user",)),
    "first-response KPI": (first_response_kpi, (KPI,)),
    "first-response KPI of a channel, of a member": (first_response_narrowed, (KPI,)),
    "dashboard counts": (dashboard, DASHBOARD_INDEXES),
    "sentiment share": (sentiment_share, ("classification_kpi_written", "message_kpi_inbound")),
    "SLA figures of the KPI page": (sla_figures, ("sla_outcome_kpi_seen",)),
    "search match": (search_match, ("search_entry_vector",)),
    # "Lieferung" is in every conversation's first message; "Quokka" in four
    "inbox search box, a rare word": _search_box("quokka", "search_entry_vector", False),
    "inbox search box, a frequent word": _search_box(
        "lieferung", "search_entry_conversation", True
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GUARDS))
def test_the_hot_query_reads_its_index(world: dict[str, Any], name: str) -> None:
    guard, _indexes = GUARDS[name]
    guard(world)


@pytest.mark.parametrize("name", list(GUARDS))
def test_each_guard_fails_without_its_index(world: dict[str, Any], name: str) -> None:
    guard, indexes = GUARDS[name]
    with transaction.atomic():  # the indexes dropped in a transaction that is rolled back
        with connection.cursor() as cursor:
            for index in indexes:
                for name in (index,) if isinstance(index, str) else index:
                    cursor.execute(f'DROP INDEX "{name}"')
        with pytest.raises(AssertionError):
            guard(world)
        transaction.set_rollback(True)
