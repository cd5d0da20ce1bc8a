"""The replay peer of `bench_mastodon.py`: a Mastodon server on 127.0.0.1 that answers the
connector's requests from real API response shapes (the mock peer's), with generated people
and German and English mentions, paged as Mastodon pages them."""

from __future__ import annotations

import bisect
import html
import json
import random
import re
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "bob_token"  # bob plays the company on both peers
REPLAY_DOMAIN = "replay.example"
ACCOUNTS = 300
DIRECT_SHARE = 0.1
GERMAN_SHARE = 0.25
RATE_BUDGET = 1_000_000  # the replay peer's X-RateLimit-Limit (Mastodon's real one is 300)


def _wait_for_stop(connection: Connection) -> None:
    with suppress(EOFError, OSError):
        connection.recv()  # or the benchmark ended: stop too


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
