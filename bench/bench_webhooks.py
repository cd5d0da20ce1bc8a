"""Benchmark the outgoing webhooks' fan-out (issue 15): 10,000 events to 3 subscribers.

    .venv/bin/python bench/bench_webhooks.py [--events 10000] [--subscribers 3]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_webhooks]

Three local receivers (`webhooks/testpeer.py`, each a threaded HTTP server on 127.0.0.1 that
checks every signature) hear the same events. Measured in one run:

- baseline: a plain `requests` loop (one kept-alive session per receiver) POSTs the same
  bodies to the same receivers, one after the other: what one process does without a queue;
- storing: the events emitted in chunks of 500 in a transaction each (as the live ingest
  does), each stored once with a delivery per subscriber;
- fan-out: the worker's `deliver_due` sends the whole backlog (claims, signs, 8 at a time,
  records each outcome, keeps each conversation's order);
- steady: events emitted at 100 a second from another thread while the worker delivers:
  the lag from the event to its arrival at the receiver (p50/p95).

The database is a fresh SQLite file in a temporary folder unless a PostgreSQL URL is given
(that database is created when missing; its webhook tables are emptied first).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_goals import _setup  # noqa: E402

TEXT = (
    "Hallo, mein Zug nach Hamburg ist heute schon wieder ausgefallen und in der App steht "
    "nichts davon. Wann fährt der nächste, und bekomme ich mein Geld für die Reservierung "
    "zurück? Danke für eine schnelle Antwort!"
)


def _data(n: int, conversation: int) -> dict[str, Any]:
    return {
        "conversation": {
            "id": conversation,
            "status": "open",
            "channel": {"id": 1, "network": "mastodon", "name": "Nordlicht Bahn"},
            "contact": {"id": 10_000 + conversation, "name": "Kim Kunde", "handle": "@kim@example.social"},
            "url": f"https://socialdesk.example/inbox/{conversation}/",
        },
        "message": {"id": n, "text": TEXT, "author": "@kim@example.social",
                    "created_at": "2026-12-01T10:00:00+00:00"},
    }  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * q) - 1))]


def _free_ports(n: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(n)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


@contextmanager
def _receivers(specs: list[tuple[int, str]], delay: float = 0.0) -> Iterator[list[str]]:
    """Receivers in their own process (`testpeer.main`); yields their URLs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "socialdesk.webhooks.testpeer", f"--delay={delay}",
         *[f"{p}:{s}" for p, s in specs]],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    try:
        yield [f"http://127.0.0.1:{port}/hooks/socialdesk" for port, _secret in specs]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _stats(url: str) -> dict[str, Any]:
    import requests

    answer: dict[str, Any] = requests.get(url, timeout=30).json()
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=2_000)
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument(
        "--concurrency", type=int, default=0, help="sends at a time (default: the product's)"
    )
    parser.add_argument(
        "--receiver-delay", type=float, default=0.0, help="seconds each answer takes"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    _setup(args.database_url, data_dir, reuse=True)

    import requests
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from socialdesk.accounts.audit import Acting
    from socialdesk.core import events
    from socialdesk.webhooks import delivery, services
    from socialdesk.webhooks.models import Delivery, DeliveryState, Event, Subscription

    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    if args.concurrency:
        delivery.CONCURRENCY = args.concurrency
    Subscription.objects.all().delete()
    Event.objects.all().delete()
    total = args.events * args.subscribers
    rows: list[tuple[str, str, str]] = []

    # Baseline: the same bodies, one POST after another, a kept-alive session per receiver.
    now = timezone.now()
    bodies = [
        services.body_of(uuid.uuid4(), "message.received", f"conversation:{n % args.conversations}",
                         now, _data(n, n % args.conversations)).encode()
        for n in range(args.events)
    ]  # fmt: skip
    with _receivers([(p, "") for p in _free_ports(args.subscribers)], args.receiver_delay) as urls:
        sessions = [requests.Session() for _ in urls]
        started = time.perf_counter()
        for body in bodies:
            for url, session in zip(urls, sessions, strict=True):
                session.post(url, data=body, headers={"Content-Type": "application/json"},
                             timeout=10).raise_for_status()  # fmt: skip
        baseline = time.perf_counter() - started
        assert sum(_stats(url)["received"] for url in urls) == total
    rows.append(("plain `requests` loop, one process (baseline)", f"{baseline:.1f} s",
                 f"{total / baseline:,.0f} deliveries/s"))  # fmt: skip

    by = Acting(user=None, label="bench")
    specs: list[tuple[int, str]] = []
    for n, port in enumerate(_free_ports(args.subscribers)):
        _sub, secret = services.subscription_create(
            by=by, name=f"Receiver {n + 1}", url=f"http://127.0.0.1:{port}/hooks/socialdesk",
            kinds=["message.received"],
        )  # fmt: skip
        specs.append((port, secret))

    with _receivers(specs, args.receiver_delay) as urls:
        # Storing: chunks of 500 events in a transaction each.
        started = time.perf_counter()
        for first in range(0, args.events, 500):
            with transaction.atomic():
                events.emit(
                    "message.received",
                    [(f"conversation:{n % args.conversations}", _data(n, n % args.conversations))
                     for n in range(first, min(first + 500, args.events))],
                )  # fmt: skip
        stored = time.perf_counter() - started
        rows.append(("store events + deliveries (chunks of 500)", f"{stored:.1f} s",
                     f"{args.events / stored:,.0f} events/s ({total / stored:,.0f} deliveries/s)"))  # fmt: skip

        # Fan-out: the worker sends the whole backlog.
        started = time.perf_counter()
        for _ in range(5):
            delivery.deliver_due(budget=3600)
            if not Delivery.objects.filter(state=DeliveryState.PENDING).exists():
                break
        fanout = time.perf_counter() - started
        seen = [_stats(url) for url in urls]
        accepted = sum(len(s["accepted"]) for s in seen)
        assert accepted == total and not any(s["unsigned"] for s in seen), (accepted, total)
        rows.append(("fan-out by the worker (in order per conversation)", f"{fanout:.1f} s",
                     f"{total / fanout:,.0f} deliveries/s = {baseline / fanout:.2f} × baseline"))  # fmt: skip

        # Steady: 100 events a second from another thread while the worker delivers.
        created: dict[str, float] = {}
        stop = threading.Event()
        steady_events = int(args.steady_seconds * 100)

        def emitter() -> None:
            from django.db import connection as own

            try:
                for n in range(steady_events):
                    at = time.time()
                    with transaction.atomic():
                        events.emit(
                            "message.received", [(f"conversation:{n % 50}", _data(n, n % 50))]
                        )
                        uid = Event.objects.order_by("-pk").values_list("uid", flat=True)[0]
                    created[str(uid)] = at
                    time.sleep(max(0.0, at + 0.01 - time.time()))
            finally:
                stop.set()
                own.close()

        thread = threading.Thread(target=emitter)
        thread.start()
        while not stop.is_set() or Delivery.objects.filter(state=DeliveryState.PENDING).exists():
            if delivery.deliver_due(budget=1).delivered == 0:
                time.sleep(0.05)
        thread.join()
        lags = [
            (at - created[event_id]) * 1000
            for url in urls for event_id, at in _stats(url)["accepted"] if event_id in created
        ]  # fmt: skip
    rows.append(("steady 100 events/s: lag event → receiver", f"p50 {statistics.median(lags):,.0f} ms",
                 f"p95 {_pct(lags, 0.95):,.0f} ms ({len(lags)} deliveries)"))  # fmt: skip

    print(f"\n{args.events:,} events × {args.subscribers} subscribers, "
          f"{args.conversations:,} conversations, {connection.vendor}, "
          f"{delivery.CONCURRENCY} sends at a time, receivers answer after "
          f"{args.receiver_delay * 1000:.0f} ms\n")  # fmt: skip
    print("| | time | rate |")
    print("|---|---|---|")
    for what, spent, rate in rows:
        print(f"| {what} | {spent} | {rate} |")


if __name__ == "__main__":
    main()
