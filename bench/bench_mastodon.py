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
import bisect
import cProfile
import html
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
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pg_admin import drop_database_at

GOAL_RATE = 1000.0  # messages per second per worker, at least
TOKEN = "bob_token"  # bob plays the company on both peers
POSTER = "alice_token"
POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
PAGE = 80  # what the connector asks for; Mastodon's largest page of notifications
MOCK_DOMAIN = "mock.local"
REPLAY_DOMAIN = "replay.example"
ACCOUNTS = 300
DIRECT_SHARE = 0.1
GERMAN_SHARE = 0.25
PROFILE_MESSAGES = 4000  # one poll: 50 pages of 80
RATE_BUDGET = 1_000_000  # the replay peer's X-RateLimit-Limit (Mastodon's real one is 300)

# ------------------------------------------------------------------ texts

FIRST_NAMES = ("anna", "ben", "carla", "deniz", "emil", "fatma", "georg", "hannah", "ivan",
               "julia", "kemal", "lena", "marco", "nina", "olga", "paul", "rosa", "sven",
               "jürgen", "zoë")  # fmt: skip
LAST_NAMES = ("becker", "costa", "dahl", "engel", "fischer", "graf", "huber", "jansen",
              "keller", "lang", "meyer", "novak", "otto", "peters", "roth", "müller")  # fmt: skip
INSTANCES = ("mastodon.social", "chaos.social", "hachyderm.io", "norden.social",
             "mstdn.party", "social.tchncs.de", "fosstodon.org", "")  # "": our own instance  # fmt: skip

ENGLISH = {
    "opening": ("Hi,", "Hello,", "Hey there,", "Quick question:", "Hi team,", ""),
    "problem": (
        "my order {n} still hasn't arrived and tracking hasn't moved since Monday.",
        "I was charged twice for my subscription this month (invoice {n}).",
        "the app logs me out every time I switch to the camera and back.",
        "the replacement part for ticket {n} is the wrong size, same as the first one.",
        "I can't change the delivery address although the parcel hasn't shipped yet.",
        "since the last update the dark mode on my tablet is broken.",
    ),
    "detail": (
        "I already tried the chat twice.",
        "My neighbour has the same problem.",
        "This is the third time I'm writing.",
        "The help page sends me in circles.",
    ),
    "question": (
        "Can you check what's going on?",
        "When will this be fixed?",
        "Who can help me with a refund?",
        "Is there a known outage right now?",
    ),
    "statement": (
        "Thanks for looking into it.",
        "Not happy at all, to be honest.",
        "Please sort this out soon.",
        "Update: all sorted now, thanks to your team!",
    ),
}
GERMAN = {
    "opening": ("Hallo,", "Guten Tag,", "Moin,", "Hi,", ""),
    "problem": (
        "meine Bestellung {n} ist immer noch nicht da, die Sendungsverfolgung steht still.",
        "mir wurde das Abo diesen Monat doppelt abgebucht (Rechnung {n}).",
        "die App meldet mich jedes Mal ab, wenn ich zur Kamera wechsle.",
        "das Ersatzteil zu Vorgang {n} hat wieder die falsche Größe.",
    ),
    "detail": (
        "Im Chat hat zweimal niemand geantwortet.",
        "Ich schreibe jetzt zum dritten Mal.",
        "Die Hilfeseite schickt mich im Kreis.",
    ),
    "question": (
        "Könnt ihr bitte nachsehen, was da los ist?",
        "Wann wird das behoben?",
        "Wie bekomme ich mein Geld zurück?",
    ),
    "statement": (
        "Danke fürs Nachsehen.",
        "Bin echt enttäuscht.",
        "Hat sich erledigt, danke für die schnelle Hilfe!",
    ),
}


def message_text(rng: random.Random) -> tuple[str, str]:
    """Return a support message of about 150 characters and its language (en or de)."""
    language = "de" if rng.random() < GERMAN_SHARE else "en"
    pool = GERMAN if language == "de" else ENGLISH
    opening = rng.choice(pool["opening"])
    problem = rng.choice(pool["problem"]).format(n=rng.randint(10**5, 10**6))
    if not opening:
        problem = problem[0].upper() + problem[1:]
    parts = [opening, problem] if opening else [problem]
    details = list(pool["detail"])
    rng.shuffle(details)
    parts += details[: 1 if rng.random() < 0.75 else 2]
    parts.append(rng.choice(pool["question" if rng.random() < 0.55 else "statement"]))
    return " ".join(parts), language


def visibility(rng: random.Random) -> str:
    return "direct" if rng.random() < DIRECT_SHARE else "public"


# ------------------------------------------------------------------ peers (child processes)


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


def _wait_for_stop(connection: Connection) -> None:
    with suppress(EOFError, OSError):
        connection.recv()  # or the benchmark ended: stop too


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


@dataclass
class ReplayData:
    """N mention notifications, oldest first, each already serialised; the first is the seed."""

    ids: list[int]  # notification ids, ascending
    blobs: list[bytes]  # the notifications as JSON
    status_ids: list[str]
    me: bytes
    instance_v1: bytes
    instance_v2: bytes
    visible: int = 1  # how many (from the oldest) the API shows
    served: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, templates: dict[str, str], total: int, seed: int) -> ReplayData:
        rng = random.Random(seed)
        template = json.loads(templates["notification"])
        me = json.loads(templates["me"])
        mention = {key: me[key] for key in ("id", "username", "acct", "url")}
        now_ms = int(time.time() * 1000)
        step_ms = 1500  # one mention every 1.5 s, the last one a minute ago
        start_ms = now_ms - total * step_ms - 60_000
        accounts = [_replay_account(template["account"], n, start_ms, rng) for n in range(ACCOUNTS)]
        ids: list[int] = []
        blobs: list[bytes] = []
        status_ids: list[str] = []
        for index in range(total):
            ms = start_ms + index * step_ms
            status_id = ms << 16  # Mastodon's ids: milliseconds, then a 16-bit sequence
            note_id = status_id + 1
            account = rng.choice(accounts)
            text, language = message_text(rng)
            host = account["url"].split("/")[2]
            status = dict(template["status"])
            status.update(
                id=str(status_id),
                uri=f"https://{host}/users/{account['username']}/statuses/{status_id}",
                url=f"https://{host}/@{account['username']}/{status_id}",
                account=account,
                content=_mention_html(me["url"], me["username"], text),
                created_at=_timestamp(ms),
                visibility=visibility(rng),
                language=language,
                mentions=[mention],
            )
            note = dict(template)
            note.update(
                id=str(note_id),
                created_at=_timestamp(ms),
                account=account,
                status=status,
                group_key=f"ungrouped-{note_id}",
            )
            ids.append(note_id)
            blobs.append(json.dumps(note, ensure_ascii=False, separators=(",", ":")).encode())
            status_ids.append(str(status_id))
        return cls(
            ids=ids,
            blobs=blobs,
            status_ids=status_ids,
            me=templates["me"].encode(),
            instance_v1=templates["instance_v1"].encode(),
            instance_v2=templates["instance_v2"].encode(),
        )

    def page(
        self, max_id: int | None, min_id: int | None, since_id: int | None, limit: int
    ) -> range:
        """Indexes of one page (ascending), selected as Mastodon does."""
        high = self.visible
        if max_id is not None:
            high = bisect.bisect_left(self.ids, max_id, 0, high)
        low = 0
        if since_id is not None:
            low = bisect.bisect_right(self.ids, since_id, 0, high)
        if min_id is not None:  # the oldest above min_id
            low = max(low, bisect.bisect_right(self.ids, min_id, 0, high))
            return range(low, min(high, low + limit))
        return range(max(low, high - limit), high)  # the newest


def _replay_account(template: dict[str, Any], n: int, start_ms: int, rng: random.Random) -> Any:
    first, last = FIRST_NAMES[n % len(FIRST_NAMES)], rng.choice(LAST_NAMES)
    username = f"{first}_{last}{n}".replace("ü", "u").replace("ë", "e")
    domain = rng.choice(INSTANCES)
    host = domain or REPLAY_DOMAIN
    created = start_ms - rng.randint(30, 3000) * 86_400_000
    account = dict(template)
    account.update(
        id=str(((start_ms - 10**9) << 16) + n),
        username=username,
        acct=f"{username}@{domain}" if domain else username,
        display_name=f"{first.title()} {last.title()}",
        note=f"<p>{html.escape(first.title())} from somewhere. Opinions my own.</p>",
        url=f"https://{host}/@{username}",
        uri=f"https://{host}/users/{username}",
        avatar=f"https://{host}/system/accounts/avatars/{n}/original/avatar.png",
        avatar_static=f"https://{host}/system/accounts/avatars/{n}/original/avatar.png",
        header=f"https://{host}/system/accounts/headers/{n}/original/header.jpg",
        header_static=f"https://{host}/system/accounts/headers/{n}/original/header.jpg",
        created_at=_timestamp(created),
        followers_count=rng.randint(0, 3000),
        following_count=rng.randint(0, 800),
        statuses_count=rng.randint(1, 20000),
        last_status_at=_timestamp(start_ms)[:10],
    )
    return account


def _mention_html(me_url: str, me_name: str, text: str) -> str:
    """The post's HTML as Mastodon renders a leading mention of the company."""
    return (
        f'<p><span class="h-card" translate="no"><a href="{me_url}" class="u-url mention">'
        f"@<span>{me_name}</span></a></span> {html.escape(text, quote=False)}</p>"
    )


def _timestamp(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _int(value: list[str] | None) -> int | None:
    if not value:
        return None
    try:
        return int(value[0])
    except ValueError:
        return None


REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found"}
ACCOUNT_STATUSES = re.compile(r"/api/v1/accounts/\d+/statuses")
STATUS_CONTEXT = re.compile(r"/api/v1/statuses/\d+/context")


def replay_handler(data: ReplayData, token: str) -> type[BaseHTTPRequestHandler]:
    authorization = f"Bearer {token}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "replay-peer"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def answer(self, status: int, body: bytes, headers: tuple[str, ...] = ()) -> None:
            """Status line, headers and body in one write."""
            with data.lock:
                data.served["all"] += 1
                remaining = RATE_BUDGET - data.served["all"]
            reset = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            head = (
                f"HTTP/1.1 {status} {REASONS[status]}",
                f"Date: {self.date_time_string()}",
                "Content-Type: application/json; charset=utf-8",
                f"Content-Length: {len(body)}",
                f"X-RateLimit-Limit: {RATE_BUDGET}",
                f"X-RateLimit-Remaining: {max(remaining, 0)}",
                f"X-RateLimit-Reset: {reset}",
                *headers,
            )
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

        def count(self, what: str) -> None:
            with data.lock:
                data.served[what] += 1

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.rstrip("/")
            if path == "/_bench/served":
                with data.lock:
                    served = dict(data.served)
                self.answer(200, json.dumps(served).encode())
                return
            if path in ("/api/v1/instance", "/api/v2/instance"):
                self.count(path)
                self.answer(200, data.instance_v1 if "v1" in path else data.instance_v2)
                return
            if self.headers.get("Authorization") != authorization:
                self.answer(401, b'{"error":"The access token is invalid"}')
                return
            if path == "/api/v1/notifications":
                self.count("notifications")
                self.notifications(parse_qs(parts.query))
            elif path == "/api/v1/accounts/verify_credentials":
                self.count("verify_credentials")
                self.answer(200, data.me)
            elif ACCOUNT_STATUSES.fullmatch(path):
                self.count("account_statuses")
                self.answer(200, b"[]")
            elif STATUS_CONTEXT.fullmatch(path):
                self.count("status_context")
                self.answer(200, b'{"ancestors":[],"descendants":[]}')
            else:
                self.count("unknown")
                self.answer(404, b'{"error":"Record not found"}')

        def notifications(self, query: dict[str, list[str]]) -> None:
            types, excluded = query.get("types[]", []), query.get("exclude_types[]", [])
            limit = min(max(_int(query.get("limit")) or 40, 1), 80)
            if (types and "mention" not in types) or "mention" in excluded:
                self.answer(200, b"[]")
                return
            rows = data.page(
                _int(query.get("max_id")),
                _int(query.get("min_id")),
                _int(query.get("since_id")),
                limit,
            )
            body = b"[" + b",".join(data.blobs[i] for i in reversed(rows)) + b"]"
            links = []
            base = f"http://{self.headers.get('Host')}/api/v1/notifications?"
            kind = "".join(f"&types%5B%5D={t}" for t in types)
            if len(rows) == limit:
                links.append(f'<{base}max_id={data.ids[rows.start]}{kind}>; rel="next"')
            if rows:
                links.append(f'<{base}min_id={data.ids[rows.stop - 1]}{kind}>; rel="prev"')
            self.answer(200, body, (f"Link: {', '.join(links)}",) if links else ())

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            if parts.path == "/_bench/visible":
                visible = _int(parse_qs(parts.query).get("count")) or 1
                data.visible = min(visible, len(data.ids))
                self.answer(200, json.dumps({"visible": data.visible}).encode())
            else:
                self.answer(404, b'{"error":"Record not found"}')

    return Handler


def replay_main(connection: Connection, templates: dict[str, str], total: int, seed: int) -> None:
    """Child process: pre-render the notifications, then serve them until told to stop."""
    try:
        started = time.perf_counter()
        data = ReplayData.build(templates, total, seed)
        seconds = time.perf_counter() - started
        server = ThreadingHTTPServer(("127.0.0.1", 0), replay_handler(data, TOKEN))
        server.daemon_threads = True
    except Exception as error:  # reported to the parent, which exits
        connection.send({"error": repr(error)})
        return
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection.send(
        {
            "url": f"http://127.0.0.1:{server.server_address[1]}",
            "build_seconds": seconds,
            "bytes": sum(len(b) for b in data.blobs),
            "status_ids": data.status_ids,
        }
    )
    _wait_for_stop(connection)
    server.shutdown()
    server.server_close()


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
