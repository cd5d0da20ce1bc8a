"""Benchmark the goals and KPI figures at scale (issue 13, item 7).

    .venv/bin/python bench/bench_goals.py [--messages 1000000] [--quick]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_goals]

Builds a fresh SQLite file (or the empty PostgreSQL database named by `--database-url` or
DATABASE_URL, created when missing) with a year of history (`bench/goals_history.py`: N
messages, 0.3 N conversations, SLA outcomes, sentiments, feedback, posts, listening), then:
- every available KPI's `value()` over 7, 28 and 365 days for the whole team (a manager) and
  for a department member (own departments only), and over 7 days narrowed to a department
  and to a channel account, where the KPI takes that scope;
- the raw recomputation of the dashboard KPIs as the baseline in the same run: the same
  figures counted in Python from the raw rows of the period (no index-only count);
- the goal evaluation of 12 goals (`goal_services.evaluate`);
- the goals overview as a manager opens it (Django test client): p50/p95 of 50 requests of
  the manager's overview (`goals:dashboard`: goals, key figures, attention); goal:
  p95 ≤ 300 ms;
- report generation: last month's report built, then rendered as PDF, XLSX and CSV;
- the message rollup (`inbox/rollups.py`): the time to recount it from all messages, and its
  upkeep cost per imported message: `socialdesk import --format twcs` of K generated rows
  (default 50,000) with its triggers and the KPI indexes, without the triggers, and without
  both (each import removed again before the next).
`--quick` is `--messages 50000 --import-rows 5000`.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Indexes added for the KPIs (issue 13, item 7): (table, name); dropped for the import baseline.
SPEED_INDEXES = (
    ("inbox_message", "message_kpi_inbound"),
    ("inbox_conversation", "conversation_kpi_response"),
    ("sla_slaoutcome", "sla_outcome_kpi_seen"),
    ("inbox_conversation", "conversation_sla_queue"),
    *(
        ("inbox_conversation", f"conversation_{scope}_{what}")
        for scope in ("dept", "acct")
        for what in ("sla", "waiting")
    ),
)


def _setup(database_url: str, data_dir: Path, *, reuse: bool = False) -> None:
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        _create_database(database_url)
    os.environ["SOCIALDESK_DATA_DIR"] = str(data_dir)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialdesk.settings"
    if not os.environ.get("PYTHONPATH"):  # PYTHONPATH may name another checkout to compare
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from socialdesk.inbox.models import Conversation

    if Conversation.objects.exists() and not reuse:
        sys.exit("refused: that database holds conversations already (use an empty one)")


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return (time.perf_counter() - started) * 1000, result


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def kpi_table(now: datetime, manager: Any, member: Any, department: int) -> list[list[str]]:
    from socialdesk.goals import kpis
    from socialdesk.goals.kpis.registry import Period, Scope

    today = now.date()
    rows = []
    for kpi in kpis.available():
        cells = [kpi.name]
        for scope_user in (manager, member):
            for days in (7, 28, 365):
                period = Period(today - timedelta(days=days - 1), today + timedelta(days=1))
                ms, _value = _timed(
                    partial(kpi.value, period, scope=Scope(user=scope_user), now=now)
                )
                cells.append(_ms(ms))
        week = Period(today - timedelta(days=6), today + timedelta(days=1))
        for narrowed, name in (
            (Scope(user=manager, departments=(department,)), "departments"),
            (Scope(user=manager, accounts=("nord",)), "accounts"),
        ):
            if name in kpi.scopes:
                ms, _value = _timed(partial(kpi.value, week, scope=narrowed, now=now))
                cells.append(_ms(ms))
            else:
                cells.append("n/a")
        rows.append(cells)
    return rows


DASHBOARD = (
    "inbound_volume",
    "needs_reply_share",
    "first_response_within",
    "first_response_median",
    "sla_met_first_response",
    "sentiment_share",
    "backlog_now",
)


def raw_baseline(now: datetime) -> list[tuple[str, int, float, float, Any, Any]]:
    """The dashboard KPIs counted in Python from the period's raw rows, beside `value()`."""
    from socialdesk.goals import kpis
    from socialdesk.goals.kpis.registry import Period, Scope
    from socialdesk.inbox.models import Conversation, Message
    from socialdesk.sla.models import SlaOutcome

    today = now.date()
    out = []
    for days in (7, 28, 365):
        period = Period(today - timedelta(days=days - 1), today + timedelta(days=1))
        start, end = period.bounds()

        def inbound(s: datetime = start, e: datetime = end) -> tuple[int, float | None]:
            rows = list(
                Message.objects.filter(created_at__gte=s, created_at__lt=e).values_list(
                    "direction", "needs_reply"
                )
            )
            inbound = [needs for direction, needs in rows if direction == "in"]
            return len(inbound), (sum(inbound) / len(inbound) if inbound else None)

        def first_response(s: datetime = start, e: datetime = end) -> float | None:
            rows = Conversation.objects.filter(
                first_message_at__gte=s, first_message_at__lt=e
            ).values_list("first_message_inbound", "needs_reply", "first_response_seconds",
                          "first_message_at")  # fmt: skip
            within = decided = 0
            for first_inbound, needs, seconds, asked in rows:
                if not (first_inbound and needs):
                    continue
                if seconds is None and asked is not None and (now - asked) <= timedelta(hours=24):
                    continue
                decided += 1
                within += seconds is not None and seconds <= 86400
            return within / decided if decided else None

        def sla_met(s: datetime = start, e: datetime = end) -> float | None:
            met = breached = 0
            for state, due in SlaOutcome.objects.filter(
                evaluated=False, kind="first_response", started_at__gte=s, started_at__lt=e
            ).values_list("state", "due_at"):
                if state == "pending" and due is not None and due < now:
                    state = "breached"
                met += state == "met"
                breached += state == "breached"
            return met / (met + breached) if met + breached else None

        team = Scope()
        for name, raw in (
            ("inbound_volume", lambda: inbound()[0]),
            ("needs_reply_share", lambda: inbound()[1]),
            ("first_response_within", first_response),
            ("sla_met_first_response", sla_met),
        ):
            raw_ms, raw_value = _timed(raw)
            kpi_ms, kpi_value = _timed(partial(kpis.get(name).value, period, scope=team, now=now))
            out.append((name, days, kpi_ms, raw_ms, kpi_value, raw_value))
    return out


def explain(now: datetime, manager: Any, member: Any, names: tuple[str, ...]) -> None:
    """Print the database's plan of every query `value()` runs over 7 days (team, member)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialdesk.goals import kpis
    from socialdesk.goals.kpis.registry import Period, Scope

    today = now.date()
    week = Period(today - timedelta(days=6), today + timedelta(days=1))
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for name in names:
        for who, user in (("team", manager), ("member", member)):
            with CaptureQueriesContext(connection) as queries:
                kpis.get(name).value(week, scope=Scope(user=user), now=now)
            print(f"\n-- {name}, {who}, 7 days: {len(queries)} queries")
            for captured in queries.captured_queries:
                sql = captured["sql"]
                if not sql.lstrip().upper().startswith("SELECT") or "organisation" in sql:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(prefix + sql)
                    plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
                print("   " + sql[:160] + ("…" if len(sql) > 160 else ""))
                for line in plan:
                    print("      " + line)


GOALS: tuple[tuple[str, dict[str, str], float, str], ...] = (
    ("first_response_within", {"within": "24h"}, 0.95, "ge"),
    ("first_response_median", {}, 3600, "le"),
    ("first_response_p90", {}, 86400, "le"),
    ("sla_met_first_response", {}, 0.9, "ge"),
    ("sla_met_resolution", {}, 0.8, "ge"),
    ("next_response_median", {}, 3600, "le"),
    ("inbound_volume", {}, 10000, "le"),
    ("needs_reply_share", {}, 0.5, "le"),
    ("sentiment_share", {"sentiment": "negative"}, 0.2, "le"),
    ("feedback_closed", {}, 100, "ge"),
    ("posts_published", {}, 100, "ge"),
    ("backlog_now", {}, 50, "le"),
)


def goals(now: datetime, manager: Any) -> tuple[float, int]:
    from socialdesk.accounts.models import Organisation
    from socialdesk.goals import goal_services, kpis
    from socialdesk.goals.goal_models import Goal

    organisation = Organisation.current()
    created = []
    for n, (name, params, target, comparison) in enumerate(GOALS):
        if name not in kpis.REGISTRY or not kpis.get(name).available:
            continue
        created.append(
            Goal.objects.create(
                organisation=organisation,
                name=f"Ziel {n + 1}: {name}",
                kpi=name,
                params=params,
                target=target,
                comparison=comparison,
                start=now.date() - timedelta(days=60),
                deadline=now.date() + timedelta(days=30),
                owner=manager,
                created_by=manager,
            )
        )
    ms, _ = _timed(lambda: [goal_services.evaluate(g, now=now, tell=False) for g in created])
    return ms, len(created)


def overview(manager: Any, path: str = "", requests: int = 50) -> tuple[str, float, float, int]:
    """p50/p95 of `requests` loads of a dashboard (the manager's overview by default; `path`
    adds a department/channel page or a query such as `?range=last_quarter`)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("goals:dashboard") + path if path.startswith("?") or not path else path
    client = Client()
    client.force_login(manager)
    assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        ms, response = _timed(lambda: client.get(url))
        assert response.status_code == 200
        times.append(ms)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    return url, statistics.median(times), p95, len(queries)


def other_dashboards(manager: Any, department: int, account: int) -> list[tuple[str, str]]:
    """The department and channel dashboards and longer periods (20 loads each)."""
    from django.urls import reverse

    rows = []
    for path in (
        reverse("goals:dashboard_department", args=[department]),
        reverse("goals:dashboard_channel", args=[account]),
        "?range=last_4_weeks",
        "?range=last_quarter",
    ):
        url, p50, p95, queries = overview(manager, path, requests=20)
        rows.append((url, f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries"))
    return rows


def reports(now: datetime) -> list[tuple[str, str]]:
    """Seconds to build last month's organisation-wide report and to render each file."""
    from socialdesk.goals.kpis import Period
    from socialdesk.goals.report_data import build_report
    from socialdesk.goals.report_formats import render

    first = now.date().replace(day=1)
    last_month = Period((first - timedelta(days=1)).replace(day=1), first)
    out = []
    built_ms, report = _timed(lambda: build_report(last_month, now=now))
    out.append(("build (a month, whole team)", f"{built_ms:,.0f} ms"))
    for fmt in ("pdf", "xlsx", "csv"):
        ms, data = _timed(partial(render, report, fmt))
        out.append((fmt.upper(), f"{ms:,.0f} ms, {len(data):,} bytes"))
    return out


IMPORT_RUNS = (
    "with the rollup triggers and KPI indexes",
    "without the rollup triggers",
    "without the rollup triggers and KPI indexes",
)


def import_upkeep(rows: int, work: Path) -> list[tuple[str, float]]:
    """µs per message of `socialdesk import --format twcs` of `rows` rows with the rollup
    triggers and the KPI indexes, without the triggers, and without both (the import is
    removed again between the runs; triggers and indexes are put back at the end)."""
    from django.core.management import call_command

    from bench.twcs_corpus import write_csv
    from socialdesk.inbox import rollups
    from socialdesk.inbox.models import Contact, Conversation, Message

    path = work / "import.csv"
    write_csv(path, rows, seed=7, brands=2)
    out = []
    dropped: list[str] = []
    for label in IMPORT_RUNS:
        last_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_conversation = Conversation.objects.order_by("-pk").values_list("pk", flat=True)[0]
        last_contact = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if "without the rollup" in label:
            rollups.drop()
        if label.endswith("KPI indexes") and label.startswith("without"):
            dropped = _drop_indexes()
        ms, _ = _timed(
            lambda: call_command(
                "import", str(path), "--format", "twcs", verbosity=0, stdout=io.StringIO()
            )
        )
        stored = Message.objects.filter(pk__gt=last_message).count()
        out.append((f"{label}: {stored:,} messages, µs per message", ms * 1000 / max(stored, 1)))
        Message.objects.filter(pk__gt=last_message).delete()
        Conversation.objects.filter(pk__gt=last_conversation).delete()
        Contact.objects.filter(pk__gt=last_contact).delete()
    _restore_indexes(dropped)
    rollups.ensure()  # the triggers back, and the rollup recounted
    return out


def _drop_indexes() -> list[str]:
    """Drop the KPI indexes; return the statements that make them again as the database had
    them (PostgreSQL: with what migrations added beyond the model, such as an INCLUDE)."""
    from django.db import connection

    again = []
    with connection.cursor() as cursor:
        for _table, index in SPEED_INDEXES:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
            else:
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [index]
                )
            found = cursor.fetchone()
            if found is not None:
                again.append(str(found[0]))
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
    return again


def _restore_indexes(statements: list[str]) -> None:
    """Put the dropped KPI indexes back as they were."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="50,000 messages, 5,000 imported")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--no-import", action="store_true", help="leave out the import run")
    parser.add_argument("--explain", action="store_true", help="print the dashboard KPIs' plans")
    args = parser.parse_args()
    if args.quick:
        args.messages, args.import_rows = 50_000, 5_000
    work = Path(tempfile.mkdtemp(prefix="bench-goals-"))
    _setup(args.database_url, work)
    from django.db import connection
    from django.utils import timezone

    from bench.goals_history import fill
    from socialdesk.accounts.models import Department, Role, User
    from socialdesk.inbox import rollups, waiting

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rollups.drop()  # the history is written without them; the rollup is counted once after
    waiting.drop()
    history = fill(args.messages, now=now, log=lambda text: print(text, file=sys.stderr))
    recount_ms, _ = _timed(rollups.ensure)
    waiting.ensure()
    with connection.cursor() as cursor:  # as autovacuum would have done after an import
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    manager = User.objects.create_user("max@example.com", "x", full_name="Max", role=Role.MANAGER)
    member = User.objects.create_user("mia@example.com", "x", full_name="Mia", role=Role.MEMBER)
    department = Department.objects.get(name="Kundenservice")
    member.departments.add(department)

    if args.explain:
        explain(now, manager, member, DASHBOARD)
    print(f"\nbench_goals on {connection.vendor}: {history['messages']:,} messages, "
          f"{history['conversations']:,} conversations, {history['sla_outcomes']:,} SLA outcomes "
          f"(history written in {history['seconds']:.0f} s)")  # fmt: skip
    from socialdesk.inbox.rollup_models import MessageRollup

    print(f"message rollup counted from all messages in {recount_ms / 1000:.1f} s: "
          f"{MessageRollup.objects.count():,} hour rows\n")  # fmt: skip
    print("KPI value() in ms; team = a manager, member = a department member (own departments)")
    head = ["kpi", "team 7d", "team 28d", "team 365d", "memb 7d", "memb 28d", "memb 365d",
            "dept 7d", "acct 7d"]  # fmt: skip
    print(f"{head[0]:<28}" + "".join(f"{h:>10}" for h in head[1:]))
    for row in kpi_table(now, manager, member, department.pk):
        print(f"{row[0]:<28}" + "".join(f"{c:>10}" for c in row[1:]))

    print("\nraw recomputation (rows of the period counted in Python) beside value(), team:")
    print(f"{'kpi':<28}{'days':>6}{'value() ms':>12}{'raw ms':>10}  equal")
    for name, days, kpi_ms, raw_ms, kpi_value, raw_value in raw_baseline(now):
        same = kpi_value == raw_value or (
            kpi_value is not None and raw_value is not None and abs(kpi_value - raw_value) < 1e-9
        )
        print(f"{name:<28}{days:>6}{_ms(kpi_ms):>12}{_ms(raw_ms):>10}  {'yes' if same else 'NO'}")

    evaluation_ms, count = goals(now, manager)
    print(f"\ngoal evaluation of {count} goals: {evaluation_ms:,.0f} ms")
    page, p50, p95, queries = overview(manager)
    verdict = "met" if p95 <= 300 else "MISSED"
    print(f"the manager's overview ({page}, {count} goals, the last 7 days, 50 requests): "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {queries} queries; goal p95 ≤ 300 ms: {verdict}")  # fmt: skip
    from socialdesk.channels.models import ChannelAccount

    account = ChannelAccount.objects.order_by("pk").values_list("pk", flat=True).first()
    for url, figures in other_dashboards(manager, department.pk, account or 0):
        print(f"dashboard {url}: {figures}")
    for what, note in reports(now):
        print(f"reports {what}: {note}")
    if not args.no_import:
        runs = import_upkeep(args.import_rows, work)
        for label, value in runs:
            print(f"import {label}: {value:,.0f}")
        (_, with_all), (_, without_triggers), _rest = runs
        print(f"rollup upkeep per imported message: {with_all - without_triggers:,.0f} µs "
              f"({(with_all - without_triggers) / without_triggers:+.0%} import time)")  # fmt: skip


if __name__ == "__main__":
    main()
