"""The worker warms the kept figures of the KPI page and the dashboards (PostgreSQL,
`goals.figure_warming`): after a warming round, a reader's first view of either page computes
no percentile and shows what a computation that keeps nothing shows. The figures are kept in
the database, so what one connection (the worker) computed, another (the web) serves."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import figure_cache, figure_days
from socialdesk.core.models import KeptFigure, TaskRun
from socialdesk.goals import figure_warming
from socialdesk.goals.goal_tasks import warm_kept_figures
from socialdesk.goals.tests.test_kpis_page import ask
from socialdesk.inbox.models import Conversation

ON_POSTGRES = connection.vendor == "postgresql"
PAGES = {"kpis": ("goals:kpis", ""), "last quarter": ("goals:dashboard", "?range=last_quarter")}


@pytest.fixture
def history(db: None, departments: dict[str, Department], people: dict[str, User]) -> None:
    account = ChannelAccount.objects.create(network="mastodon", handle="nord")
    now = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    cs, pd = departments["Customer Service"], departments["Product Development"]
    for days, hours, department in [(3, 2, cs), (4, 3, pd), (10, 30, cs), (40, 1, cs)]:
        ask(account, now - timedelta(days=days), timedelta(hours=hours), department)
    for days, hours, department in [(100, 5, pd), (120, 1, cs), (200, 2, pd)]:  # quarters ago
        ask(account, now - timedelta(days=days), timedelta(hours=hours), department)
    User.objects.update(last_login=timezone.now())  # everyone signed in lately


@pytest.fixture
def nothing_kept() -> Iterator[None]:
    caches[figure_cache.STORE].clear()
    yield
    caches[figure_cache.STORE].clear()


def _cells(html: str) -> list[str]:
    """The figures a reader sees: the KPI page's cells, or the text of the dashboard's cards."""
    cards = re.findall(r'<div class="card figure-kpi" id="figure-[^"]*">(.*?)</div>', html, re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", card).split()) for card in cards]
    return re.findall(r'class="num [^"]*">([^<]*)<', html) + texts


def _view(client: Client, url: str) -> tuple[str, int]:
    """The page's HTML and how many statements computing the times' percentiles it ran (0: its
    figures were kept): of a whole period, or of its days (`core.figure_days`)."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return html, sum(
        "percentile_cont" in q["sql"] or "ARRAY_AGG" in q["sql"] for q in queries.captured_queries
    )


def _fresh(client: Client, url: str) -> str:
    """The page computed with nothing kept and nothing served."""
    with (
        mock.patch.object(figure_days, "MAX_DAYS", 0),  # one pass over each period
        mock.patch.object(figure_cache, "found", lambda where: (False, None)),
        mock.patch.object(figure_cache, "keep", lambda *args: None),
    ):
        return client.get(url).content.decode()


def _in_another_connection(work: Callable[[], object]) -> object:
    """Run `work` in a thread: its own database connection, as the worker process has."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


@pytest.mark.parametrize("role", ["manager", "member"])
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.usefixtures("history", "nothing_kept")
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL keeps figures")
def test_after_the_worker_warmed_a_readers_first_view_computes_nothing_and_is_the_same(
    role: str, page: str, client_as: Callable[[str], Client]
) -> None:
    client, url = client_as(role), reverse(PAGES[page][0]) + PAGES[page][1]
    _html, computing = _view(client, url)
    assert computing > 0  # nothing kept yet: the first view computes the periods
    caches[figure_cache.STORE].clear()
    warmed = _in_another_connection(warm_kept_figures.call)  # as the worker runs it
    assert warmed == 2  # the admin for everyone who sees everything, and the member
    assert KeptFigure.objects.exists()
    html, computing = _view(client, url)
    assert computing == 0
    assert _cells(html) == _cells(_fresh(client, url)) and _cells(html)


@pytest.mark.usefixtures("history", "nothing_kept")
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL keeps figures")
def test_a_late_answer_after_warming_shows_at_the_next_view(
    client_as: Callable[[str], Client],
) -> None:
    client, url = client_as("manager"), reverse("goals:kpis")
    figure_warming.warm()
    before, _computing = _view(client, url)
    Conversation.objects.filter(first_response_seconds=30 * 3600).update(
        first_response_seconds=3600
    )
    after, computing = _view(client, url)
    assert computing > 0 and _cells(after) != _cells(before)
    assert _cells(after) == _cells(_fresh(client, url))


@pytest.mark.usefixtures("history", "nothing_kept")
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL keeps figures")
def test_only_people_who_signed_in_lately_are_warmed_and_one_error_stops_no_one(
    people: dict[str, User],
) -> None:
    long_ago = timezone.now() - figure_warming.ACTIVE - timedelta(days=1)
    User.objects.filter(pk=people["viewer"].pk).update(last_login=long_ago)
    User.objects.filter(pk=people["admin"].pk).update(last_login=None)
    User.objects.filter(pk=people["agent"].pk).update(is_active=False)
    assert list(figure_warming.readers()) == [people["manager"], people["member"]]
    real = figure_warming.warm_for

    def failing_for_the_manager(user: User) -> None:
        if user == people["manager"]:
            raise RuntimeError("a broken figure")
        real(user)

    with mock.patch.object(figure_warming, "warm_for", failing_for_the_manager):
        assert figure_warming.warm() == 1  # the member's figures all the same
    with mock.patch.object(figure_warming, "warm_for") as warming:
        figure_warming.warm()
    assert [c.args[0] for c in warming.call_args_list] == [people["manager"], people["member"]]
    User.objects.filter(pk=people["viewer"].pk).update(last_login=timezone.now())
    with mock.patch.object(figure_warming, "warm_for") as warming:
        assert figure_warming.warm() == 2  # the viewer sees what the manager sees: not again
    with mock.patch.object(figure_warming, "warm_for", failing_for_the_manager):
        assert figure_warming.warm() == 2  # the viewer stands in for the manager who failed
    client = Client()
    client.force_login(people["member"])
    _html, computing = _view(client, reverse("goals:kpis"))
    assert computing == 0


@pytest.mark.usefixtures("history", "nothing_kept")
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL keeps figures")
def test_a_view_soon_after_writes_nothing_and_compaction_drops_expired_figures(
    client_as: Callable[[str], Client],
) -> None:
    client, url = client_as("manager"), reverse("goals:kpis")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if figure_cache.KEPT in q["sql"] and q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []  # served without renewing: its snapshot is younger than KEEP / 2
    kept = KeptFigure.objects.count()
    assert kept > 0
    KeptFigure.objects.filter(pk=KeptFigure.objects.values("pk")[:1]).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    figure_cache.compact()
    assert KeptFigure.objects.count() == kept - 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_the_warming_every_few_minutes_on_postgresql_only() -> None:
    figure_warming.due.forget()
    if not ON_POSTGRES:
        assert not figure_warming.due() and figure_warming.warm() == 0
        return
    assert figure_warming.due()
    assert not figure_warming.due()  # queued by this process just now
    figure_warming.due.forget()
    TaskRun.objects.create(task=warm_kept_figures.module_path, finished_at=timezone.now())
    assert not figure_warming.due()  # another worker warmed within EVERY
    TaskRun.objects.update(finished_at=timezone.now() - figure_warming.EVERY)
    assert figure_warming.due()
