"""Benchmark the search (issue 14, WP4): reindex speed, query latency with permissions beside
the raw full-text match, and the index's upkeep per imported message.

    .venv/bin/python bench/bench_search.py [--scale 0.02] [--runs 50] [--import-rows N]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_search]

`--scale 1` is the full size: 1 million messages (`bench/goals_history.py`, texts replaced by
varied German and English ones with compounds), 100,000 room posts in 200 rooms (20 %
private); the default 0.02 is 20,000 messages and 2,000 room posts (wiki pages are not filled
yet). Query words are taken from the first messages (the same words on every run). Then:
1. `reindex` from empty: documents/s (goal ≥ 20,000/s), also `--offline`, and the index's size;
2. queries (5 warm-ups, then `--runs` runs each, p50/p95): one frequent, medium and rare word,
   a compound part, three words, a phrase, a prefix — as a manager (sees all), a department
   member and a private-room member — beside the raw match (FTS5 `MATCH … ORDER BY rank
   LIMIT 20`; PostgreSQL `vector @@ q ORDER BY ts_rank_cd LIMIT 20`) of the same query on the
   same index in the same run; goals p95 ≤ 50 ms and ≤ 2× raw; also `order=newest`;
3. upkeep: `socialdesk import --format twcs` of K rows with the index, and with
   `core.changes.muted()`: rows/s and ms of upkeep per message.
Exits 1 when a check fails (the manager's message hits equal the raw match's), not when a goal
is missed. SQLite file by default; PostgreSQL with `--database-url` (created when missing; one
holding conversations is refused).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_goals import _setup  # noqa: E402

COMMON_DE = [
    "zug",
    "fahrt",
    "verspätung",
    "bahnhof",
    "gleis",
    "ticket",
    "fahrkarte",
    "kunde",
    "service",
    "frage",
    "antwort",
    "bitte",
    "danke",
    "heute",
    "morgen",
    "abend",
    "stunde",
    "minute",
    "problem",
    "lösung",
    "app",
    "konto",
    "passwort",
    "rechnung",
    "lieferung",
    "paket",
    "bestellung",
    "rückerstattung",
    "störung",
    "kündigung",
    "vertrag",
    "tarif",
    "preis",
]
COMMON_EN = [
    "train",
    "delay",
    "station",
    "platform",
    "ticket",
    "customer",
    "service",
    "question",
    "answer",
    "please",
    "thanks",
    "today",
    "tomorrow",
    "evening",
    "hour",
    "minute",
    "problem",
    "solution",
    "app",
    "account",
    "password",
    "invoice",
    "delivery",
    "parcel",
    "order",
    "refund",
    "outage",
    "contract",
    "price",
]
COMPOUNDS = [
    "Ticketkauf",
    "Fahrkartenautomat",
    "Kündigungsfrist",
    "Störungsmeldung",
    "Kundenkonto",
    "Zugausfall",
    "Bahnsteigkante",
    "Rückerstattungsantrag",
    "Lieferverzögerung",
    "Passwortänderung",
]
ROOMS = 200
PERSON_MEMBER = "mia@bench.example"
PERSON_ROOMIE = "rita@bench.example"


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghiklmnoprstuvwz"
    rare = [
        "".join(rng.choice(letters) for _ in range(rng.randrange(5, 10))) for _ in range(20_000)
    ]
    return [*COMMON_DE, *COMMON_EN, *[c.lower() for c in COMPOUNDS], *rare]


def _text(rng: random.Random, vocabulary: list[str], words: int) -> str:
    out = []
    for _ in range(words):
        rank = min(int(rng.paretovariate(0.9)) - 1, len(vocabulary) - 1)
        word = vocabulary[rank] if rank < 80 else vocabulary[rng.randrange(80, len(vocabulary))]
        if rng.random() < 0.05:
            word = rng.choice(COMPOUNDS)
        out.append(word)
    return " ".join(out).capitalize() + "."


def fill(scale: float, rng: random.Random) -> dict[str, Any]:
    """The history of `goals_history` with varied texts, rooms and room posts."""
    from django.utils import timezone

    from bench.goals_history import fill as fill_history
    from socialdesk.accounts.models import Department, Role, User
    from socialdesk.core import changes
    from socialdesk.core.db import insert_rows, update_rows
    from socialdesk.inbox import rollups
    from socialdesk.inbox.models import Message
    from socialdesk.spaces.models import Room, RoomMembership, RoomPost

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    rollups.drop()
    with changes.muted():
        history = fill_history(
            max(int(1_000_000 * scale), 1_000), now=now, log=lambda t: print(t, file=sys.stderr)
        )
        vocabulary = _vocabulary(rng)
        last = 0
        while True:
            ids = list(
                Message.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:20_000]
            )
            if not ids:
                break
            update_rows(
                Message,
                ["text"],
                [(_text(rng, vocabulary, rng.randrange(6, 25)), pk) for pk in ids],
            )
            last = ids[-1]
        manager = User.objects.create_user(
            "max@bench.example", "x", full_name="Max", role=Role.MANAGER
        )
        member = User.objects.create_user(PERSON_MEMBER, "x", full_name="Mia", role=Role.MEMBER)
        member.departments.add(Department.objects.get(name="Kundenservice"))
        roomie = User.objects.create_user(PERSON_ROOMIE, "x", full_name="Rita", role=Role.MEMBER)
        rooms = [
            Room.objects.create(
                name=f"Raum {n}",
                purpose=_text(rng, vocabulary, 12),
                visibility=Room.Visibility.PRIVATE if n % 5 == 0 else Room.Visibility.PUBLIC,
            )
            for n in range(ROOMS)
        ]
        for room in rooms[::5]:
            RoomMembership.objects.create(room=room, user=roomie)
        posts = max(int(100_000 * scale), 200)
        rows = [
            [rooms[n % ROOMS].pk, manager.pk, _text(rng, vocabulary, rng.randrange(10, 60)), now, 0]
            for n in range(posts)
        ]
        for start in range(0, len(rows), 20_000):
            insert_rows(
                RoomPost,
                ["room", "author", "body", "created_at", "reply_count"],
                rows[start : start + 20_000],
            )
    rollups.ensure()
    return {
        "messages": history["messages"],
        "conversations": history["conversations"],
        "room_posts": posts,
        "seconds": time.perf_counter() - started,
        "manager": manager,
        "member": member,
        "roomie": roomie,
    }


def index_size() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_total_relation_size('search_searchentry')")
            size = cursor.fetchone()[0]
        else:
            try:
                cursor.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%' OR name LIKE 'search_fts%'"
                )
                size = cursor.fetchone()[0] or 0
            except Exception:  # dbstat not compiled in
                return "–"
    return f"{size / 1e6:,.1f} MB"


def queries(sample: int = 3_000) -> dict[str, str]:
    """Query words picked from the messages by document frequency."""
    from socialdesk.inbox.models import Message
    from socialdesk.search.analysis import tokens

    texts = list(Message.objects.order_by("pk").values_list("text", flat=True)[:sample])
    frequency: Counter[str] = Counter()
    for text in texts:
        frequency.update({t for t in tokens(text) if len(t) >= 4})
    ranked = [w for w, _n in frequency.most_common()]
    first = tokens(texts[0])
    three = [w for w in first if len(w) >= 4][:3] or ranked[:3]
    return {
        "one word, frequent": ranked[0],
        "one word, medium": ranked[len(ranked) // 50],
        "one word, rare": ranked[-1],
        "compound part": "automat",
        "three words": " ".join(three),
        "phrase": f'"{first[0]} {first[1]}"' if len(first) >= 2 else ranked[1],
        "prefix": ranked[1][:4] + "*",
    }


def raw_match(query: str, limit: int = 20) -> list[int]:
    from django.db import connection

    from socialdesk.search.query import translate

    compiled = translate(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM search_searchentry, to_tsquery('simple', %s) q WHERE vector @@ q "
                "ORDER BY ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', vector, q, 32) DESC LIMIT %s",
                [compiled.tsquery, limit],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT %s",
                [compiled.fts5, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def _timings(work: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(5):
        work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def upkeep(rows: int, work: Path) -> list[tuple[str, float, int]]:
    """Seconds and rows/s of an import with the index kept, and with the hook muted."""
    from django.core.management import call_command

    from bench.twcs_corpus import write_csv
    from socialdesk.core import changes
    from socialdesk.inbox.models import Contact, Conversation, Message
    from socialdesk.search.models import SearchEntry

    path = work / "import.csv"
    write_csv(path, rows, seed=7, brands=2)
    out = []
    for label, muted in (("warm-up", True), ("with the index", False), ("hook muted", True)):
        last_message = Message.objects.order_by("-pk").values_list("pk", flat=True)[0]
        last_conversation = Conversation.objects.order_by("-pk").values_list("pk", flat=True)[0]
        last_contact = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_entry = SearchEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]
        started = time.perf_counter()
        if muted:
            with changes.muted():
                call_command("import", str(path), "--format", "twcs", stdout=io.StringIO())
        else:
            call_command("import", str(path), "--format", "twcs", stdout=io.StringIO())
        seconds = time.perf_counter() - started
        stored = Message.objects.filter(pk__gt=last_message).count()
        out.append((label, seconds, stored))
        SearchEntry.objects.filter(pk__gt=last_entry).delete()
        Message.objects.filter(pk__gt=last_message).delete()
        Conversation.objects.filter(pk__gt=last_conversation).delete()
        Contact.objects.filter(pk__gt=last_contact).delete()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1 = full size (1M messages)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=0, help="default 50,000 × scale")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    _setup(args.database_url, work)
    from django.db import connection

    from socialdesk.search import indexing
    from socialdesk.search.kinds.base import Filters
    from socialdesk.search.models import SearchEntry
    from socialdesk.search.selectors import search

    rng = random.Random(1)
    world = fill(args.scale, rng)
    SearchEntry.objects.all().delete()
    single = indexing.reindex(jobs=1)
    SearchEntry.objects.all().delete()
    jobs = os.cpu_count() or 1
    result = indexing.reindex(jobs=jobs)
    SearchEntry.objects.all().delete()
    offline = indexing.reindex(jobs=jobs, offline=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rows: list[tuple[str, str, str, str, str]] = []
    rate = result.documents / result.seconds
    rows.append(
        ("reindex from empty, 1 process", f"{single.documents / single.seconds:,.0f} docs/s",
         "", "", "")
    )  # fmt: skip
    rows.append(
        (
            f"reindex from empty, {jobs} processes",
            f"{rate:,.0f} docs/s",
            "",
            "",
            f"≥ 20,000/s: {'met' if rate >= 20_000 else 'MISSED'}",
        )
    )
    rows.append(
        (f"reindex from empty, {jobs} processes, --offline",
         f"{offline.documents / offline.seconds:,.0f} docs/s", "", "", "")
    )  # fmt: skip
    rows.append(("index size", f"{result.documents:,} docs", index_size(), "", ""))
    failed = False
    people = {
        "manager": world["manager"],
        "member": world["member"],
        "room member": world["roomie"],
    }
    for what, query in queries().items():
        _raw_p50, raw_p95 = _timings(partial(raw_match, query), args.runs)
        for who, person in people.items():
            p50, p95 = _timings(partial(search, person, query), args.runs)
            ratio = p95 / raw_p95 if raw_p95 else 0.0
            goal = "met" if p95 <= 50 and ratio <= 2 else "MISSED"
            rows.append(
                (f"{what} [{query}] as {who}", f"p50 {p50:.1f} / p95 {p95:.1f} ms",
                 f"raw p95 {raw_p95:.1f} ms", f"{ratio:.1f}×", f"≤ 50 ms, ≤ 2×: {goal}")
            )  # fmt: skip
        newest = _timings(partial(search, world["manager"], query, order="newest"), args.runs)
        rows.append((f"{what} newest first, manager", f"p95 {newest[1]:.1f} ms", "", "", ""))
        found = search(world["manager"], query, filters=Filters(kinds=("message",)), limit=20)
        raw = SearchEntry.objects.filter(pk__in=raw_match(query, 10_000), kind="message").count()
        if len(found.hits) != min(raw, 20):
            failed = True
            rows.append((f"CHECK {what}", f"{len(found.hits)} hits", f"raw {raw}", "", "FAILED"))
    import_rows = args.import_rows or max(int(50_000 * args.scale), 500)
    runs = upkeep(import_rows, work)
    (_l1, with_index, stored), (_l2, muted, _s2) = runs[1:]
    rows.append(("import with the index", f"{stored / with_index:,.0f} rows/s", "", "", ""))
    rows.append(("import, hook muted", f"{stored / muted:,.0f} rows/s", "", "", ""))
    rows.append(
        ("index upkeep per imported message", f"{(with_index - muted) * 1000 / max(stored, 1):.2f} ms",
         "", "", "")
    )  # fmt: skip
    print(
        f"\nbench_search on {connection.vendor}: {world['messages']:,} messages, "
        f"{world['conversations']:,} conversations, {world['room_posts']:,} room posts "
        f"(written in {world['seconds']:.0f} s); reindex {result.seconds:.1f} s"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
