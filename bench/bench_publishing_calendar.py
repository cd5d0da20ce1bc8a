"""Time the editorial calendar's month view with 5,000 posts in the month.

Run from the repository root:

    .venv/bin/python bench/bench_publishing_calendar.py [--posts 5000] [--repeat 40]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_calendar]

A fresh database (a SQLite file in a temporary folder, or the PostgreSQL database named, which
the run creates and drops) gets a month with 500 posts, then one with `--posts` (each on a
Mastodon and a Bluesky channel, in one of three campaigns, by one of five authors). The month,
week and list pages are opened through Django's test client as a manager, `--repeat` times
each: p50 and p95 in ms and the number of queries per page. The baseline, measured in the same
run on the same posts, renders the month the naive way: every post of the month with its
channels read per post (what Postiz' calendar did when it hung at 67 posts). Goal: p95 of the
month page ≤ 100 ms with 5,000 posts, and the same number of queries for 500 and 5,000.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.pg_admin import drop_database  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")
NAIVE_TEMPLATE = (
    "{% for post in posts %}<article>{{ post.scheduled_at|time:'H:i' }} {{ post }} "
    "{% for target in post.targets.all %}{{ target.channel.network }} {% endfor %}"
    "{{ post.campaign.name }} {{ post.author.full_name }}</article>{% endfor %}"
)


def _setup(database_url: str | None, folder: Path) -> None:
    os.environ["SOCIALDESK_DATA_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialdesk.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY", "bench-" + "x" * 50)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _postgres(url: str, action: str) -> None:
    """CREATE or DROP the database of `url` through the server's `postgres` database."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        if action == "create":
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if found.fetchone():
                raise SystemExit(f"database {name} exists; name a new one (it is dropped after)")
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            drop_database(connection, name)


def _fill(
    count: int, month: date, people: list[Any], channels: list[Any], campaigns: list[Any]
) -> None:
    """`count` posts spread over the days and hours of `month` (rows written directly)."""
    from socialdesk.publishing.models import Post, PostStatus, PostTarget

    days = ((month.replace(day=28) + timedelta(days=4)).replace(day=1) - month).days
    states = [PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED]
    posts = []
    for i in range(count):
        day = month + timedelta(days=i % days)
        at = datetime(day.year, day.month, day.day, 7 + i % 14, (i * 7) % 60, tzinfo=BERLIN)
        posts.append(
            Post(
                title=f"Beitrag {i}", text=f"Hinter den Kulissen, Teil {i}", scheduled_at=at,
                author=people[i % len(people)], campaign=campaigns[i % len(campaigns)],
                status=states[i % len(states)],
            )
        )  # fmt: skip
    created = Post.objects.bulk_create(posts, batch_size=1000)
    PostTarget.objects.bulk_create(
        [PostTarget(post=post, channel=channel) for post in created for channel in channels],
        batch_size=2000,
    )


def _measure(call: Callable[[], Any], repeat: int) -> dict[str, Any]:
    from django.db import connection

    counted = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counted[0] += 1
        return execute(sql, params, many, context)

    call()  # warm: templates compiled, the session read once
    gc.freeze()  # as socialdesk/wsgi.py does once the app is loaded
    times, queries = [], set()
    with connection.execute_wrapper(count):
        for _ in range(repeat):
            counted[0] = 0
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
            queries.add(counted[0])
    times.sort()
    return {
        "p50": statistics.median(times) * 1000,
        "p95": times[max(int(len(times) * 0.95) - 1, 0)] * 1000,
        "queries": sorted(queries),
    }


def _page(client: Any, url: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def _naive(month: date) -> Callable[[], Any]:
    """The baseline: every post of the month, its channels read post by post, rendered."""
    from django.template import Context, Template

    from socialdesk.publishing.models import Post

    template = Template(NAIVE_TEMPLATE)
    start = datetime(month.year, month.month, 1, tzinfo=BERLIN)
    end = (start + timedelta(days=32)).replace(day=1)

    def call() -> str:
        posts = Post.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
        return template.render(Context({"posts": posts.order_by("scheduled_at")}))

    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-calendar-"))
    if args.database_url:
        _postgres(args.database_url, "create")
    try:
        _setup(args.database_url or None, folder)
        return _run(args)
    finally:
        if args.database_url:
            from django.db import connections

            connections.close_all()
            _postgres(args.database_url, "drop")


def _run(args: argparse.Namespace) -> int:
    from django.test import Client
    from django.utils import timezone

    from socialdesk.accounts.models import Organisation, Role, User
    from socialdesk.channels.models import ChannelAccount, Network
    from socialdesk.publishing.models import Campaign, Post

    Organisation.objects.update_or_create(pk=1, defaults={"time_zone": "Europe/Berlin"})
    people = [
        User.objects.create_user(f"author{i}@example.com", "x", full_name=f"Autor {i}", role=Role.AGENT)
        for i in range(5)
    ]  # fmt: skip
    manager = User.objects.create_user("max@example.com", "x", full_name="Max", role=Role.MANAGER)
    channels = [
        ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local"),
        ChannelAccount.objects.create(network=Network.BLUESKY, handle="bahn.bsky.social"),
    ]
    campaigns = [Campaign.objects.create(name=f"Kampagne {i}", colour="#2563eb") for i in range(3)]
    client = Client()
    client.force_login(manager)
    this_month = timezone.now().astimezone(BERLIN).date().replace(day=1)
    small = (this_month + timedelta(days=40)).replace(day=1)  # next month but one
    large = (small + timedelta(days=40)).replace(day=1)
    _fill(500, small, people, channels, campaigns)
    _fill(args.posts, large, people, channels, campaigns)
    rows = []
    for month, count in [(small, 500), (large, args.posts)]:
        base = f"/publishing/calendar/?date={month.isoformat()}"
        monday = month + timedelta(days=(7 - month.weekday()) % 7 + 7)
        rows.append(
            ("month page", count, _measure(_page(client, base + "&view=month"), args.repeat))
        )
        rows.append(("week page", count, _measure(_page(client, f"/publishing/calendar/?date={monday.isoformat()}&view=week"), args.repeat)))  # fmt: skip
        rows.append(("list page (100 a page)", count, _measure(_page(client, base + "&view=list"), args.repeat)))  # fmt: skip
        rows.append(("baseline: naive month", count, _measure(_naive(month), 3)))  # fmt: skip
    from django.db import connection

    print()
    print(
        f"socialdesk calendar benchmark, {connection.vendor}, {os.cpu_count()} cores, "
        f"{Post.objects.count():,} posts in all"
    )
    print(f"{'what':<26} {'posts in month':>15} {'p50 ms':>9} {'p95 ms':>9}  queries per request")
    print("-" * 80)
    for label, count, figures in rows:
        print(
            f"{label:<26} {count:>15,} {figures['p50']:>9.1f} {figures['p95']:>9.1f}  {figures['queries']}"
        )
    month_small, month_large = rows[0][2], rows[4][2]
    constant = all(rows[i][2]["queries"] == rows[i + 4][2]["queries"] for i in range(3))
    print()
    print(
        f"goal: month page p95 ≤ 100 ms with {args.posts:,} posts: "
        f"{'met' if month_large['p95'] <= 100 else 'MISSED'} ({month_large['p95']:.1f} ms); "
        f"queries the same for 500 and {args.posts:,}: {'yes' if constant else 'NO'} "
        f"({month_small['queries']} vs {month_large['queries']}); "
        f"baseline p95 {rows[7][2]['p95']:.0f} ms with {rows[7][2]['queries']} queries"
    )
    return 0 if constant else 1


if __name__ == "__main__":
    raise SystemExit(main())
