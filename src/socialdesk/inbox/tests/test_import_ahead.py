"""The import's per-row decisions made ahead in forked processes (`Importer(jobs=…)`,
importing/ahead.py) store exactly what the writer alone stores, stay right when a company
account appears while chunks are decided ahead, and a process that dies stops the import with
a clear error while every chunk stored before it stays."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from socialdesk.channels.items.readers import ImportRow
from socialdesk.core.forked import ProcessLost
from socialdesk.inbox.importing import ahead, threads
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _row(
    n: int, author: str, text: str, *, parent: str = "", account: str = ""
) -> tuple[int, ImportRow]:
    return n, ImportRow(
        external_id=f"m{n}", author=author, inbound=None, text=text, parent_id=parent,
        created_at=START + timedelta(minutes=n), account=account,
    )  # fmt: skip


ROWS = [
    _row(1, "kim", "@shop Wo bleibt mein Paket? Bestellt vor zwei Wochen."),
    _row(2, "shop", "@kim Es ist heute unterwegs, sorry for the wait.", parent="m1"),
    _row(3, "lea", "@other Paket kaputt, wann kommt Ersatz?"),  # only another account: no
    _row(4, "tom", "My order never arrived, this is really annoying"),
    _row(5, "kim", "Danke!", parent="m2"),
    _row(6, "ann", "Just watched the stream, great show"),
    # A company account first named here, while later chunks are already decided ahead:
    # mentioning it is mentioning the company, and that needs a reply.
    _row(7, "ben", "@newshop mein Paket ist kaputt, wann kommt Ersatz?", account="newshop"),
    _row(8, "eva", "@newshop mein Paket ist kaputt, wann kommt Ersatz?", account="newshop"),
    _row(9, "newshop", "@eva Ersatz ist unterwegs.", parent="m8", account="newshop"),
    _row(10, "joe", "@newshop wie lange dauert das noch?", account="newshop"),
]


def _stored(network: str) -> list[tuple[Any, ...]]:
    messages = Message.objects.filter(conversation__channel_account__network=network)
    return list(
        messages.order_by("external_id").values_list(
            "external_id", "direction", "needs_reply", "language", "parent__external_id",
            "conversation__needs_reply", "conversation__waiting_for_us_since",
            "conversation__message_count", "channel_account__handle",
        )
    )  # fmt: skip


def test_rows_decided_ahead_are_stored_as_the_writer_alone_stores_them() -> None:
    for network, jobs in (("other", 1), ("webhook", 2)):
        importer = Importer(network=network, company_handles={"shop"}, chunk_size=2, jobs=jobs)
        importer.feed("history.csv", ROWS)
        assert importer.stats.created == len(ROWS)
    alone, ahead_of_it = _stored("other"), _stored("webhook")
    assert ahead_of_it == alone
    needs = {external_id: needs for external_id, _d, needs, *_rest in ahead_of_it}
    assert [n for n in needs if needs[n]] == ["m1", "m10", "m4", "m7", "m8"]
    assert dict((e, lang) for e, _d, _n, lang, *_r in ahead_of_it)["m6"] == "en"


ANSWER = ahead.answer


def _dies_on_a_skull(asked: ahead.Asked) -> ahead.Answers:
    if any("💀" in text for text in asked.texts):
        os.kill(os.getpid(), signal.SIGKILL)
    return ANSWER(asked)


def test_a_process_that_dies_ahead_stops_the_import_and_keeps_the_chunks_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ahead, "answer", _dies_on_a_skull)
    rows = [_row(n, f"c{n}", f"Frage {n}?") for n in range(1, 9)]
    rows.append(_row(9, "c9", "💀 Wo ist mein Paket?"))
    importer = Importer(network="webhook", company_handles={"shop"}, chunk_size=2, jobs=2)
    with pytest.raises(ProcessLost, match="guessing the rows' languages and replies"):
        importer.feed("history.csv", rows)
    stored = set(Message.objects.values_list("external_id", flat=True))
    # Chunks are stored in file order, each with its own transaction: those before the
    # chunk whose answers never came are all there, nothing of it or after it.
    assert stored == {f"m{n}" for n in range(1, len(stored) + 1)}
    assert len(stored) % 2 == 0 and "m9" not in stored
    assert Conversation.objects.count() == len(stored)


def test_a_chunks_stored_replies_are_read_through_the_parents_index() -> None:
    """Which stored messages answer any of a chunk's 5,000 ids: through the index on the
    parent's id, not every message of the accounts (SQLite keeps no statistics to tell)."""
    asked = threads.replies_to([str(n) for n in range(5000)])
    sql, params = asked.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        else:  # an empty table is read whole; asked for an index, which one
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "parent_external_id" in plan and "channel_account" not in plan, plan
