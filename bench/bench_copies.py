"""Benchmark what the triggers that keep the copies of a conversation's department and
assignee cost the writers (`sla/copies.py`, `feedback/copies.py`).

    .venv/bin/python bench/bench_copies.py [--rows 20000] [--database-url postgres://…/sd_bench_copies]

On a freshly migrated SQLite file (or the empty PostgreSQL database named by
`--database-url`): N inbound messages in N/10 conversations of one department, then, each
the best of 3 runs in a transaction rolled back:
- storing a classification for every message (`bulk_create` in batches of 500, as
  `feedback.understanding` stores them): the insert trigger copies each one's department;
- handing 500 of the conversations (10 messages and classifications each) to no department,
  one UPDATE each as the inbox's service writes it: the move trigger copies the change to
  their classifications and SLA outcomes;
each with the copies' triggers and, as the baseline in the same run, without them (the
message rollup's own trigger stays in both). Prints one table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.bench_bulk import _setup  # noqa: E402

MOVED = 500


def _best(work: Callable[[], float]) -> float:
    return min(work() for _ in range(3))


def measure(rows: int) -> list[tuple[str, float, float, str]]:
    from django.db import transaction
    from django.utils import timezone

    from socialdesk.accounts.models import Department
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.feedback import copies as feedback_copies
    from socialdesk.feedback.models import Classification
    from socialdesk.inbox.models import Conversation, Message
    from socialdesk.sla import copies as sla_copies

    account = ChannelAccount.objects.create(network="webhook", handle="bench")
    department = Department.objects.create(name="Bench")
    conversations = Conversation.objects.bulk_create(
        Conversation(channel_account=account, department=department) for _ in range(rows // 10)
    )
    now = timezone.now()
    messages = Message.objects.bulk_create(
        Message(conversation=conversations[n % len(conversations)], channel_account=account,
                external_id=str(n), direction="in", text="Wo bleibt mein Paket?", created_at=now)
        for n in range(rows)
    )  # fmt: skip

    def classified() -> None:
        Classification.objects.bulk_create(
            (Classification(message=m, sentiment="neutral") for m in messages), batch_size=500
        )

    def store() -> float:
        with transaction.atomic():
            started = time.perf_counter()
            classified()
            took = time.perf_counter() - started
            transaction.set_rollback(True)
        return took

    def move() -> float:
        with transaction.atomic():
            classified()
            started = time.perf_counter()
            for conversation in conversations[:MOVED]:
                Conversation.objects.filter(pk=conversation.pk).update(department=None)
            took = time.perf_counter() - started
            transaction.set_rollback(True)
        return took

    stored, moved = _best(store), _best(move)
    feedback_copies.drop()
    sla_copies.drop()
    stored_bare, moved_bare = _best(store), _best(move)
    feedback_copies.ensure()
    sla_copies.ensure()
    return [
        (f"store {rows:,} classifications", stored_bare, stored, f"{(stored - stored_bare) / rows * 1e6:.1f} µs per row"),
        (f"hand {MOVED} conversations to another department", moved_bare, moved,
         f"{(moved - moved_bare) / MOVED * 1e3:.2f} ms per conversation (10 messages)"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    _setup(args.database_url, Path(tempfile.mkdtemp(prefix="bench-copies-")))
    from django.db import connection

    table: list[Any] = measure(args.rows)
    print(f"\nbench_copies on {connection.vendor}")
    print(f"{'what':<48} {'without':>10} {'with':>10}  cost of the copies")
    for what, bare, kept, cost in table:
        print(f"{what:<48} {bare * 1000:>7.0f} ms {kept * 1000:>7.0f} ms  {cost}")


if __name__ == "__main__":
    main()
