"""What the HTTP benchmarks of the webhook endpoint share (bench_webhook, bench_load,
bench_workers): signed deliveries of generated items, phases of calls over keep-alive
connections with their latencies, a fresh database (SQLite or PostgreSQL) and
`socialdesk serve` on a free port."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import math
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pg_admin import drop_database_at

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


def postgres_admin(url: str) -> tuple[str, str]:
    """Return the URL of the maintenance database `postgres` and the database's name."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        sys.exit(f"no database name in {url!r}")
    return parts._replace(path="/postgres").geturl(), name


def prepare_database(url: str | None, work: Path, *, fresh: bool = False) -> Database:
    """The database of `url` (a new SQLite file in `work` without one); a PostgreSQL database
    is created when missing. `fresh`: one that exists is refused."""
    if not url:
        return Database(f"sqlite:///{work / 'db.sqlite3'}", "SQLite")
    if url.startswith("sqlite:"):
        if fresh and Path(_sqlite_path(url)).exists():
            sys.exit(f"--database-url: {url} exists; the benchmark needs a fresh database")
        return Database(url, "SQLite")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"--database-url: only sqlite:// and postgres:// URLs, not {url!r}")
    import psycopg
    from psycopg import sql

    admin, name = postgres_admin(url)
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists is not None and fresh:
                sys.exit(
                    f"the database {name!r} exists; the benchmark needs a fresh one: "
                    f"drop it (`dropdb -h 127.0.0.1 -U socialdesk {name}`) or name another"
                )
            if exists is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        sys.exit(
            f"cannot reach or create the database {name!r}: {error}".strip()
            + f"\ncreate it yourself, e.g. `createdb -h 127.0.0.1 -U socialdesk {name}`"
        )
    return Database(url, "PostgreSQL", created=exists is None)


def drop_database(database: Database) -> None:
    admin, name = postgres_admin(database.url)
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


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
