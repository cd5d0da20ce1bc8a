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
import os
import pstats
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mastodon_harness import (
    Database,
    Peer,
    _http,
    _raise_interrupt,
    hotspots,
    mock_main,
    prepare_database,
    setup_django,
    start_peer,
    table,
    templates_from,
)
from bench.mastodon_replay import (
    ACCOUNTS,
    TOKEN,
    message_text,
    replay_main,
    visibility,
)
from bench.webhook_harness import drop_database

GOAL_RATE = 1000.0  # messages per second per worker, at least
POSTER = "alice_token"
PAGE = 80  # what the connector asks for; Mastodon's largest page of notifications
PROFILE_MESSAGES = 4000  # one poll: 50 pages of 80


# ------------------------------------------------------------------ database


# ------------------------------------------------------------------ socialdesk, in-process


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


# ------------------------------------------------------------------ the report


def row(peer: str, what: str, run: Run) -> list[str]:
    return [peer, what, f"{run.messages:,}", f"{run.seconds:.2f}", f"{run.rate:,.0f}"]


def _exactly(stored: list[str], expected: list[str]) -> bool:
    return len(stored) == len(expected) and Counter(stored) == Counter(expected)


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
