"""Benchmark the API's conversation list (issue 15): p95 of `GET /api/v1/conversations` at a
million messages, beside the inbox selector's own query for the same page in the same run.

    .venv/bin/python bench/bench_api.py --data-dir DIR [--runs 50]
        [--database-url postgres://socialdesk:socialdesk@127.0.0.1:5432/sd_bench_search1]

DIR is a data directory filled by `bench/bench_search.py --scale 1 --data-dir DIR` (1M
messages, 306k conversations, its people). Each list is asked through the whole stack (token,
rate limit, permissions, cursor, JSON) with Django's test client; the baseline is the same
page read straight from `inbox.selectors.inbox_list` (no HTTP, no JSON). Goal: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_goals import _setup  # noqa: E402

GOAL_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    _setup(args.database_url, Path(args.data_dir), reuse=True)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.bench_search import _timings
    from bench.search_history import bench_people
    from socialdesk.accounts import tokens as api_tokens
    from socialdesk.accounts.audit import Acting
    from socialdesk.api.conversations import ORDERS
    from socialdesk.api.paging import page
    from socialdesk.inbox import selectors
    from socialdesk.inbox.models import Message

    settings.API_RATE_PER_MINUTE = 10**9  # the bench asks far more often than a person
    people = bench_people()
    messages = Message.objects.count()
    rows = []
    for who in ("manager", "member"):
        user = people[who]
        _token, key = api_tokens.api_token_create(
            by=Acting(user=user), user=user, name=f"bench {time.time():.0f}"
        )
        client = Client(headers={"Authorization": f"Bearer {key}"})
        asked: list[tuple[str, dict[str, str]]] = [
            ("open, waiting longest first", {}),
            ("needs a reply", {"needs_reply": "yes"}),
            ("all, newest first", {"status": "all", "sort": "newest"}),
            ("open, by SLA deadline", {"sort": "due"}),
            ("resolved, by SLA deadline", {"status": "resolved", "sort": "due"}),
        ]
        for what, query in asked:
            first = client.get("/api/v1/conversations", {**query, "limit": "25"})
            assert first.status_code == 200, first.content[:300]
            cursor = first.json()["next"] or ""
            filters = selectors.InboxFilters(
                status="" if query.get("status") == "all" else query.get("status", "open"),
                needs_reply=query.get("needs_reply", ""),
                sort=query.get("sort", "oldest"),
            )
            order = ORDERS[filters.sort]

            def api(q: dict[str, str] = query, web: Client = client) -> None:
                web.get("/api/v1/conversations", {**q, "limit": "25"})

            def following(q: dict[str, str] = query, c: str = cursor, web: Client = client) -> None:
                web.get("/api/v1/conversations", {**q, "limit": "25", "cursor": c})

            def baseline(f: Any = filters, o: Any = order, u: Any = user) -> None:
                page(selectors.inbox_list(u, f), o, "", 25)

            p50, p95 = _timings(api, args.runs)
            _n50, n95 = _timings(following, args.runs)
            _b50, b95 = _timings(baseline, args.runs)
            goal = "met" if max(p95, n95) <= GOAL_MS else "MISSED"
            rows.append(
                (f"{what}, {who}", f"API p50 {p50:.1f} / p95 {p95:.1f} ms",
                 f"next page p95 {n95:.1f} ms", f"selector p95 {b95:.1f} ms",
                 f"≤ {GOAL_MS:.0f} ms: {goal}")
            )  # fmt: skip
    print(
        f"\nbench_api on {connection.vendor}: {messages:,} messages; GET /api/v1/conversations "
        f"(25 a page, {args.runs} runs each)"
    )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
