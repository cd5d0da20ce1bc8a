"""Benchmark ingesting Mastodon mentions: the connector's poll against two local peers.

    .venv/bin/python bench/bench_mastodon.py [--messages 20000] [--mock-messages 400] [--keep]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/socialdesk_bench_masto]
        [--profile]

Goal (from the issue): ingest from a local Mastodon mock at 1,000 messages/s or more per
worker (one process, one thread: the way `socialdesk worker` polls a channel).

What is measured: `socialdesk.channels.base.poll(account)` (the worker's call: Mastodon.py
reads the mention notifications page by page with `min_id`, each page is stored with the
moved cursor in one transaction, then the company's own posts are checked for new replies),
called again and again until every new mention is stored, on a fresh database (SQLite by
default; PostgreSQL with --database-url, created by this run and dropped afterwards unless
--keep; an existing database is refused). Django runs in this process, set up as in
production (DEBUG off, task backend of the settings), with an address policy that allows
127.0.0.1. Each peer runs in a process of its own, so its work does not count as ours.

Two peers; for each, two baselines measured in the same run read the same pages without
storing them: the floor (`requests` and `json` alone) and Mastodon.py (what the connector
uses, with its typed response objects):
- mastodon-mock (the stateful Mastodon API mock, seeded users alice and bob): bob's account
  is connected and polled once (one mention, which sets the cursor), then alice posts M
  mentions of @bob (default 400; some direct, English and German). The baselines page
  through them from that cursor with the calls the connector makes
  (`notifications(types=["mention"], min_id=…, limit=80)` until a page is empty).
  The mock is slow (pages of at most 40, a few hundred notifications/s), so this part
  measures the mock more than socialdesk.
- replay peer (`http.server.ThreadingHTTPServer`, defined here): speaks the JSON of
  mastodon-mock (one notification, bob's account and the instance documents are fetched from
  it at start-up and used as templates) for the endpoints the connector calls:
  verify_credentials, instance (v1 and v2), notifications (types[], min_id, max_id,
  since_id, limit up to 80, newest first within a page, a Link header with next and prev,
  X-RateLimit-* headers with a budget that does not run out), an account's statuses (none)
  and a status's context. It pre-renders N mention notifications (default 20,000) from 300
  accounts on several instances, ~150 characters each in English or German, questions and
  statements, one in ten direct, each kept as serialised JSON so a page is a join of bytes.
  After the first poll (one mention) it makes the N visible at once.

The time of socialdesk's polls is split by wrapping the connector's `call` (one API request
through Mastodon.py) and `store_batch` (one page into the database) with a timer.

Checks (exit 1 when one fails; a missed goal does not fail): each baseline saw every mention
once; the rows of `inbox_message` of each channel, read from the database directly, are
exactly the posted or served status ids, once each; a further poll stores nothing.

With --profile, a further 4,000 mentions (one poll's worth) are made visible on the replay
peer and their ingest runs under cProfile; the time spent per library and the top functions
are printed after the table (the profiled rate is not the measured one).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import pstats
import random
import re
import secrets
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any
from unittest.mock import patch
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pg_admin import drop_database_at

from bench.mastodon_replay import (
    ACCOUNTS,
    REPLAY_DOMAIN,
    TOKEN,
    _wait_for_stop,
    message_text,
    replay_main,
    visibility,
)

GOAL_RATE = 1000.0  # messages per second per worker, at least
POSTER = "alice_token"
POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
PAGE = 80  # what the connector asks for; Mastodon's largest page of notifications
MOCK_DOMAIN = "mock.local"
PROFILE_MESSAGES = 4000  # one poll: 50 pages of 80


@dataclass
class Peer:
    """A peer in a child process; `info` is what it reported once it was ready."""

    name: str
    process: multiprocessing.process.BaseProcess
    connection: Connection
    info: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.info["url"])

    def stop(self) -> None:
        with suppress(OSError, ValueError):
            self.connection.send("stop")
        self.process.join(timeout=15)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self.connection.close()


def start_peer(name: str, target: Any, *args: Any, timeout: float = 300) -> Peer:
    """Start `target(connection, *args)` in a new interpreter; wait until it reports ready."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs, *args), name=name, daemon=True)
    process.start()
    theirs.close()
    if not ours.poll(timeout):
        process.terminate()
        sys.exit(f"{name} did not start within {timeout:.0f} s")
    try:
        info: dict[str, Any] = ours.recv()
    except EOFError:
        process.join(timeout=5)
        sys.exit(f"{name} stopped while starting (exit {process.exitcode})")
    if "error" in info:
        sys.exit(f"{name} failed to start: {info['error']}")
    return Peer(name, process, ours, info)


def mock_main(connection: Connection) -> None:
    """Child process: mastodon-mock on a free port of 127.0.0.1 (in-memory, seeded)."""
    try:
        from mastodon_mock.testing import MockServer

        server = MockServer(log_level="error").start()
    except Exception as error:  # reported to the parent, which exits
        connection.send({"error": repr(error)})
        return
    connection.send({"url": str(server.base_url)})
    _wait_for_stop(connection)
    server.stop()


def _http(url: str, *, token: str | None = None, method: str = "GET") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def templates_from(mock_url: str) -> dict[str, str]:
    """The JSON of mastodon-mock, as the replay peer's templates (moved to its own domain)."""

    def text(path: str) -> str:
        document = _http(mock_url + path, token=TOKEN)
        return json.dumps(document, ensure_ascii=False).replace(MOCK_DOMAIN, REPLAY_DOMAIN)

    notes = _http(f"{mock_url}/api/v1/notifications?types[]=mention&limit=1", token=TOKEN)
    if not notes:
        sys.exit("mastodon-mock has no mention of bob to use as a template")
    return {
        "notification": json.dumps(notes[0], ensure_ascii=False).replace(
            MOCK_DOMAIN, REPLAY_DOMAIN
        ),
        "me": text("/api/v1/accounts/verify_credentials"),
        "instance_v1": text("/api/v1/instance"),
        "instance_v2": text("/api/v2/instance"),
    }


# ------------------------------------------------------------------ database


@dataclass
class Database:
    url: str
    kind: str  # "SQLite" or "PostgreSQL"
    created: bool = False  # by this run (PostgreSQL): dropped at the end unless --keep

    def external_ids(self, channel_account_id: int) -> list[str]:
        """The external ids of a channel's messages, read directly, not through socialdesk."""
        query = "SELECT external_id FROM inbox_message WHERE channel_account_id = {}"
        if self.kind == "SQLite":
            path = unquote(self.url.removeprefix("sqlite:///"))
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                rows = connection.execute(query.format("?"), [channel_account_id]).fetchall()
            finally:
                connection.close()
            return [str(r[0]) for r in rows]
        import psycopg

        with psycopg.connect(self.url) as pg:
            pg_rows = pg.execute(query.format("%s").encode(), [channel_account_id]).fetchall()
        return [str(r[0]) for r in pg_rows]


def _postgres_admin(url: str) -> tuple[str, str]:
    """Return the URL of the maintenance database `postgres` and the database's name."""
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        sys.exit(f"no database name in {url!r}")
    return parts._replace(path="/postgres").geturl(), name


def prepare_database(url: str | None, work: Path) -> Database:
    """A fresh database: a new SQLite file, or a PostgreSQL database created now."""
    if not url:
        return Database(f"sqlite:///{work / 'db.sqlite3'}", "SQLite")
    if url.startswith("sqlite:"):
        if Path(unquote(url.removeprefix("sqlite:///"))).exists():
            sys.exit(f"--database-url: {url} exists; the benchmark needs a fresh database")
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
            if exists is not None:
                sys.exit(
                    f"the database {name!r} exists; the benchmark needs a fresh one: "
                    f"drop it (`dropdb -h 127.0.0.1 -U socialdesk {name}`) or name another"
                )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        sys.exit(f"cannot reach the server or create the database {name!r}: {error}".strip())
    return Database(url, "PostgreSQL", created=True)


def drop_database(database: Database) -> None:
    admin, name = _postgres_admin(database.url)
    drop_database_at(admin, name)


# ------------------------------------------------------------------ socialdesk, in-process


def setup_django(work: Path, database: Database) -> None:
    for key in ("DJANGO_SETTINGS_MODULE", "ENCRYPTION_KEYS", "TASKS_BACKEND"):
        os.environ.pop(key, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="socialdesk.settings",
        DATABASE_URL=database.url,
        SOCIALDESK_DATA_DIR=str(work / "var"),
        SECRET_KEY=secrets.token_urlsafe(48),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    settings.FEED_ADDRESS_POLICY = POLICY  # allow the peers on 127.0.0.1


def connect(url: str) -> int:
    """Connect bob's account on the peer as the product does; return the channel's id."""
    from socialdesk.accounts.audit import Acting
    from socialdesk.channels.services import mastodon_connect

    account, _created = mastodon_connect(
        by=Acting(user=None, label="bench"), instance_url=url, access_token=TOKEN
    )
    return int(account.pk)


def poll_once(channel_id: int) -> int:
    """One poll as the worker makes it: the channel fresh from the database, then base.poll."""
    from socialdesk.channels import base
    from socialdesk.channels.models import ChannelAccount

    return base.poll(ChannelAccount.objects.get(pk=channel_id))


def cursor_of(channel_id: int) -> str:
    from socialdesk.channels.models import ChannelAccount

    return str(ChannelAccount.objects.get(pk=channel_id).cursor["notifications"])


@dataclass
class Run:
    messages: int
    seconds: float
    calls: int  # pages fetched (baseline) or polls (socialdesk)
    ids: list[str] = field(default_factory=list)
    largest_page: int = 0
    parts: dict[str, float] = field(default_factory=dict)  # seconds in parts of the poll

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def ingest(channel_id: int, expected: int) -> Run:
    """Poll until `expected` new messages are stored (or a poll stores nothing).

    The connector's `call` (one API request: HTTP and Mastodon.py's typed objects) and
    `store_batch` (one page into the database) are wrapped with a timer (two clock reads
    per page) to split the time.
    """
    from socialdesk.channels import base
    from socialdesk.channels.mastodon import connector

    parts = {"connector.call": 0.0, "store_batch": 0.0}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                parts[name] += time.perf_counter() - started

        return wrapper

    stored = polls = 0
    with (
        patch.object(connector, "call", timed("connector.call", connector.call)),
        patch.object(connector, "store_batch", timed("store_batch", base.store_batch)),
    ):
        started = time.perf_counter()
        while stored < expected:
            new = poll_once(channel_id)
            polls += 1
            stored += new
            if new == 0:
                break
        seconds = time.perf_counter() - started
    return Run(stored, seconds, polls, parts=parts)


def fetch_only(url: str, cursor: str) -> Run:
    """Baseline: Mastodon.py alone, the connector's calls, forward from `cursor`; no storing."""
    from mastodon import Mastodon

    client = Mastodon(
        access_token=TOKEN, api_base_url=url, ratelimit_method="throw", request_timeout=20
    )
    ids: list[str] = []
    pages = largest = 0
    started = time.perf_counter()
    while True:
        notes: Any = client.notifications(types=["mention"], min_id=cursor, limit=PAGE)
        pages += 1
        if not notes:
            break
        largest = max(largest, len(notes))
        cursor = str(max(int(n.id) for n in notes))
        ids.extend(str(n.status.id) for n in notes if n.get("status"))
    return Run(len(ids), time.perf_counter() - started, pages, ids, largest)


def fetch_json(url: str, cursor: str) -> Run:
    """Floor: the same requests with `requests` and `json` alone (no Mastodon.py objects)."""
    import requests

    session = requests.Session()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ids: list[str] = []
    pages = largest = 0
    started = time.perf_counter()
    while True:
        params: dict[str, Any] = {"types[]": ["mention"], "min_id": cursor, "limit": PAGE}
        response = session.get(f"{url}/api/v1/notifications", params=params, headers=headers)
        response.raise_for_status()
        notes: list[dict[str, Any]] = response.json()
        pages += 1
        if not notes:
            break
        largest = max(largest, len(notes))
        cursor = str(max(int(n["id"]) for n in notes))
        ids.extend(str(n["status"]["id"]) for n in notes if n.get("status"))
    session.close()
    return Run(len(ids), time.perf_counter() - started, pages, ids, largest)


def post_mentions(url: str, count: int, rng: random.Random) -> tuple[list[str], float]:
    """alice mentions @bob `count` times on mastodon-mock; return the status ids and seconds."""
    from mastodon import Mastodon

    alice = Mastodon(access_token=POSTER, api_base_url=url, request_timeout=20)
    ids = []
    started = time.perf_counter()
    for _ in range(count):
        text, language = message_text(rng)
        status: Any = alice.status_post(
            f"@bob {text}", visibility=visibility(rng), language=language
        )
        ids.append(str(status.id))
    return ids, time.perf_counter() - started


def profile_ingest(channel_id: int, expected: int) -> tuple[Run, pstats.Stats]:
    profile = cProfile.Profile()
    profile.enable()
    try:
        run = ingest(channel_id, expected)
    finally:
        profile.disable()
    return run, pstats.Stats(profile)


def _area(filename: str, function: str) -> str:
    """The library a profiled function belongs to."""
    if filename == "~":  # built-in: name its module or type
        match = re.search(r"of '([\w.]+)'|built-in method ([\w.]+)|<function ([\w.]+)", function)
        name = next((g for g in match.groups() if g), function) if match else function
        return f"{name.split('.')[0]} (C)"
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/src/socialdesk/" in path:
        return "socialdesk/" + path.split("/src/socialdesk/")[1].split("/")[0].removesuffix(".py")
    return "stdlib " + Path(path).parent.name + "/" + Path(path).stem


def hotspots(stats: pstats.Stats, seconds: float) -> str:
    """Own time per library, then the functions with the most own time."""
    entries: dict[tuple[str, int, str], tuple[int, int, float, float, Any]]
    entries = stats.stats  # type: ignore[attr-defined]
    by_area: defaultdict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in entries.items():
        by_area[_area(filename, function)] += own
    total = sum(by_area.values()) or 1.0
    lines = [f"own time per library (profiled run: {seconds:.2f} s, cProfile slows it down):"]
    ranked = sorted(by_area.items(), key=lambda item: item[1], reverse=True)[:14]
    lines += [f"  {own / total:6.1%}  {area}" for area, own in ranked]
    lines.append("functions with the most own time (calls, own s, cumulative s):")
    top = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:22]
    for (filename, line, function), (_cc, calls, own, cum, _callers) in top:
        where = "~" if filename == "~" else f"{_area(filename, function)}:{line}"
        lines.append(f"  {calls:>9,} {own:7.2f} {cum:7.2f}  {function}  [{where}]")
    cumulative = [
        ((filename, line, function), cum)
        for (filename, line, function), (_cc, _nc, _own, cum, _callers) in entries.items()
        if "/src/socialdesk/" in filename
    ]
    cumulative.sort(key=lambda item: item[1], reverse=True)
    lines.append("socialdesk functions by cumulative time (s, share of the run):")
    for (filename, line, function), cum in cumulative[:14]:
        short = filename.split("/src/socialdesk/")[1]
        lines.append(f"  {cum:7.2f} {cum / total:6.1%}  {function}  [{short}:{line}]")
    return "\n".join(lines)


# ------------------------------------------------------------------ the report


def table(rows: list[list[str]]) -> str:
    header = ["peer", "what", "messages", "seconds", "messages/s"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        "-" * (w + 1) + ":" if i > 1 else "-" * (w + 2) for i, w in enumerate(widths)
    )
    return "\n".join([line(header), rule + "|", *(line(row) for row in rows)])


def row(peer: str, what: str, run: Run) -> list[str]:
    return [peer, what, f"{run.messages:,}", f"{run.seconds:.2f}", f"{run.rate:,.0f}"]


def _exactly(stored: list[str], expected: list[str]) -> bool:
    return len(stored) == len(expected) and Counter(stored) == Counter(expected)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--messages", type=int, default=20_000, help="mentions the replay peer serves"
    )
    parser.add_argument(
        "--mock-messages", type=int, default=400, help="mentions posted on mastodon-mock"
    )
    parser.add_argument(
        "--database-url",
        help="default: a fresh SQLite file in the temporary folder; PostgreSQL e.g. "
        "postgres://socialdesk:socialdesk@127.0.0.1:5432/socialdesk_bench_masto "
        "(created by the run, dropped at the end unless --keep)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder and the database")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"also ingest {PROFILE_MESSAGES:,} more mentions from the replay peer under "
        "cProfile and print the hotspots",
    )
    args = parser.parse_args()
    if args.messages < 1 or args.mock_messages < 1:
        parser.error("--messages and --mock-messages must be positive")
    signal.signal(signal.SIGTERM, _raise_interrupt)

    work = Path(tempfile.mkdtemp(prefix="socialdesk-bench-mastodon-"))
    database: Database | None = None
    peers: list[Peer] = []
    failed = False
    begun = time.perf_counter()
    try:
        database = prepare_database(args.database_url, work)
        print(f"folder {work}; database {database.url}", file=sys.stderr)
        setup_django(work, database)
        rng = random.Random(1)

        # mastodon-mock: a first poll sets the cursor, then the mentions are posted
        mock = start_peer("mastodon-mock", mock_main)
        peers.append(mock)
        seed_ids, _ = post_mentions(mock.url, 1, rng)
        templates = templates_from(mock.url)
        extra = PROFILE_MESSAGES if args.profile else 0
        print(f"replay peer: rendering {args.messages + extra:,} notifications …", file=sys.stderr)
        replay = start_peer("replay peer", replay_main, templates, 1 + args.messages + extra, 7)
        peers.append(replay)

        mock_channel = connect(mock.url)
        mock_first = poll_once(mock_channel)
        print(f"mastodon-mock: posting {args.mock_messages:,} mentions …", file=sys.stderr)
        posted, post_seconds = post_mentions(mock.url, args.mock_messages, rng)
        load = os.getloadavg()[0]
        print("measuring mastodon-mock …", file=sys.stderr)
        mock_floor = fetch_json(mock.url, cursor_of(mock_channel))
        mock_fetch = fetch_only(mock.url, cursor_of(mock_channel))
        mock_ingest = ingest(mock_channel, args.mock_messages)
        mock_again = poll_once(mock_channel)
        mock_rows = database.external_ids(mock_channel)

        # the replay peer: the first poll sees only the oldest mention, then all N appear
        served_ids: list[str] = replay.info["status_ids"]
        replay_channel = connect(replay.url)
        replay_first = poll_once(replay_channel)
        _http(f"{replay.url}/_bench/visible?count={1 + args.messages}", method="POST")
        print(f"measuring the replay peer ({args.messages:,} mentions) …", file=sys.stderr)
        replay_floor = fetch_json(replay.url, cursor_of(replay_channel))
        replay_fetch = fetch_only(replay.url, cursor_of(replay_channel))
        before = _http(f"{replay.url}/_bench/served")
        replay_ingest = ingest(replay_channel, args.messages)
        after = _http(f"{replay.url}/_bench/served")
        replay_again = poll_once(replay_channel)
        expected_replay = served_ids[: 1 + args.messages]

        profiled: tuple[Run, pstats.Stats] | None = None
        if args.profile:
            print(f"profiling the ingest of {extra:,} more mentions …", file=sys.stderr)
            _http(f"{replay.url}/_bench/visible?count={len(served_ids)}", method="POST")
            profiled = profile_ingest(replay_channel, extra)
            expected_replay = served_ids
        replay_rows = database.external_ids(replay_channel)

        requests = {k: n - before.get(k, 0) for k, n in after.items() if k != "all"}
        requests = {k: n for k, n in requests.items() if n}
        print()
        print(
            f"socialdesk Mastodon ingest benchmark: {database.kind}, one process, one thread, "
            f"{os.cpu_count()} cores (peers in their own processes; load average before "
            f"measuring: {load:.2f})"
        )
        print(
            f"mastodon-mock: {args.mock_messages:,} mentions posted by alice in "
            f"{post_seconds:.1f} s ({args.mock_messages / post_seconds:,.0f}/s); "
            f"its pages hold up to {mock_fetch.largest_page} notifications (the connector asks "
            f"for {PAGE}), {mock_fetch.calls} requests for the baseline"
        )
        print(
            f"replay peer: {args.messages:,} mentions from {ACCOUNTS} accounts "
            f"(about {replay.info['bytes'] / len(served_ids) / 1000:.1f} kB of JSON each, "
            f"rendered in {replay.info['build_seconds']:.1f} s); the ingest made "
            + ", ".join(f"{n:,} × {k}" for k, n in sorted(requests.items()))
            + f" in {replay_ingest.calls} polls"
        )
        print()
        print(
            table(
                [
                    row("mastodon-mock", "fetch only: requests + json (floor)", mock_floor),
                    row("mastodon-mock", "fetch only: Mastodon.py (baseline)", mock_fetch),
                    row("mastodon-mock", "socialdesk base.poll (fetch + store)", mock_ingest),
                    row("replay peer", "fetch only: requests + json (floor)", replay_floor),
                    row("replay peer", "fetch only: Mastodon.py (baseline)", replay_fetch),
                    row("replay peer", "socialdesk base.poll (fetch + store)", replay_ingest),
                ]
            )
        )
        print(
            "fetch only: the connector's requests (notifications of type mention, min_id, "
            f"limit {PAGE}) until a page is empty, nothing stored; socialdesk: base.poll until "
            "every new mention is stored"
        )
        for label, fetch, stored in (
            ("mastodon-mock", mock_fetch, mock_ingest),
            ("replay peer", replay_fetch, replay_ingest),
        ):
            if fetch.messages and stored.messages:
                per = 1000 / stored.messages
                extra_ms = (
                    stored.seconds / stored.messages - fetch.seconds / fetch.messages
                ) * 1000
                split = ", ".join(f"{name} {s * per:.2f}" for name, s in stored.parts.items())
                other = stored.seconds - sum(stored.parts.values())
                print(
                    f"{label}: ms per message: Mastodon.py fetch {fetch.seconds / fetch.messages * 1000:.2f}, "
                    f"socialdesk {stored.seconds * per:.2f} ({split}, other {other * per:.2f}); "
                    f"socialdesk above the fetch: {extra_ms:+.2f}"
                )
        if profiled is not None:
            print()
            print(f"cProfile of base.poll on the replay peer ({profiled[0].messages:,} mentions):")
            print(hotspots(profiled[1], profiled[0].seconds))
        print()
        checks = [
            (
                f"mastodon-mock baselines: {mock_floor.messages:,} and {mock_fetch.messages:,} "
                f"mentions read (expected {len(posted):,}, each once)",
                _exactly(mock_floor.ids, posted) and _exactly(mock_fetch.ids, posted),
            ),
            (
                f"mastodon-mock: first poll stored {mock_first} (expected 1), the polls after "
                f"posting {mock_ingest.messages:,} (expected {len(posted):,}), "
                f"one more poll {mock_again} (expected 0)",
                mock_first == 1 and mock_ingest.messages == len(posted) and mock_again == 0,
            ),
            (
                f"mastodon-mock: inbox_message holds {len(mock_rows):,} rows of the channel "
                f"({len(set(mock_rows)):,} distinct ids), exactly the {1 + len(posted):,} posted",
                _exactly(mock_rows, seed_ids + posted),
            ),
            (
                f"replay peer baselines: {replay_floor.messages:,} and "
                f"{replay_fetch.messages:,} mentions read (expected {args.messages:,}, each once)",
                _exactly(replay_floor.ids, served_ids[1 : 1 + args.messages])
                and _exactly(replay_fetch.ids, served_ids[1 : 1 + args.messages]),
            ),
            (
                f"replay peer: first poll stored {replay_first} (expected 1), the polls after "
                f"{replay_ingest.messages:,} (expected {args.messages:,}), "
                f"one more poll {replay_again} (expected 0)",
                replay_first == 1 and replay_ingest.messages == args.messages and replay_again == 0,
            ),
            (
                f"replay peer: inbox_message holds {len(replay_rows):,} rows of the channel "
                f"({len(set(replay_rows)):,} distinct ids), exactly the "
                f"{len(expected_replay):,} served",
                _exactly(replay_rows, expected_replay),
            ),
        ]
        if profiled is not None:
            checks.append(
                (
                    f"profiled run: {profiled[0].messages:,} stored (expected {extra:,})",
                    profiled[0].messages == extra,
                )
            )
        for text, ok in checks:
            print(f"{'ok  ' if ok else 'FAIL'} {text}")
        failed = not all(ok for _text, ok in checks)
        rate = replay_ingest.rate
        print()
        print(
            f"goal (socialdesk ingest from the replay peer ≥ {GOAL_RATE:,.0f} messages/s per "
            f"worker, one process, one thread, {database.kind}): "
            f"{'met' if rate >= GOAL_RATE else 'NOT met'} ({rate:,.0f} messages/s)"
        )
        print(f"run time {time.perf_counter() - begun:.0f} s", file=sys.stderr)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        failed = True
    finally:
        for peer in peers:
            peer.stop()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"kept {work}" + (f" and {database.url}" if database else ""), file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
            if database is not None and database.created:
                drop_database(database)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
