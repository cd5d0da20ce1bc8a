"""Benchmark the search (issue 14, WP4): reindex speed, query latency with permissions beside
the raw full-text match, and the index's upkeep per imported message.

    .venv/bin/python bench/bench_search.py [--scale 0.02] [--runs 50] [--import-rows N]
        [--data-dir DIR] [--skip reindex|upkeep]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_search]

`--scale 1` is the full size: 1 million messages (`bench/goals_history.py`, texts replaced by
varied German and English ones with compounds), 100,000 room posts in 200 rooms (20 %
private) and 20,000 wiki pages (Markdown, 60-400 words) in 10 organisation spaces and the
spaces of 40 rooms; the default 0.02 is 20,000 messages, 2,000 room posts and 400 pages.
`--data-dir DIR` keeps the database there, and a later run with the same DIR skips the fill.
Query words are taken from the first messages (the same words on every run). Then:
1. `reindex` from empty: documents/s (goal ≥ 20,000/s), also `--offline`, and the index's size;
2. queries (5 warm-ups, then `--runs` runs each, p50/p95): one frequent, medium and rare word,
   a compound part, three words, a phrase, a prefix — as a manager (sees all), a department
   member and a private-room member. "page": the whole `search()` (the permitted entries, their
   objects read through the selectors, snippets), goal p95 ≤ 50 ms; "chosen": the permitted
   entries alone (`selectors.permitted`), beside the raw match (FTS5 `MATCH … ORDER BY rank
   LIMIT 20`; PostgreSQL `vector @@ q ORDER BY ts_rank LIMIT 20`) of the same query on the
   same index in the same run, goal ≤ 2×; also `order=newest`;
3. upkeep: `socialdesk import --format twcs` of K rows with the index, and with
   `core.changes.muted()`: rows/s and ms of upkeep per message.
Exits 1 when a check fails (the manager's message hits equal the raw match's), not when a goal
is missed. SQLite file by default; PostgreSQL with `--database-url` (created when missing; one
holding conversations is refused, unless `--data-dir` names the run that filled it).
"""

from __future__ import annotations

import argparse
import io
import json
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
from bench.search_history import (  # noqa: E402
    bench_people,
    fill,
)


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
                "ORDER BY ts_rank('{0.1, 0.2, 0.4, 1.0}', vector, q, 32) DESC LIMIT %s",
                [compiled.tsquery, limit],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rank LIMIT %s",
                [compiled.fts5, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def raw_messages(query: str, limit: int) -> list[int]:
    """Up to `limit` message entries matching `query`, unranked (the check's count; the top
    10,000 by rank can all be titled room posts and pages)."""
    from django.db import connection

    from socialdesk.search.query import translate

    compiled = translate(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM search_searchentry WHERE kind = 'message' AND vector @@ "
                "to_tsquery('simple', %s) LIMIT %s",
                [compiled.tsquery, limit],
            )
        else:
            cursor.execute(
                "SELECT e.id FROM search_fts JOIN search_searchentry e ON e.id = search_fts.rowid "
                "WHERE search_fts MATCH %s AND e.kind = 'message' LIMIT %s",
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


def settle() -> None:
    """SQLite: write the WAL back into the database file and empty it (deleting 1.4 million
    entries leaves gigabytes there, which the next writer would otherwise pay for)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def reindexing(jobs: int) -> list[tuple[str, ...]]:
    """Reindex from empty with one process, with `jobs`, and with `jobs` --offline."""
    from socialdesk.search import indexing
    from socialdesk.search.models import SearchEntry

    rates = []
    for label, work in (
        ("1 process", partial(indexing.reindex, jobs=1)),
        (f"{jobs} processes", partial(indexing.reindex, jobs=jobs)),
        (f"{jobs} processes, --offline", partial(indexing.reindex, jobs=jobs, offline=True)),
    ):
        SearchEntry.objects.all().delete()
        settle()  # the deletion's writes are not the reindex's
        result = work()
        rates.append((label, result.documents / result.seconds, result.seconds))
    best = max(rate for _label, rate, _s in rates)
    return [
        (f"reindex from empty, {label}", f"{rate:,.0f} docs/s", f"{seconds:.1f} s", "",
         f"≥ 20,000/s: {'met' if rate >= 20_000 else 'MISSED'}" if rate == best else "")
        for label, rate, seconds in rates
    ]  # fmt: skip


def upkeeping(import_rows: int, work: Path) -> list[tuple[str, ...]]:
    runs = upkeep(import_rows, work)
    (_l1, with_index, stored), (_l2, muted, _s2) = runs[1:]
    return [
        ("import with the index", f"{stored / with_index:,.0f} rows/s", "", "", ""),
        ("import, hook muted", f"{stored / muted:,.0f} rows/s", "", "", ""),
        ("index upkeep per imported message",
         f"{(with_index - muted) * 1000 / max(stored, 1):.2f} ms", "", "", ""),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1 = full size (1M messages)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-rows", type=int, default=0, help="default 50,000 × scale")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--data-dir", default="", help="keep the data here; reused when filled")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["reindex", "upkeep"],
        help="leave a part out (reindex: keep the index of the last run in --data-dir)",
    )
    args = parser.parse_args()
    work = Path(args.data_dir or tempfile.mkdtemp(prefix="bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    filled = work / "filled.json"
    _setup(args.database_url, work, reuse=filled.exists())
    from django.db import connection

    from socialdesk.search.kinds.base import Filters
    from socialdesk.search.models import SearchEntry
    from socialdesk.search.query import translate
    from socialdesk.search.selectors import permitted, search

    rng = random.Random(1)
    if filled.exists():
        world = {**json.loads(filled.read_text()), **bench_people()}
    else:
        world = fill(args.scale, rng)
        filled.write_text(
            json.dumps({k: v for k, v in world.items() if isinstance(v, int | float)})
        )
    rows: list[tuple[str, ...]] = []
    if "reindex" not in args.skip or not SearchEntry.objects.exists():
        rows += reindexing(os.cpu_count() or 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    rows.append(("index size", f"{SearchEntry.objects.count():,} docs", index_size(), "", ""))
    failed = False
    people = {
        "manager": world["manager"],
        "member": world["member"],
        "room member": world["roomie"],
    }
    for what, query in queries().items():
        _raw_p50, raw_p95 = _timings(partial(raw_match, query), args.runs)
        compiled = translate(query)
        for who, person in people.items():
            chosen = partial(permitted, person, compiled, Filters(), "relevance", 21, 0)
            _c50, chosen_p95 = _timings(chosen, args.runs)
            p50, p95 = _timings(partial(search, person, query), args.runs)
            ratio = chosen_p95 / raw_p95 if raw_p95 else 0.0
            goal = "met" if p95 <= 50 and ratio <= 2 else "MISSED"
            rows.append(
                (f"{what} [{query}] as {who}", f"page p50 {p50:.1f} / p95 {p95:.1f} ms",
                 f"chosen p95 {chosen_p95:.1f} ms", f"raw p95 {raw_p95:.1f} ms", f"{ratio:.1f}×",
                 f"≤ 50 ms, ≤ 2×: {goal}")
            )  # fmt: skip
        newest = _timings(partial(search, world["manager"], query, order="newest"), args.runs)
        rows.append((f"{what} newest first, manager", f"page p95 {newest[1]:.1f} ms"))
        found = search(world["manager"], query, filters=Filters(kinds=("message",)), limit=20)
        raw = len(raw_messages(query, 20))  # the manager sees every message
        if len(found.hits) != raw:
            failed = True
            rows.append((f"CHECK {what}", f"{len(found.hits)} hits", f"raw {raw}", "FAILED"))
    if "upkeep" not in args.skip:
        rows += upkeeping(args.import_rows or max(int(50_000 * args.scale), 500), work)
    print(
        f"\nbench_search on {connection.vendor}: {world['messages']:,} messages, "
        f"{world['conversations']:,} conversations, {world['room_posts']:,} room posts, "
        f"{world.get('wiki_pages', 0):,} wiki pages (written in {world['seconds']:.0f} s)"
    )
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(max(map(len, rows)))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
