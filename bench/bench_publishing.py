"""How fast due posts go out: `socialdesk worker` at its normal rhythm against a fast local peer.

1. Due → published: posts that become due one after another while the worker runs (default 40,
   one every 0.3 s); the time from each post's `scheduled_at` to its `published_at` on the
   channel, median and p95 (goal: median ≤ 2 s).
2. 1,000 posts due at the same moment (`--posts`): seconds until the last is published (goal:
   all within 60 s), beside a baseline measured in the same run: a plain Mastodon.py
   `status_post` loop posting as many statuses to the same peer.

The peer is a `ThreadingHTTPServer` in a process of its own speaking the part of Mastodon's API
that publishing uses (statuses with Idempotency-Key, an account's statuses); it counts what it
stored, so the run checks that every post is there exactly once. The worker is a real process
with the product's settings (its defaults: `--publish-every 1`, `--interval 1`) plus a policy
that lets it reach 127.0.0.1. SQLite by default; PostgreSQL with `--database-url` (created by
the run and dropped afterwards; an existing database is refused). Exits 1 when a check fails,
not when a goal is missed.

    .venv/bin/python bench/bench_publishing.py [--posts 1000] [--latency-posts 40]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_publishing]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.mastodon_harness import (  # noqa: E402
    Database,
    prepare_database,
    start_peer,
)
from bench.mastodon_replay import _wait_for_stop  # noqa: E402
from bench.webhook_harness import drop_database  # noqa: E402

TOKEN = "bench-token"
ACCOUNT = {
    "id": "1", "username": "bob", "acct": "bob", "display_name": "Bob",
    "url": "http://bench.local/@bob", "locked": False, "bot": False,
    "created_at": "2026-01-01T00:00:00.000Z", "note": "", "avatar": "", "header": "",
    "followers_count": 0, "following_count": 0, "statuses_count": 0, "fields": [], "emojis": [],
}  # fmt: skip


# ------------------------------------------------------------------ the fast peer


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: list[bytes] = []
        self.by_key: dict[str, int] = {}
        self.posted = 0  # requests that made a status


def _status(n: int, text: str, reply_to: str | None, visibility: str) -> bytes:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(
        {
            "id": str(n), "uri": f"http://bench.local/users/bob/statuses/{n}",
            "url": f"http://bench.local/@bob/{n}", "created_at": now, "content": f"<p>{text}</p>",
            "visibility": visibility, "in_reply_to_id": reply_to, "in_reply_to_account_id": None,
            "account": ACCOUNT, "spoiler_text": "", "sensitive": False, "language": None,
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [],
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "reblog": None,
        }
    ).encode()  # fmt: skip


def handler(store: Store) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path.rstrip("/")
            if path == "/_bench/count":
                with store.lock:
                    counts = {"statuses": len(store.statuses), "keys": len(store.by_key)}
                self.answer(200, json.dumps(counts).encode())
            elif path == "/api/v1/accounts/1/statuses":
                with store.lock:
                    recent = list(reversed(store.statuses[-40:]))
                self.answer(200, b"[" + b",".join(recent) + b"]")
            elif path == "/api/v1/accounts/verify_credentials":
                self.answer(200, json.dumps(ACCOUNT).encode())
            else:
                self.answer(404, b'{"error":"Record not found"}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if urlsplit(self.path).path != "/api/v1/statuses":
                self.answer(404, b'{"error":"Record not found"}')
                return
            if self.headers.get("Content-Type", "").startswith("application/json"):
                form = {k: str(v) for k, v in json.loads(body or "{}").items() if v is not None}
            else:
                form = {k: v[0] for k, v in parse_qs(body).items()}
            key = self.headers.get("Idempotency-Key", "")
            with store.lock:
                if key and key in store.by_key:
                    blob = store.statuses[store.by_key[key]]
                else:
                    n = len(store.statuses) + 1
                    blob = _status(
                        n, form.get("status", ""), form.get("in_reply_to_id"),
                        form.get("visibility", "public"),
                    )  # fmt: skip
                    store.statuses.append(blob)
                    if key:
                        store.by_key[key] = n - 1
            self.answer(200, blob)

    return Handler


def peer_main(connection: Connection) -> None:
    """Child process: the fast peer on a free port of 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(Store()))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection.send({"url": f"http://127.0.0.1:{server.server_address[1]}"})
    _wait_for_stop(connection)
    server.shutdown()


def counts(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/_bench/count", timeout=30) as response:
        found: dict[str, int] = json.loads(response.read())
        return found


# ------------------------------------------------------------------ socialdesk


def environment(work: Path, database: Database) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("TASKS_BACKEND",)},
        "DJANGO_SETTINGS_MODULE": "bench.publishing_settings",
        "DATABASE_URL": database.url,
        "SOCIALDESK_DATA_DIR": str(work / "var"),
        "SECRET_KEY": "bench-publishing-" + "x" * 40,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }


def setup(env: dict[str, str], peer_url: str) -> int:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from socialdesk.accounts.audit import Acting
    from socialdesk.channels.models import ChannelAccount, Network
    from socialdesk.channels.services import _connected

    call_command("migrate", verbosity=0)
    account, _created = _connected(
        by=Acting(user=None, label="bench"), network=Network.MASTODON, handle="bob@bench.local",
        name="Bench", url=peer_url, poll_interval_seconds=86_400,
        credentials={"access_token": TOKEN, "account_id": "1", "domain": "bench.local"},
    )  # fmt: skip
    ChannelAccount.objects.filter(pk=account.pk).update(
        next_poll_at=datetime.now(UTC) + timedelta(days=1)
    )
    return int(account.pk)


def make_posts(channel_id: int, count: int, label: str) -> list[int]:
    from socialdesk.accounts.audit import Acting
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.publishing import services

    channel = ChannelAccount.objects.get(pk=channel_id)
    by = Acting(user=None, label="bench")
    return [
        services.post_create(by=by, text=f"{label} {n}", channels=[channel]).pk
        for n in range(count)
    ]


def schedule(ids: list[int], at: datetime) -> None:
    from socialdesk.publishing.models import Post

    Post.objects.filter(pk__in=ids).update(status="scheduled", scheduled_at=at)


def delays(ids: list[int]) -> list[float]:
    from socialdesk.publishing.models import PostTarget

    rows = PostTarget.objects.filter(post_id__in=ids, state="published").values_list(
        "published_at", "post__scheduled_at"
    )
    return [
        (published - due).total_seconds()
        for published, due in rows
        if published is not None and due is not None
    ]


def wait_published(ids: list[int], seconds: float) -> int:
    from socialdesk.publishing.models import Post

    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline:
        done = Post.objects.filter(pk__in=ids, status="published").count()
        if done == len(ids):
            break
        time.sleep(0.25)
    return done


def baseline(url: str, count: int) -> float:
    from mastodon import Mastodon

    client = Mastodon(access_token=TOKEN, api_base_url=url, ratelimit_method="throw")
    started = time.perf_counter()
    for n in range(count):
        client.status_post(f"baseline {n}")
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--latency-posts", type=int, default=40)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--no-calendar", action="store_true", help="leave out the calendar's month view"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-publishing-"))
    database = prepare_database(args.database_url or None, work)
    peer = start_peer("fast peer", peer_main)
    worker: subprocess.Popen[bytes] | None = None
    failed: list[str] = []
    try:
        env = environment(work, database)
        channel = setup(env, peer.url)
        worker = subprocess.Popen(
            [sys.executable, "-m", "socialdesk.cli", "worker"], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(4)  # the worker starts

        # 1. Due → published, one post after another.
        ids = make_posts(channel, args.latency_posts, "due")
        start = datetime.now(UTC) + timedelta(seconds=2)
        from socialdesk.publishing.models import Post

        for index, pk in enumerate(ids):
            Post.objects.filter(pk=pk).update(
                status="scheduled", scheduled_at=start + timedelta(seconds=0.3 * index)
            )
        if wait_published(ids, 60 + 0.3 * len(ids)) != len(ids):
            failed.append("not every post of the latency run was published")
        waits = delays(ids)

        # 2. Many posts due at the same moment; the baseline against the same peer.
        many = make_posts(channel, args.posts, "burst")
        due = datetime.now(UTC) + timedelta(seconds=1)
        schedule(many, due)
        out = wait_published(many, 180)
        finished = max(delays(many) or [0.0])
        within = sum(1 for d in delays(many) if d <= 60)
        plain = baseline(peer.url, args.posts)
        stored = counts(peer.url)
        expected = args.latency_posts + args.posts
        if stored["keys"] != expected or stored["statuses"] != expected + args.posts:
            failed.append(f"the peer holds {stored}, expected {expected} posts once each")
        if out != len(many):
            failed.append(f"only {out} of {len(many)} posts were published")
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        peer.stop()
        if database.created:
            from django.db import connections

            connections.close_all()
            drop_database(database)

    median, p95 = statistics.median(waits), percentile(waits, 0.95)
    rows = [
        ("due → published, median", f"{median:.2f} s", "≤ 2 s", median <= 2),
        ("due → published, p95", f"{p95:.2f} s", "", None),
        (f"{args.posts:,} posts due at once: last out after", f"{finished:.1f} s", "≤ 60 s",
         finished <= 60),
        ("  published within 60 s", f"{within:,} of {args.posts:,}", "", None),
        ("  posts/s", f"{args.posts / max(finished, 1e-9):.0f}", "", None),
        (f"baseline: Mastodon.py status_post × {args.posts:,}", f"{plain:.1f} s", "", None),
        ("  statuses/s", f"{args.posts / plain:.0f}", "", None),
    ]  # fmt: skip
    print(f"\nPublishing, {database.kind}, worker at its normal rhythm, fast local peer\n")
    print(f"| {'what':<46} | {'figure':>14} | {'goal':>7} | met |")
    print(f"|{'-' * 48}|{'-' * 15}:|{'-' * 8}:|-----|")
    for what, figure, goal, met in rows:
        mark = "" if met is None else ("yes" if met else "no")
        print(f"| {what:<46} | {figure:>14} | {goal:>7} | {mark:<3} |")
    for problem in failed:
        print(f"CHECK FAILED: {problem}")
    print("every post on the peer exactly once" if not failed else "")
    calendar = 0
    if not args.no_calendar:  # the third figure of the issue: the month view at 5,000 posts
        command = [sys.executable, str(Path(__file__).with_name("bench_publishing_calendar.py"))]
        if args.database_url:
            command += ["--database-url", args.database_url]
        calendar = subprocess.run(command, cwd=ROOT, check=False).returncode
    sys.exit(1 if failed or calendar else 0)


if __name__ == "__main__":
    main()
