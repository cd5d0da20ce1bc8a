"""Benchmark the inbound webhook endpoint on the server as it runs in production.

    .venv/bin/python bench/bench_webhook.py [--requests 2000] [--concurrency 8] [--keep]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/socialdesk_bench]

Goal (from the issue): the webhook endpoint at 200 requests/s or more with p95 at most 50 ms.

Set-up: a temporary folder with a fresh SQLite database (or the database of --database-url,
created with CREATE DATABASE when it is missing and dropped again at the end), then
`socialdesk migrate`, `socialdesk channels add webhook` and `socialdesk serve --no-worker`
on a free port: gunicorn with the production settings of `serve` (2 processes × 4 threads,
access log on) but without the background task worker, whose polling would compete with
the measurement for the CPU and the database.

Every figure is measured over HTTP from C keep-alive connections (`http.client`, one thread
each; latency is from sending the request to reading the whole answer):
- POST /hooks/<id>/: N signed deliveries, each one new item (unique id, an author handle
  out of a few hundred, about 200 characters of text in English or German, no parent);
- baselines in the same run against the same server: GET of a static file (WhiteNoise
  answers before Django's middleware: the floor of gunicorn and HTTP) and GET /healthz
  (the whole middleware stack and a view, two reads, no write: the framework floor);
- replays: 200 of the same bodies again, which must store nothing new;
- wrong signature: 200 new deliveries signed with another secret: 401, nothing stored.
The endpoint verifies, checks every item and keeps the delivery (202); the task worker
stores the items in batches. After each phase `socialdesk worker --batch` runs until the
queue is empty and the rows of `inbox_message` are counted in the database itself: the N
deliveries must have added exactly N. The process exits 1 when a check fails (not when
the goal is missed).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.webhook_harness import (
    Call,
    Database,
    Phase,
    _environment,
    _get,
    _raise_interrupt,
    deliveries,
    drop_database,
    free_port,
    prepare_database,
    run_phase,
    server,
    socialdesk,
)

GOAL_RATE = 200.0  # requests per second, at least
GOAL_P95_MS = 50.0  # milliseconds, at most
REPLAYS = 200
WRONG_SIGNATURES = 200
STATIC_FILE = "/static/socialdesk/app.css"
HOOK_NAME = "bench webhook"  # handle "bench-webhook"; no text mentions it


# ------------------------------------------------------------------ the report


def table(rows: list[list[str]]) -> str:
    header = ["endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths))
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def row(label: str, phase: Phase, expected: Callable[[int], bool]) -> list[str]:
    return [
        label,
        f"{phase.calls:,}",
        f"{phase.calls / phase.seconds:,.0f}",
        f"{phase.percentile(0.50):.1f}",
        f"{phase.percentile(0.95):.1f}",
        f"{phase.percentile(0.99):.1f}",
        f"{phase.errors(expected):,}",
    ]


def _ok(status: int) -> bool:
    return 200 <= status < 300


def process(env: dict[str, str]) -> float:
    """Run the task worker until the queue is empty (it stores accepted deliveries)."""
    started = time.perf_counter()
    socialdesk("worker", "--batch", env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="deliveries to measure")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument(
        "--warmup", type=int, default=100, help="requests per endpoint before measuring"
    )
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn processes (serve's default: 2)"
    )
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in the temporary folder; PostgreSQL e.g. "
        "postgres://socialdesk:socialdesk@127.0.0.1:5432/socialdesk_bench",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the folder (database, server log) and database"
    )
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--requests and --concurrency must be positive, --warmup not negative")
    signal.signal(signal.SIGTERM, _raise_interrupt)

    work = Path(tempfile.mkdtemp(prefix="socialdesk-bench-webhook-"))
    database: Database | None = None
    failed = False
    try:
        database = prepare_database(args.database_url, work)
        port = free_port()
        env = _environment(work, database, port)
        print(f"folder {work}; database {database.url}", file=sys.stderr)
        socialdesk("migrate", "--no-input", env=env)
        secret = secrets.token_urlsafe(32)
        added = socialdesk("channels", "add", "webhook", "--name", HOOK_NAME, "--secret", secret, env=env)  # fmt: skip
        match = re.search(r"POST to (\S+)", added)
        if match is None:
            sys.exit(f"no URL in the output of `socialdesk channels add webhook`:\n{added}")
        hook = urlsplit(match.group(1)).path
        command = [sys.executable, "-m", "socialdesk", "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--web-workers", str(args.web_workers), "--no-worker"]  # fmt: skip

        rng = random.Random(1)
        run = secrets.token_hex(4)  # ids stay unique when a PostgreSQL database is reused
        new_items = deliveries(hook, secret, args.requests, prefix=f"bench-{run}", rng=rng)
        warm_items = deliveries(hook, secret, args.warmup, prefix=f"warm-{run}", rng=rng)
        forged = deliveries(hook, "not-the-secret", WRONG_SIGNATURES, prefix=f"forged-{run}", rng=rng)  # fmt: skip
        static = [Call("GET", STATIC_FILE)] * args.requests
        health = [Call("GET", "/healthz")] * args.requests
        c = args.concurrency

        load = os.getloadavg()[0]  # other work on the machine skews every figure
        with server(command, env, port, work / "server.log"):
            if _get(port, STATIC_FILE) != 200:
                sys.exit(f"GET {STATIC_FILE} does not answer 200")
            print("warming up …", file=sys.stderr)
            run_phase("warm-up", port, static[: args.warmup], c)
            run_phase("warm-up", port, health[: args.warmup], c)
            warm = run_phase("warm-up", port, warm_items, c)
            print("measuring …", file=sys.stderr)
            static_phase = run_phase("static", port, static, c)
            health_phase = run_phase("healthz", port, health, c)
            process(env)  # the warm-up deliveries
            before = database.count_messages()
            hook_phase = run_phase("webhook", port, new_items, c)
            work_seconds = process(env)
            after_new = database.count_messages()
            replay_phase = run_phase("replays", port, new_items[:REPLAYS], c)
            process(env)
            after_replays = database.count_messages()
            forged_phase = run_phase("forged", port, forged, c)
            process(env)
            after_forged = database.count_messages()

        stored = after_new - before
        rate = hook_phase.calls / hook_phase.seconds
        p95 = hook_phase.percentile(0.95)
        workers = args.web_workers
        print()
        print(
            f"socialdesk webhook benchmark: {args.requests:,} deliveries of one new item over "
            f"{c} keep-alive connections, {database.kind}, {os.cpu_count()} cores "
            f"(client and server share them; load average before the server started: {load:.2f})"
        )
        print(
            f"server: `socialdesk serve --no-worker --web-workers {workers}` (gunicorn "
            f"socialdesk.wsgi, {workers} processes × 4 threads, access log on; no task worker)"
        )
        print(
            f"baselines: GET {STATIC_FILE} (WhiteNoise, before Django's middleware) and "
            "GET /healthz (middleware, view, two reads, no write); "
            f"{args.warmup} requests per endpoint ran before measuring"
        )
        print()
        print(
            table(
                [
                    row(f"GET {STATIC_FILE} (baseline)", static_phase, _ok),
                    row("GET /healthz (baseline)", health_phase, _ok),
                    row(f"POST {hook} new items", hook_phase, _ok),
                    row(f"POST {hook} replays", replay_phase, _ok),
                    row(f"POST {hook} wrong signature", forged_phase, lambda s: s == 401),
                ]
            )
        )
        print("errors: answers other than 2xx (other than 401 for the wrong signature)")
        print(
            f"worker: `socialdesk worker --batch` stored the {stored:,} accepted items in "
            f"{work_seconds:.2f} s ({stored / work_seconds:,.0f} items/s, including its start-up)"
        )
        for label, phase, expected in (
            ("warm-up deliveries", warm, _ok),
            ("new items", hook_phase, _ok),
            ("replays", replay_phase, _ok),
            ("wrong signature", forged_phase, lambda s: s == 401),
        ):
            wrong = Counter(s for s in phase.statuses if not expected(s))
            if wrong:
                counts = ", ".join(f"{n} × {s or 'no answer'}" for s, n in sorted(wrong.items()))
                print(f"  {label}: {counts} (the server log says why: run with --keep)")
        retried = sum(p.retries for p in (static_phase, health_phase, hook_phase, replay_phase, forged_phase))  # fmt: skip
        if retried:
            print(f"requests sent again on a new connection after the server closed one: {retried}")
        print()
        checks = [
            (
                f"new items: inbox_message grew by {stored:,} (expected {args.requests:,})",
                stored == args.requests,
            ),
            (
                f"replays: {after_replays - after_new} new rows (expected 0), "
                f"{replay_phase.calls - replay_phase.errors(_ok)}/{replay_phase.calls} accepted",
                after_replays == after_new and replay_phase.errors(_ok) == 0,
            ),
            (
                f"wrong signature: {forged_phase.calls - forged_phase.errors(lambda s: s == 401)}"
                f"/{forged_phase.calls} answered 401, {after_forged - after_replays} new rows "
                "(expected 0)",
                forged_phase.errors(lambda s: s == 401) == 0 and after_forged == after_replays,
            ),
            (
                f"warm-up: {warm.calls - warm.errors(_ok)}/{warm.calls} deliveries answered 2xx",
                warm.errors(_ok) == 0,
            ),
        ]
        for text, ok in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {text}")
        failed = not all(ok for _text, ok in checks)
        met = rate >= GOAL_RATE and p95 <= GOAL_P95_MS
        print()
        print(
            f"goal (≥ {GOAL_RATE:.0f} req/s and p95 ≤ {GOAL_P95_MS:.0f} ms for new deliveries): "
            f"{'met' if met else 'NOT met'} ({rate:,.0f} req/s, p95 {p95:.1f} ms)"
        )
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        failed = True
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
            if database is not None and database.created:
                drop_database(database)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
