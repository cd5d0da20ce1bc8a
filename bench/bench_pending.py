"""Benchmark the worker's look for messages to classify on PostgreSQL, at 100,000 and 10 million
messages (the databases `bench_scale.py --keep` leaves: `sd_scale_100k`, `sd_scale_10m`).

    .venv/bin/python bench/bench_pending.py [--runs 20]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_scale]

Every 10 seconds each worker claims the next inbound messages to classify (`classify_new`,
500 at a time, FOR UPDATE SKIP LOCKED). Measured in one run on each database, each claim in a
transaction rolled back (nothing is changed):
- the queue (`feedback.pending`, what `classify_new` reads): the 500 newest pending ids;
- baseline: the same 500 found as before the queue, every inbound message compared with the
  classifications (an anti-join, `--baseline-runs` times: it takes seconds at 10 million);
- the queue when nothing waits (emptied inside the rolled-back transaction).

Prints p50/p95 per size and how many messages were waiting. Goal: none (background work);
the figure to watch is the baseline's growth with the size and the queue's lack of it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import psycopg

QUEUE = (
    "SELECT message_id FROM feedback_pendingmessage ORDER BY message_id DESC LIMIT 500 "
    "FOR UPDATE SKIP LOCKED"
)
BEFORE = (
    "SELECT m.id FROM inbox_message m LEFT OUTER JOIN feedback_classification c "
    "ON m.id = c.message_id WHERE m.direction = 'in' AND c.id IS NULL "
    "ORDER BY m.id DESC LIMIT 500 FOR UPDATE OF m SKIP LOCKED"
)


def _timed(db: Any, sql: str, runs: int, *, empty: bool = False) -> tuple[float, float, int]:
    times, found = [], 0
    for _ in range(runs):
        with db.transaction(force_rollback=True):
            if empty:
                db.execute("TRUNCATE feedback_pendingmessage")  # undone by the rollback
            began = time.perf_counter()
            found = len(db.execute(sql).fetchall())
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[max(int(len(times) * 0.95) - 1, 0)], found


def _count(db: Any, table: str) -> int:
    row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument(
        "--database-url", default="postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_scale"
    )
    args = parser.parse_args()
    rows: list[list[Any]] = []
    for size in ("100k", "10m"):
        url = f"{args.database_url}_{size}"
        try:
            db = psycopg.connect(url, autocommit=True)
        except psycopg.OperationalError:
            print(f"{url}: not there (bench_scale.py --keep builds it); left out")
            continue
        with db:
            db.execute("SET jit = off")  # as the app's sessions (core.db.session_settings)
            messages = _count(db, "inbox_message")
            waiting = _count(db, "feedback_pendingmessage")
            for label, sql, runs, empty in [
                ("the queue: the next 500", QUEUE, args.runs, False),
                ("baseline: every inbound message against the classifications", BEFORE,
                 args.baseline_runs, False),
                ("the queue, nothing waiting", QUEUE, args.runs, True),
            ]:  # fmt: skip
                p50, p95, found = _timed(db, sql, runs, empty=empty)
                rows.append([size, f"{messages:,}", f"{waiting:,}", label, found, p50, p95])
    print("\nbench_pending on PostgreSQL: claiming the next messages to classify")
    head = ["size", "messages", "waiting", "what", "found", "p50 ms", "p95 ms"]
    table = [head] + [[str(c) for c in r[:5]] + [f"{r[5]:.1f}", f"{r[6]:.1f}"] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(c.rjust(w) if i in (1, 2, 4, 5, 6) else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip


if __name__ == "__main__":
    main()
