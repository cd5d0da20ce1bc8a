"""What `bench_mastodon.py` runs on: its two peers (mastodon-mock and the replay peer, each in
a process of its own), the replay peer's templates taken from mastodon-mock's JSON, a fresh
database (SQLite or PostgreSQL), and the profile's summary per library."""

from __future__ import annotations

import json
import multiprocessing
import os
import pstats
import re
import secrets
import sqlite3
import sys
import urllib.request
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import webhook_harness as harness
from bench.mastodon_replay import (
    REPLAY_DOMAIN,
    TOKEN,
    _wait_for_stop,
)

MOCK_DOMAIN = "mock.local"
POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"


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


@dataclass
class Database(harness.Database):
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


def prepare_database(url: str | None, work: Path) -> Database:
    """A fresh database: a new SQLite file, or a PostgreSQL database created now."""
    made = harness.prepare_database(url, work, fresh=True)
    return Database(made.url, made.kind, made.created)


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


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
