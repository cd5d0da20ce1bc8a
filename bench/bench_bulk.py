"""Benchmark a bulk action over "all matching" in the inbox (issue 11).

    .venv/bin/python bench/bench_bulk.py --conversations 100000 --messages 1000000

Builds a fresh SQLite file (or the PostgreSQL database named by `--database-url`) with that many
open conversations and messages, then:
- starts "resolve all matching status=open" as the list does (the job is queued) and runs it
  the way the worker does (`inbox.tasks.run_bulk_job`), chunk by chunk: state before kept for
  undo, status events, SLA clocks refreshed per chunk, one audit entry;
- undoes it (the same way, in the background task);
- as the baseline, in the same run: one plain SQL `UPDATE … SET status = 'resolved'` of the
  same rows (no history, no undo, no clocks: the floor of what changing the rows costs).
Prints one table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup(database_url: str, data_dir: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["SOCIALDESK_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "socialdesk.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from socialdesk.inbox.models import Conversation

    if Conversation.objects.exists():
        sys.exit("refused: that database holds conversations already (use an empty one)")


def _fill(conversations: int, messages: int) -> None:
    """Insert conversations and messages with plain rows (as an import leaves them)."""
    from socialdesk.channels.models import ChannelAccount
    from socialdesk.core.db import insert_rows
    from socialdesk.inbox.models import Conversation, Message

    account = ChannelAccount.objects.create(network="mastodon", handle="bench")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    per = max(1, messages // conversations)
    step = 10_000
    next_message = 0
    for first in range(0, conversations, step):
        count = min(step, conversations - first)
        rows = [
            [
                account.pk,
                "open",
                at,
                at,
                at,
                per,
                f"Frage {first + i}?",
                "de",
                True,
                True,
                start,
                "",
                "",
            ]
            for i in range(count)
            for at in [start + timedelta(seconds=first + i)]
        ]
        insert_rows(
            Conversation,
            [
                "channel_account",
                "status",
                "waiting_since",
                "first_message_at",
                "last_message_at",
                "message_count",
                "preview",
                "language",
                "first_message_inbound",
                "needs_reply",
                "created_at",
                "sla_state",
                "sla_warned",
            ],
            rows,
        )
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    batch: list[list[object]] = []
    for n, pk in enumerate(ids):
        for j in range(per):
            at = start + timedelta(seconds=n, minutes=j)
            inbound = j % 2 == 0
            batch.append(
                [
                    pk,
                    account.pk,
                    f"b{next_message}",
                    "in" if inbound else "out",
                    "Text",
                    at,
                    inbound,
                    "",
                    "",
                    "de",
                    start,
                    {},
                ]
            )
            next_message += 1
        if len(batch) >= 50_000:
            _messages(Message, batch)
            batch = []
    _messages(Message, batch)


def _messages(model: type, batch: list[list[object]]) -> None:
    from socialdesk.core.db import insert_rows

    insert_rows(
        model,
        [
            "conversation",
            "channel_account",
            "external_id",
            "direction",
            "text",
            "created_at",
            "needs_reply",
            "author_handle",
            "parent_external_id",
            "language",
            "imported_at",
            "meta",
        ],
        batch,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="", help="an empty PostgreSQL database instead of a SQLite file"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="socialdesk-bench-bulk-"))
    _setup(args.database_url, work)

    from django.db import connection, transaction

    from socialdesk.accounts.audit import Acting
    from socialdesk.accounts.models import Role, User
    from socialdesk.inbox import bulk
    from socialdesk.inbox.job_models import BulkJob
    from socialdesk.inbox.models import Conversation
    from socialdesk.inbox.selectors import InboxFilters
    from socialdesk.inbox.tasks import run_bulk_job, undo_bulk_job

    started = time.perf_counter()
    with transaction.atomic():
        _fill(args.conversations, args.messages)
    fill_seconds = time.perf_counter() - started
    user = User.objects.create_user("bench@example.com", "x", full_name="Bench", role=Role.AGENT)
    by = Acting(user=user)

    signal_seconds = [0.0]
    plain_signal = bulk._signal

    def timed_signal(conversation_ids: list[int]) -> None:
        began = time.perf_counter()
        plain_signal(conversation_ids)
        signal_seconds[0] += time.perf_counter() - began

    bulk._signal = timed_signal

    started = time.perf_counter()
    with transaction.atomic():
        job = bulk.bulk_start(by=by, action="resolve", filters=InboxFilters(status="open"))
    start_seconds = time.perf_counter() - started
    assert job.state == BulkJob.State.QUEUED, job.state
    started = time.perf_counter()
    run_bulk_job.call(job.pk)
    run_seconds = time.perf_counter() - started
    job.refresh_from_db()
    resolved = Conversation.objects.filter(status="resolved").count()
    run_signal_seconds, signal_seconds[0] = signal_seconds[0], 0.0

    started = time.perf_counter()
    with transaction.atomic():
        bulk.bulk_undo(by=by, job=job)
    undo_seconds = time.perf_counter() - started
    started = time.perf_counter()
    undo_bulk_job.call(job.pk)
    undo_seconds += time.perf_counter() - started
    open_again = Conversation.objects.filter(status="open").count()

    ids = list(Conversation.objects.filter(status="open").values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inbox_conversation SET status = 'resolved', resolved_at = %s "
            "WHERE status = 'open'",
            [datetime.now(UTC) if connection.vendor != "sqlite" else datetime.now(UTC).isoformat()],
        )
        baseline_rows = cursor.rowcount
    baseline_seconds = time.perf_counter() - started

    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print()
    print(
        f"bulk resolve of all matching: {args.conversations:,} conversations, "
        f"{args.messages:,} messages, {vendor}, {os.cpu_count()} cores (filled in {fill_seconds:.0f} s)"
    )
    print(f"{'what':<52} {'socialdesk':>12} {'baseline':>12}  baseline is")
    print("-" * 104)
    print(f"{'start (count, queue the job), s':<52} {start_seconds:>12.2f}")
    print(
        f"{'resolve all matching in the background, s':<52} {run_seconds:>12.1f} "
        f"{baseline_seconds:>12.1f}  one SQL UPDATE of the same rows"
    )
    print(f"{'  of which SLA clocks (conversations_changed), s':<52} {run_signal_seconds:>12.1f}")
    print(f"{'conversations resolved / rows updated':<52} {resolved:>12,} {baseline_rows:>12,}")
    print(f"{'conversations per second':<52} {resolved / run_seconds:>12,.0f}")
    print(f"{'undo (all restored), s':<52} {undo_seconds:>12.1f}")
    print(f"{'  of which SLA clocks (conversations_changed), s':<52} {signal_seconds[0]:>12.1f}")
    print(f"{'open again after undo':<52} {open_again:>12,}")
    print(f"{'target: bulk on 100k in the background, s':<52} {'<= 60':>12}")
    assert resolved == len(ids) == args.conversations


if __name__ == "__main__":
    main()
