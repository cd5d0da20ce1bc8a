"""Benchmark inbound webhook items stored per second by 1, 2 and 4 `socialdesk worker` processes
sharing one PostgreSQL database (issue 16: workers that scale out).

    .venv/bin/python bench/bench_workers.py [--items 5000] [--workers 1,2,4] [--channels 1] [--keep]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_workers]

Set-up, once: the database of --database-url (created, dropped at the end unless --keep; an
existing one is refused), `socialdesk migrate`, `socialdesk channels add webhook` (C channels,
--channels, default 1), and N signed deliveries of one new item each, to the channels in turn
(bench_webhook's: unique ids, 576 authors, ~200 characters of English or German) accepted
through the endpoint's own service (`receiver.verify` and
`receiver.accept`, in one process). They are then hidden (marked processed) and the database
becomes the template of every run, so every run stores the same deliveries.

Each run gets a copy of the template (`CREATE DATABASE … TEMPLATE`). K `socialdesk worker`
processes start (`--channels-every 1`: each queues its round of channel work, webhook batches
included, every second) and run until each has finished a task (started up). Then all N
deliveries appear at once (one UPDATE: unprocessed, received now), a burst as when a network
replays its backlog. Measured in the database itself:
- items/s: N / (the last message's `imported_at` − the burst);
- lag: each message's `imported_at` − its delivery's `received_at` (the burst), p50/p95;
- stored by each worker: what each process's webhook batch tasks stored (the work was shared);
- checks: exactly N messages, N distinct ids, nothing set aside, every delivery processed.
One channel's deliveries are stored one batch at a time (a reply must see its question), so
with one channel the workers take its batches one after the other; channels are shared.
Baseline in the same run: one process that is already started runs `worker --batch` with one
webhook batch task queued at the burst (no schedule, no start-up in the figure); and the
1-worker run. The workers also do the rest of their round (classifying the new messages,
matching monitors, sending), as in production. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pg_admin import drop_database_at  # noqa: E402

from bench.webhook_harness import (  # noqa: E402
    Database,
    deliveries,
    drop_database,
    postgres_admin,
)

DEFAULT_URL = "postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_workers"
SECRET = "bench-workers-secret-" + "x" * 20
READY_SECONDS = 90.0
STORE_SECONDS = 600.0

# Accept the deliveries through the endpoint's service, then hide them until the burst.
ACCEPT = """
import json, sys
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from socialdesk.channels.models import ChannelAccount, WebhookDelivery
from socialdesk.channels.webhook import receiver

accounts = list(ChannelAccount.objects.filter(network="webhook").order_by("pk"))
accepted = 0
with open(sys.argv[1]) as lines:
    for number, line in enumerate(lines):
        account = accounts[number % len(accounts)]  # round robin over the channels
        call = json.loads(line)
        body = call["body"].encode()
        receiver.verify(account, body, call["signature"])
        with transaction.atomic():
            accepted += receiver.accept(account, body).stored
WebhookDelivery.objects.update(processed_at="1970-01-01T00:00:00Z")
DBTaskResult.objects.all().delete()  # the endpoint's "store soon" tasks: each run queues its own
print(accepted)
"""

# The baseline: Django started, then the burst, one webhook batch task and `worker --batch`.
BATCH = """
from django.core.management import call_command
from django.db import connection
from socialdesk.channels.tasks import process_webhooks

with connection.cursor() as cursor:
    cursor.execute(BURST)
process_webhooks.enqueue()
call_command("worker", "--batch")
"""
BURST = "UPDATE channels_webhookdelivery SET processed_at = NULL, received_at = now()"


@dataclass
class Run:
    label: str
    items: int
    seconds: float  # from the burst to the last message stored
    p50: float  # lag, seconds
    p95: float
    problems: list[str]
    split: list[int]  # messages stored by each worker process (its webhook batch tasks)

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


# ------------------------------------------------------------------ the database


def _url(base: str, name: str) -> str:
    return urlsplit(base)._replace(path=f"/{name}").geturl()


def _admin(base: str, sql: str) -> None:
    import psycopg

    admin, _name = postgres_admin(base)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        return list(connection.execute(sql))


def _execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _count(url: str, sql: str) -> int:
    return int(str(_query(url, sql)[0][0]))


def _create_template(url: str) -> None:
    import psycopg

    admin, name = postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(f"the database {name!r} exists: drop it or name another with --database-url")
        connection.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------ the product


def _environment(work: Path, url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DJANGO_SETTINGS_MODULE", "ENCRYPTION_KEYS", "TASKS_BACKEND", "DATABASE_POOL"}
    }
    env.update(
        SOCIALDESK_DATA_DIR=str(work / "var"),
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(48),
        DEBUG="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    return env


def _socialdesk(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "socialdesk", *args], env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"`socialdesk {' '.join(args)}` failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done.stdout


def _python(code: str, env: dict[str, str], *args: str) -> str:
    setup = "import django\ndjango.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", setup + code, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "socialdesk.settings"}, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(f"a set-up step failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done.stdout


def prepare(url: str, work: Path, count: int, channels: int) -> None:
    """Migrate the template, add the webhook channels, accept the N deliveries, hide them."""
    env = _environment(work, url)
    _socialdesk("migrate", "--no-input", "-v", "0", env=env)
    for number in range(1, channels + 1):
        _socialdesk("channels", "add", "webhook", "--name", f"bench webhook {number}",
                    "--secret", SECRET, env=env)  # fmt: skip
    calls = deliveries("/hooks/x/", SECRET, count, prefix="w", rng=random.Random(16))
    listing = work / "deliveries.jsonl"
    with listing.open("w") as out:
        for call in calls:
            assert call.body is not None
            out.write(json.dumps({"body": call.body.decode(),
                                  "signature": call.headers["X-Hub-Signature-256"]}) + "\n")  # fmt: skip
    accepted = int(_python(ACCEPT, env, str(listing)).strip().splitlines()[-1])
    if accepted != count:
        sys.exit(f"the service accepted {accepted} of {count} deliveries")


# ------------------------------------------------------------------ one run


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "socialdesk", "worker", "--channels-every", "1", "--interval", "0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)


def _wait_until_started(url: str, workers: list[subprocess.Popen[bytes]]) -> None:
    """Until each worker has finished a task of its own round (Django loaded, queue polled)."""
    deadline = time.monotonic() + READY_SECONDS
    finished = (
        "SELECT count(DISTINCT worker_ids::text) FROM django_tasks_database_dbtaskresult "
        "WHERE status = 'SUCCESSFUL'"
    )
    while _count(url, finished) < len(workers):
        if any(w.poll() is not None for w in workers):
            sys.exit("a worker stopped while starting")
        if time.monotonic() > deadline:
            sys.exit(f"the workers did not start within {READY_SECONDS:.0f} s")
        time.sleep(0.2)


def _wait_until_stored(url: str, count: int) -> None:
    deadline = time.monotonic() + STORE_SECONDS
    while _count(url, "SELECT count(*) FROM inbox_message") < count:
        if time.monotonic() > deadline:
            return  # the checks say how many are missing
        time.sleep(0.1)
    # Every delivery marked processed too (the same transaction as its items).
    while _count(url, "SELECT count(*) FROM channels_webhookdelivery WHERE processed_at IS NULL"):
        if time.monotonic() > deadline:
            return
        time.sleep(0.1)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(label: str, url: str, count: int) -> Run:
    """Read the outcome of a run from the database and check it."""
    lags = [
        float(str(row[0]))
        for row in _query(
            url,
            "SELECT extract(epoch FROM m.imported_at - d.burst) FROM inbox_message m, "
            "(SELECT max(received_at) AS burst FROM channels_webhookdelivery) d",
        )
    ]
    problems = []
    stored = len(lags)
    distinct = _count(url, "SELECT count(DISTINCT external_id) FROM inbox_message")
    aside = _count(url, "SELECT count(*) FROM channels_setasideitem")
    waiting = _count(
        url, "SELECT count(*) FROM channels_webhookdelivery WHERE processed_at IS NULL"
    )
    if stored != count or distinct != count:
        problems.append(f"{stored:,} messages, {distinct:,} distinct ids (expected {count:,})")
    if aside:
        problems.append(f"{aside} items set aside")
    if waiting:
        problems.append(f"{waiting} deliveries not processed")
    seconds = max(lags) if lags else float("nan")
    split = [
        int(str(row[0]))
        for row in _query(
            url,
            "SELECT sum((return_value #>> '{}')::int) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE '%%.process_webhooks' AND status = 'SUCCESSFUL' "
            "GROUP BY worker_ids::text ORDER BY 1 DESC",
        )
    ]
    return Run(label, stored, seconds, percentile(lags, 0.5) if lags else math.nan,
               percentile(lags, 0.95) if lags else math.nan, problems, split)  # fmt: skip


def run_workers(base: str, template: str, work: Path, workers: int, count: int) -> Run:
    name = f"{template}_run{workers}"
    url = _url(base, name)
    _admin(base, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    running: list[subprocess.Popen[bytes]] = []
    try:
        running = [_worker(_environment(work, url)) for _ in range(workers)]
        _wait_until_started(url, running)
        _execute(url, BURST)
        _wait_until_stored(url, count)
        _stop(running)
        return measure(f"{workers} × `socialdesk worker`", url, count)
    finally:
        _stop(running)
        drop_database_at(_url(base, "postgres"), name)


def run_batch(base: str, template: str, work: Path, count: int) -> Run:
    name = f"{template}_batch"
    url = _url(base, name)
    _admin(base, f'DROP DATABASE IF EXISTS "{name}"')
    _admin(base, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        _python(f"BURST = {BURST!r}\n" + BATCH, _environment(work, url))
        return measure("baseline: 1 process, `worker --batch`", url, count)
    finally:
        drop_database_at(_url(base, "postgres"), name)


# ------------------------------------------------------------------ the report


def table(runs: list[Run], baseline: Run) -> str:
    header = ["run", "items", "seconds", "items/s", "× 1 worker", "lag p50 s", "lag p95 s",
              "stored by each worker", "check"]  # fmt: skip
    rows = [
        [
            r.label, f"{r.items:,}", f"{r.seconds:.2f}", f"{r.rate:,.0f}",
            f"{r.rate / baseline.rate:.2f}" if baseline.rate else "–",
            f"{r.p50:.2f}", f"{r.p95:.2f}", " / ".join(f"{n:,}" for n in r.split),
            "ok" if not r.problems else "FAIL",
        ]
        for r in runs
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(
            c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)
        ) + " |"  # fmt: skip

    rule = "|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2) for i, w in enumerate(widths))
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5000, help="deliveries of one item each")
    parser.add_argument("--workers", default="1,2,4", help="worker processes per run")
    parser.add_argument(
        "--channels", type=int, default=1, help="webhook channels the deliveries come to in turn"
    )
    parser.add_argument("--database-url", default=DEFAULT_URL, help="PostgreSQL; created here")
    parser.add_argument("--keep", action="store_true", help="keep the template and the folder")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url: several workers share a PostgreSQL database")
    counts = [int(n) for n in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    _admin_url, template = postgres_admin(args.database_url)
    _create_template(args.database_url)
    failed = True
    try:
        started = time.perf_counter()
        prepare(args.database_url, work, args.items, args.channels)
        print(f"set-up: {args.items:,} deliveries to {args.channels} webhook channel(s) accepted"
              " through the endpoint's service "
              f"in {time.perf_counter() - started:.0f} s; CPUs: {os.cpu_count()}; "
              f"load average before the runs: {os.getloadavg()[0]:.2f}")  # fmt: skip
        runs = [run_batch(args.database_url, template, work, args.items)]
        for workers in counts:
            runs.append(run_workers(args.database_url, template, work, workers, args.items))
            print(f"  {runs[-1].label}: {runs[-1].rate:,.0f} items/s", flush=True)
        one = next((r for r in runs if r.label.startswith("1 ×")), runs[0])
        print()
        print(table(runs, one))
        print()
        for r in runs:
            for problem in r.problems:
                print(f"FAIL {r.label}: {problem}")
        failed = any(r.problems for r in runs)
        print("ok   every run stored exactly the N items once" if not failed else "")
    finally:
        if args.keep:
            print(f"kept {work} and the database {template}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
            drop_database(Database(args.database_url, "PostgreSQL", created=True))
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
