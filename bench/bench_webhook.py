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
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pg_admin import drop_database_at

GOAL_RATE = 200.0  # requests per second, at least
GOAL_P95_MS = 50.0  # milliseconds, at most
REPLAYS = 200
WRONG_SIGNATURES = 200
STATIC_FILE = "/static/socialdesk/app.css"
HOOK_NAME = "bench webhook"  # handle "bench-webhook"; no text mentions it

# ------------------------------------------------------------------ deliveries

FIRST_NAMES = ("anna", "ben", "carla", "deniz", "emil", "fatma", "georg", "hannah", "ivan",
               "julia", "kemal", "lena", "marco", "nina", "olga", "paul", "rosa", "sven")  # fmt: skip
LAST_NAMES = ("becker", "costa", "dahl", "engel", "fischer", "graf", "huber", "jansen",
              "keller", "lang", "meyer", "novak", "otto", "peters", "roth", "schulz")  # fmt: skip
ENGLISH = (
    ("Hi,", "Hello,", "Hey there,", "Good morning,", "Quick question:"),
    (
        "my order {n} still hasn't arrived and the tracking page has not changed since Monday.",
        "I was charged twice for the same subscription this month (invoice {n}).",
        "the app logs me out every time I switch to the camera and back again.",
        "the replacement part for ticket {n} was the wrong size, same as the first one.",
        "your store in the city centre told me to contact you online about my refund.",
        "I can't change the delivery address even though the parcel has not shipped yet.",
    ),
    (
        "I already tried the chat twice and nobody answered.",
        "My neighbour has the same problem since the last update.",
        "I have attached a screenshot of the error message.",
        "This is the third time I am writing about it.",
        "The help page only sends me in a circle.",
    ),
    (
        "Can you check what is going on?",
        "Who can I talk to about a refund?",
        "When will this be fixed?",
        "Thanks for looking into it.",
        "Please call me back, my number is in the account.",
    ),
)
GERMAN = (
    ("Hallo,", "Guten Tag,", "Hi,", "Moin,"),
    (
        "meine Bestellung {n} ist immer noch nicht angekommen und die Sendungsverfolgung steht still.",
        "mir wurde das Abo diesen Monat doppelt abgebucht (Rechnung {n}).",
        "die App meldet mich jedes Mal ab, wenn ich zur Kamera wechsle.",
        "das Ersatzteil zu Vorgang {n} hat wieder die falsche Größe.",
    ),
    (
        "Im Chat hat zweimal niemand geantwortet.",
        "Ich schreibe jetzt schon zum dritten Mal.",
        "Die Hilfeseite schickt mich nur im Kreis.",
    ),
    (
        "Könnt ihr bitte nachsehen, was da los ist?",
        "Wann wird das behoben?",
        "Danke fürs Nachsehen.",
        "Wie bekomme ich mein Geld zurück?",
    ),
)


def _text(rng: random.Random) -> str:
    """Return a support message of about 200 characters (one in five in German)."""
    opening, problems, details, endings = GERMAN if rng.random() < 0.2 else ENGLISH
    parts = [rng.choice(opening), rng.choice(problems).format(n=rng.randint(10**6, 10**7))]
    for pool in (details, details, endings):
        if len(" ".join(parts)) >= 170:
            break
        parts.append(rng.choice([p for p in pool if p not in parts]))
    if parts[-1] not in endings:
        parts.append(rng.choice(endings))
    text = " ".join(parts)
    return text if len(text) <= 240 else text[:240].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliveries(
    path: str, secret: str, count: int, *, prefix: str, rng: random.Random
) -> list[Call]:
    """Return `count` signed deliveries of one new item each."""
    authors = [
        (f"{first}_{last}{n}", f"{first.title()} {last.title()}")
        for first in FIRST_NAMES
        for last in LAST_NAMES
        for n in (7, 84)
    ]  # 576 people: some write more than once, as customers do
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    calls = []
    for index in range(count):
        handle, name = rng.choice(authors)
        item = {
            "id": f"{prefix}-{index}",
            "author": "@" + handle,
            "author_name": name,
            "text": _text(rng),
            "created_at": (start + timedelta(seconds=37 * index)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        body = json.dumps({"object": "page", "items": [item]}, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature(secret, body),
        }
        calls.append(Call("POST", path, body, headers))
    return calls


# ------------------------------------------------------------------ the client


@dataclass
class Phase:
    label: str
    calls: int
    seconds: float
    latencies: list[float]
    statuses: list[int]  # 0: no answer (connection failed twice)
    answers: list[bytes]
    retries: int

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000

    def errors(self, expected: Callable[[int], bool]) -> int:
        return sum(1 for status in self.statuses if not expected(status))


def _send(connection: http.client.HTTPConnection, call: Call) -> tuple[int, bytes]:
    connection.request(call.method, call.path, body=call.body, headers=call.headers)
    response = connection.getresponse()
    return response.status, response.read()


def run_phase(label: str, port: int, calls: list[Call], concurrency: int) -> Phase:
    """Send every call from `concurrency` keep-alive connections; time each one."""
    latencies = [0.0] * len(calls)
    statuses = [0] * len(calls)
    answers = [b""] * len(calls)
    retries = [0] * concurrency
    next_index = iter(range(len(calls)))
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.connect()  # before the clock starts
        ready.wait()
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            call = calls[index]
            started = time.perf_counter()
            try:
                status, answer = _send(connection, call)
            except (http.client.HTTPException, OSError):
                # The server closed a kept-alive connection: open a new one and send once more
                # (deliveries are idempotent), as HTTP client libraries do.
                connection.close()
                retries[number] += 1
                try:
                    status, answer = _send(connection, call)
                except (http.client.HTTPException, OSError):
                    connection.close()
                    status, answer = 0, b""
            latencies[index] = time.perf_counter() - started
            statuses[index] = status
            answers[index] = answer
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Phase(label, len(calls), seconds, latencies, statuses, answers, sum(retries))


# ------------------------------------------------------------------ database


@dataclass
class Database:
    url: str
    kind: str  # "SQLite" or "PostgreSQL"
    created: bool = False  # by this run (PostgreSQL): dropped at the end unless --keep

    def count_messages(self) -> int:
        """Count rows of inbox_message directly in the database, not through socialdesk."""
        if self.kind == "SQLite":
            connection = sqlite3.connect(f"file:{_sqlite_path(self.url)}?mode=ro", uri=True)
            try:
                row = connection.execute("SELECT count(*) FROM inbox_message").fetchone()
            finally:
                connection.close()
            return int(row[0])
        import psycopg

        with psycopg.connect(self.url) as pg:
            pg_row = pg.execute("SELECT count(*) FROM inbox_message").fetchone()
        assert pg_row is not None
        return int(pg_row[0])


def _sqlite_path(url: str) -> str:
    return unquote(url.removeprefix("sqlite:///"))  # sqlite:////tmp/x → /tmp/x


def _postgres_admin(url: str) -> tuple[str, str]:
    """Return the URL of the maintenance database `postgres` and the database's name."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        sys.exit(f"no database name in {url!r}")
    return parts._replace(path="/postgres").geturl(), name


def prepare_database(url: str | None, work: Path) -> Database:
    if not url:
        return Database(f"sqlite:///{work / 'db.sqlite3'}", "SQLite")
    if url.startswith("sqlite:"):
        return Database(url, "SQLite")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"--database-url: only sqlite:// and postgres:// URLs, not {url!r}")
    import psycopg
    from psycopg import sql

    admin, name = _postgres_admin(url)
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        sys.exit(
            f"cannot reach or create the database {name!r}: {error}".strip()
            + f"\ncreate it yourself, e.g. `createdb -h 127.0.0.1 -U socialdesk {name}`"
        )
    return Database(url, "PostgreSQL", created=exists is None)


def drop_database(database: Database) -> None:
    admin, name = _postgres_admin(database.url)
    drop_database_at(admin, name)


# ------------------------------------------------------------------ the product


def _environment(work: Path, database: Database, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "ENCRYPTION_KEYS", "TASKS_BACKEND"}
    }
    env.update(
        SOCIALDESK_DATA_DIR=str(work / "var"),
        DATABASE_URL=database.url,
        SECRET_KEY=secrets.token_urlsafe(48),
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="INFO",
    )
    return env


def socialdesk(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "socialdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        sys.exit(f"`socialdesk {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, log: Path, ready_seconds: float = 60
) -> Iterator[None]:
    """Run the server in its own session until the block ends; stop it and its children.
    It must answer /healthz within `ready_seconds`."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + ready_seconds
        while True:
            if process.poll() is not None:
                sys.exit(f"the server stopped (exit {process.returncode}):\n{_tail(log)}")
            try:
                if _get(port, "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(
                    f"the server did not answer /healthz within {ready_seconds:.0f} s:\n{_tail(log)}"
                )
            time.sleep(0.2)
        yield
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # `serve` stops gunicorn, gunicorn its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # Anything left of the session this run started (the group's id is the pid).
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


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


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


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
