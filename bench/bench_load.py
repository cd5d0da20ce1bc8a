"""Benchmark the inbox under load: the team working it while webhook items pour in (issue 16).

    .venv/bin/python bench/bench_load.py [--users 50] [--rate 100] [--duration 60]
        [--web-workers 4] [--intake-workers 2] [--workers 2] [--worker-nice N] [--conversations 30000]
        [--baseline 30] [--keep]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_load]

Goal (from the issue): with 50 team members working the inbox while 100 items/s arrive by
webhook, on PostgreSQL with the production server settings, every page's p95 ≤ 150 ms,
no errors, and every item stored within 5 s of its delivery.

Set-up: the database of --database-url (created here, dropped at the end unless --keep; an
existing one is refused), `socialdesk migrate`, `socialdesk channels add webhook`, then a year
of inbox history written as bulk rows by `goals_history.fill` (N conversations with ~3.3
messages each on two Mastodon accounts, 5 departments, 5 tags, SLA states; plus feedback,
posts and listening matches), the team (2 social media managers and agents, one department
each, no second factor; a third of the conversations assigned to them), the history's SLA
breaches marked warned, its overdue feedback reminded and its messages classified (as the
worker would have done when they happened), VACUUM ANALYZE.
Then, as the units in deploy/ run it: `socialdesk serve --no-worker --web-workers W`
(gunicorn, W processes × 4 threads, DEBUG off, access log on) on a free port of 127.0.0.1,
the webhook intake the deliveries go to (`socialdesk serve --no-worker --web-workers I --nice 10`
on another port, as deploy/socialdesk-intake.service behind the proxy's `/hooks/`;
`--intake-workers 0`: none, the web server takes them) and K `socialdesk worker` processes with
their production defaults (each lowers its CPU priority and its session's to WORKER_NICE, 10;
`--worker-nice 0` measures them at the web server's). 1,000 deliveries through
the endpoint give the webhook channel conversations of its own before anything is measured
(and the CPU time one delivery costs: web server, workers, PostgreSQL).

Measured over HTTP by locust (`bench/locustfile.py`, a process of its own): each member signs
in through the login form, then lists, filters (status, assigned to me, channel, tag, search),
opens, replies, notes and assigns with 1–3 s between tasks. Request times per page count from
the moment the last member has signed in, for --duration seconds.
- warm-up: 4 members for 10 s (every gunicorn process has served pages), not reported;
- baseline: 1 member, no pause between tasks, no webhook load (--baseline seconds);
- under load: --users members, and meanwhile signed deliveries of one new item each
  (bench_webhook's) at --rate per second from 16 keep-alive connections, from the moment the
  last member has signed in until the measurement ends. Only requests sent in that window
  count (one sent during the sign-ins and answered later does not).
From the database: the ingest lag of every delivery sent under load (its message's
`imported_at` − the delivery's `received_at`; p50/p95/max), after waiting until the workers
have stored everything. CPU seconds (from /proc) of the web server's processes, the workers,
the database's connections, locust and the sender, beside what the whole machine was busy
(others' work included), and CPU ms per page (baseline) and per delivery (the 1,000 before
it), so that a reader of a shared or small machine sees what the asked load needs. Checks (exit 1 when one fails; a missed goal is not a failure): no
page answered with an error, every delivery accepted (2xx) and stored exactly once, nothing
set aside, every reply and note the forms accepted is in the database. With --keep the folder
keeps locust's results with each measured request's send time and duration
(`locust-load.json`, "timeline") and the workers' logs (which task ran when), to see which
seconds were slow and what ran then.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load_pages as pages  # noqa: E402
from bench.bench_workers import (  # noqa: E402
    _count,
    _create_template,
    _python,
    _query,
    _stop,
    percentile,
)
from bench.load_harness import (  # noqa: E402
    SEED,
    Cpu,
    LocustRun,
    Page,
    free_port,
    machine_busy,
    own_cpu,
    run_locust,
    send_paced,
    serve_pid,
    session,
    start_workers,
    wait_stored,
)
from bench.webhook_harness import (  # noqa: E402
    Database,
    Phase,
    _environment,
    _raise_interrupt,
    deliveries,
    drop_database,
    run_phase,
    server,
    socialdesk,
)

DEFAULT_URL = "postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_load"
GOAL_P95_MS = 150.0
GOAL_LAG_S = 5.0
INTAKE_NICE = 10  # deploy/socialdesk-intake.service
SEED_DELIVERIES = 1000  # also what one delivery costs in CPU
PASSWORD = "bench load passphrase " + "x" * 8  # a throw-away database
WORDS = ["Lieferung", "Bestellung", "refund", "abgebucht", "4711"]  # frequent … absent
STORE_SECONDS = 180.0  # at most, after the load, for the workers to store what came


# ------------------------------------------------------------------ the product


# ------------------------------------------------------------------ CPU time


# ------------------------------------------------------------------ the webhook sender


# ------------------------------------------------------------------ locust


# ------------------------------------------------------------------ the report


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def table(baseline: LocustRun, load: LocustRun, hook: Phase) -> str:
    header = ["page", "base p50", "base p95", "requests", "req/s", "p50 ms", "p95 ms",
              "p99 ms", "errors", "p95 ≤ 150 ms"]  # fmt: skip
    rows = []
    names = [*pages.PAGES, *sorted(set(load.pages) - set(pages.PAGES))]
    for name in names:
        page = load.pages.get(name, Page(name, [], 0))
        base = baseline.pages.get(name, Page(name, [], 0))
        rows.append(
            [
                name, _ms(base.p(0.5)), _ms(base.p(0.95)), f"{len(page.times):,}",
                f"{len(page.times) / load.seconds:.1f}", _ms(page.p(0.5)), _ms(page.p(0.95)),
                _ms(page.p(0.99)), f"{page.errors}",
                "–" if not page.times else "yes" if page.p(0.95) <= GOAL_P95_MS else "NO",
            ]
        )  # fmt: skip
    every = Page("all pages", [t for p in load.pages.values() for t in p.times], load.errors)
    base_every = Page("", [t for p in baseline.pages.values() for t in p.times], 0)
    rows.append(
        [
            "all pages", _ms(base_every.p(0.5)), _ms(base_every.p(0.95)), f"{load.requests:,}",
            f"{load.requests / load.seconds:.1f}", _ms(every.p(0.5)), _ms(every.p(0.95)),
            _ms(every.p(0.99)), f"{load.errors}", "",
        ]
    )  # fmt: skip
    rows.append(
        [
            "webhook POST (the sender)", "", "", f"{hook.calls:,}",
            f"{hook.calls / hook.seconds:.1f}", f"{hook.percentile(0.5):.0f}",
            f"{hook.percentile(0.95):.0f}", f"{hook.percentile(0.99):.0f}",
            f"{hook.errors(lambda s: 200 <= s < 300)}", "",
        ]
    )  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(
            c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)
        ) + " |"  # fmt: skip

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths))
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def stored_by_forms(url: str) -> dict[str, int]:
    """Replies and notes the team wrote (the seeded history has no author on either)."""
    replies = _count(url, "SELECT count(*) FROM inbox_message WHERE author_user_id IS NOT NULL")
    notes = _count(url, "SELECT count(*) FROM inbox_note")
    return {pages.REPLY: replies, pages.NOTE: notes}


def budget(
    hook: dict[str, float], deliveries: int, page: dict[str, float], requests: int, args: Any
) -> str:
    """CPU per page and per delivery (from the phases without load), and what the load asked
    for would need: users / 2 s (the mean pause) pages per second and --rate deliveries."""
    per_hook = {name: 1000 * s / deliveries for name, s in hook.items()}
    # The workers' share of the baseline is their idle rounds, not the pages'.
    per_page = {n: 1000 * s / max(1, requests) for n, s in page.items() if n != "workers"}
    need = (args.users / 2) * sum(per_page.values()) / 1000 + args.rate * sum(
        per_hook.values()
    ) / 1000
    return (
        "CPU ms per page (baseline): "
        + ", ".join(f"{name} {ms:.0f}" for name, ms in per_page.items())
        + f"; per delivery stored ({deliveries} before the baseline): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in per_hook.items())
        + f"\n  → {args.users} members (~{args.users / 2:.0f} pages/s) and {args.rate:g} "
        f"deliveries/s need ~{need:.1f} CPUs for socialdesk and PostgreSQL alone "
        f"(without locust and the sender); this machine has {os.cpu_count()}"
    )


def lags(url: str, prefix: str) -> list[float]:
    """Seconds from each delivery's receipt to its item's message, for ids with `prefix`."""
    rows = _query(
        url,
        "SELECT extract(epoch FROM m.imported_at - d.received_at) "
        "FROM channels_webhookdelivery d JOIN inbox_message m "
        "ON m.channel_account_id = d.channel_account_id "
        "AND m.external_id = convert_from(d.body, 'UTF8')::json #>> '{items,0,id}' "
        f"WHERE m.external_id LIKE '{prefix}%%'",
    )
    return [float(str(row[0])) for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="team members working the inbox")
    parser.add_argument("--rate", type=float, default=100.0, help="webhook deliveries per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured under load")
    parser.add_argument("--baseline", type=float, default=30.0, help="seconds of the baseline")
    parser.add_argument(
        "--web-workers", type=int, default=4, help="gunicorn processes (deploy/: 4)"
    )
    parser.add_argument("--workers", type=int, default=2, help="`socialdesk worker` processes")
    parser.add_argument(
        "--intake-workers", type=int, default=2,
        help="gunicorn processes of the webhook intake server (deploy/: 2; 0: none, the "
        "deliveries go to the web server)",
    )  # fmt: skip
    parser.add_argument(
        "--worker-nice", type=int, choices=range(20), metavar="0-19",
        help="the workers' CPU priority (default: theirs, WORKER_NICE 10; 0: as started)",
    )  # fmt: skip
    parser.add_argument("--conversations", type=int, default=30_000, help="seeded conversations")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL; created here")
    parser.add_argument("--keep", action="store_true", help="keep the folder and the database")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url: the load benchmark runs on PostgreSQL")
    if min(args.users, args.web_workers, args.workers, args.conversations) < 1 or args.rate <= 0:
        parser.error("--users, --web-workers, --workers, --conversations and --rate: positive")
    if args.intake_workers < 0:
        parser.error("--intake-workers: 0 or more")
    signal.signal(signal.SIGTERM, _raise_interrupt)

    _create_template(args.database_url)  # refuses an existing database
    database = Database(args.database_url, "PostgreSQL", created=True)
    url = args.database_url
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    failed = True
    workers: list[subprocess.Popen[bytes]] = []
    try:
        port = free_port()
        env = _environment(work, database, port)
        env.pop("DATABASE_POOL", None)  # each thread its own connection (the default)
        env.update(LOG_LEVEL="WARNING", PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
        print(f"folder {work}; database {url}; port {port}", file=sys.stderr)
        socialdesk("migrate", "--no-input", "-v", "0", env=env)
        secret = secrets.token_urlsafe(32)
        added = socialdesk("channels", "add", "webhook", "--name", "load webhook", "--secret", secret, env=env)  # fmt: skip
        match = re.search(r"POST to (\S+)", added)
        if match is None:
            sys.exit(f"no URL in the output of `socialdesk channels add webhook`:\n{added}")
        hook = urlsplit(match.group(1)).path

        began = time.perf_counter()
        setup = work / "setup.json"
        messages = round(args.conversations * 10 / 3)
        _python(SEED, env, str(messages), str(args.users), str(setup), PASSWORD, json.dumps(WORDS))
        seeded = json.loads(setup.read_text())
        print(f"seeded {seeded['conversations']:,} conversations, {seeded['messages']:,} "
              f"messages ({seeded['classified']:,} of them classified as the worker does), "
              f"{args.users} people in {time.perf_counter() - began:.0f} s",
              file=sys.stderr)  # fmt: skip

        rng = random.Random(16)
        run = secrets.token_hex(3)
        planned = math.ceil(args.rate * (args.duration + 60))
        load_calls = deliveries(hook, secret, planned, prefix=f"load-{run}", rng=rng)
        seed_calls = deliveries(hook, secret, SEED_DELIVERIES, prefix=f"seed-{run}", rng=rng)
        command = [sys.executable, "-m", "socialdesk", "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--web-workers", str(args.web_workers), "--no-worker"]  # fmt: skip
        # Each gunicorn process spends ~5 CPU-s importing the app: on a busy machine W of
        # them take longer than bench_webhook's 60 s.
        with contextlib.ExitStack() as running:
            running.enter_context(
                server(command, env, port, work / "server.log", ready_seconds=300)
            )
            intake = port
            if args.intake_workers:  # a port of its own, taken once the web server holds its own
                intake = free_port()
                intake_command = [
                    sys.executable, "-m", "socialdesk", "serve", "--host", "127.0.0.1",
                    "--port", str(intake), "--web-workers", str(args.intake_workers),
                    "--no-worker", "--nice", str(INTAKE_NICE),
                ]  # fmt: skip
                running.enter_context(
                    server(intake_command, env, intake, work / "intake.log", ready_seconds=300)
                )
            workers = start_workers(args.workers, env, work, args.worker_nice)
            leader = serve_pid(port)
            intake_leader = serve_pid(intake) if intake != port else None
            connections = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"  # fmt: skip
            cpu = Cpu(
                {
                    "web server": lambda: session(leader),
                    **({"intake": lambda: session(intake_leader)} if intake_leader else {}),
                    "workers": lambda: [p for w in workers for p in session(w.pid)],
                    "PostgreSQL": lambda: [int(str(r[0])) for r in _query(url, connections)],
                }
            )
            cpu.start()
            seed_phase = run_phase("seed", intake, seed_calls, 4)
            wait_stored(url, f"seed-{run}", SEED_DELIVERIES, STORE_SECONDS)
            seed_cpu = cpu.stop()
            print("warm-up: 4 members, 10 s …", file=sys.stderr)  # every gunicorn process
            warm = run_locust("warm-up", port, setup, work, users=4, seconds=10, wait="0,0")
            print("baseline: 1 member, no webhook load …", file=sys.stderr)
            cpu.start()
            baseline = run_locust("baseline", port, setup, work, users=1,
                                  seconds=args.baseline, wait="0,0")  # fmt: skip
            baseline_cpu = cpu.stop()
            print(
                f"under load: {args.users} members, {args.rate:g} deliveries/s …", file=sys.stderr
            )
            load_before = os.getloadavg()
            cpu.start()
            mine = (own_cpu(resource.RUSAGE_CHILDREN), own_cpu(resource.RUSAGE_SELF))
            busy, wall = machine_busy(), time.monotonic()
            stop = threading.Event()
            result: list[Phase] = []
            sending = threading.Thread(
                target=lambda: result.append(
                    send_paced(
                        intake, load_calls, args.rate, stop, work / "locust-load.json.started"
                    )
                )
            )
            sending.start()
            load = run_locust("load", port, setup, work, users=args.users,
                              seconds=args.duration, wait="1,3")  # fmt: skip
            stop.set()
            sending.join()
            used = cpu.stop()
            used["locust"] = own_cpu(resource.RUSAGE_CHILDREN) - mine[0]
            used["webhook sender"] = own_cpu(resource.RUSAGE_SELF) - mine[1]
            busy, wall = machine_busy() - busy, time.monotonic() - wall
            load_during = os.getloadavg()
            niceness = sorted({os.getpriority(os.PRIO_PROCESS, w.pid) for w in workers})
            hook_phase = result[0]
            accepted = hook_phase.calls - hook_phase.errors(lambda s: 200 <= s < 300)
            wait_stored(url, f"load-{run}", accepted, STORE_SECONDS)
            _stop(workers)

        prefix = f"load-{run}"
        waited = lags(url, prefix)
        stored = _count(url, f"SELECT count(*) FROM inbox_message WHERE external_id LIKE '{prefix}%%'")  # fmt: skip
        distinct = _count(url, f"SELECT count(DISTINCT external_id) FROM inbox_message WHERE external_id LIKE '{prefix}%%'")  # fmt: skip
        aside = _count(url, "SELECT count(*) FROM channels_setasideitem")
        pending = _count(url, "SELECT count(*) FROM channels_webhookdelivery WHERE processed_at IS NULL")  # fmt: skip
        webhook_replies = _count(
            url,
            "SELECT count(*) FROM inbox_message WHERE author_user_id IS NOT NULL "
            f"AND channel_account_id = {int(seeded['webhook'])}",
        )
        in_db = stored_by_forms(url)

        print()
        print(
            f"socialdesk under load: {args.users} members working the inbox (1–3 s between "
            f"tasks) while {args.rate:g} webhook items/s arrive; PostgreSQL, "
            f"{seeded['conversations']:,} conversations / {seeded['messages']:,} messages seeded"
        )
        print(
            f"server: `socialdesk serve --no-worker --web-workers {args.web_workers}` (gunicorn, "
            f"{args.web_workers} processes × 4 threads, DEBUG off)"
            + (
                f" + the webhook intake `socialdesk serve --no-worker --web-workers "
                f"{args.intake_workers} --nice {INTAKE_NICE}` (/hooks/)"
                if args.intake_workers
                else ""
            )
            + f" + {args.workers} × "
            f"`socialdesk worker` (nice {'/'.join(map(str, niceness))}); {os.cpu_count()} CPUs shared with locust and the sender; "
            f"load average before / at the end of the load: {load_before[0]:.2f} / "
            f"{load_during[0]:.2f}"
        )
        print(
            f"measured: {load.seconds:.0f} s under load after all {load.signed_in} members "
            f"signed in; baseline: 1 member, no pause, no webhook load, {baseline.seconds:.0f} s "
            f"({baseline.requests:,} requests); times in ms, nearest-rank percentiles"
        )
        print()
        print(table(baseline, load, hook_phase))
        print()
        error_rate = load.errors / load.requests if load.requests else math.nan
        print(f"error rate under load: {load.errors} of {load.requests:,} requests "
              f"({error_rate:.2%}); baseline: {baseline.errors} of {baseline.requests:,}")  # fmt: skip
        for text, n in sorted({**warm.failures, **baseline.failures, **load.failures}.items()):
            print(f"  {n} × {text}")
        wrong = Counter(s for s in hook_phase.statuses if not 200 <= s < 300)
        for status, n in sorted(wrong.items()):
            print(f"  webhook: {n} × {status or 'no answer'}")
        sent_rate = hook_phase.calls / hook_phase.seconds
        print(
            f"webhook: {hook_phase.calls:,} deliveries sent in {hook_phase.seconds:.0f} s "
            f"({sent_rate:.1f}/s, asked {args.rate:g}/s), {accepted:,} accepted, {stored:,} "
            f"stored; ingest lag (receipt → message) of the stored ones p50 {percentile(waited, 0.5):.2f} s, "
            f"p95 {percentile(waited, 0.95):.2f} s, max {max(waited):.2f} s"
            if waited
            else "webhook: nothing stored"
        )
        if sent_rate < 0.95 * args.rate:
            print(f"  the sender fell behind: the server took the deliveries at {sent_rate:.1f}/s")
        ours = sum(used.values())
        print(
            f"CPU seconds during the load run ({wall:.0f} s, sign-ins included; "
            f"{os.cpu_count()} CPUs: {wall * (os.cpu_count() or 1):.0f} CPU-s): "
            + ", ".join(f"{name} {seconds:.0f}" for name, seconds in used.items())
            + f"; the machine in all {busy:.0f}, of which others' work {max(0.0, busy - ours):.0f}"
        )
        print(budget(seed_cpu, SEED_DELIVERIES, baseline_cpu, baseline.requests, args))
        print(f"replies written by the team in the webhook channel: {webhook_replies} "
              "(kept, nothing to send there)")  # fmt: skip
        print()
        done = warm.succeeded + baseline.succeeded + load.succeeded
        tried = warm.attempted + baseline.attempted + load.attempted
        checks = [
            (f"pages: {load.errors + baseline.errors + warm.errors} errors (expected 0)",
             not load.failures and not baseline.failures and not warm.failures),
            (f"sign-ins: {load.succeeded[pages.LOGIN] // 2} of {args.users} under load",
             load.succeeded[pages.LOGIN] == 2 * args.users),
            (f"webhook: {accepted:,} of {hook_phase.calls:,} deliveries accepted",
             accepted == hook_phase.calls and hook_phase.calls > 0),
            (f"webhook: {stored:,} messages, {distinct:,} distinct ids for {accepted:,} accepted "
             "deliveries", stored == distinct == accepted),
            (f"webhook: {aside} items set aside, {pending} deliveries not processed",
             aside == 0 and pending == 0),
            (f"seed deliveries: {seed_phase.calls - seed_phase.errors(lambda s: 200 <= s < 300)}"
             f" of {seed_phase.calls} accepted", seed_phase.errors(lambda s: 200 <= s < 300) == 0),
        ]  # fmt: skip
        for name in (pages.REPLY, pages.NOTE):
            checks.append(
                (f"{name}: {in_db[name]} in the database, {done[name]} answered by the form "
                 f"({tried[name]} sent)", done[name] <= in_db[name] <= tried[name])
            )  # fmt: skip
        for text, ok in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {text}")
        failed = not all(ok for _text, ok in checks)
        print()
        slow = [n for n, p in load.pages.items() if p.times and p.p(0.95) > GOAL_P95_MS]
        # A delivery not stored when the run gave up waiting has no lag to count: the goal
        # is missed then, whatever the stored ones' lag.
        max_lag = max(waited) if waited and stored == accepted else math.inf
        print(f"goal p95 ≤ {GOAL_P95_MS:.0f} ms on every page: "
              + ("met" if not slow else f"NOT met ({', '.join(slow)})"))  # fmt: skip
        print(f"goal 0 errors: {'met' if load.errors == 0 and accepted == hook_phase.calls else 'NOT met'}")  # fmt: skip
        print(f"goal ingest lag ≤ {GOAL_LAG_S:.0f} s (every item): "
              + ("met" if max_lag <= GOAL_LAG_S else "NOT met")
              + (f" (max {max_lag:.2f} s)" if stored == accepted else
                 f" ({accepted - stored:,} deliveries not stored {STORE_SECONDS:.0f} s after the load)"))  # fmt: skip
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    finally:
        _stop(workers)
        if args.keep:
            print(f"kept {work} and the database {url}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
            drop_database(database)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
