"""The messages carry no index that no query needs (each costs every stored message a write),
and a lookup by channel still reads an index: the unique key (channel, external id) starts
with the channel (migration 0027 dropped the channel's own index)."""

from __future__ import annotations

import pytest
from django.db import connection

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Conversation, Direction, Message

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Message._meta.db_table)
    return {  # indexes and unique keys (each one an index)
        name: info["columns"]
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    }


def test_no_index_repeats_what_another_gives() -> None:
    columns = list(_indexes().values())
    assert ["channel_account_id"] not in columns
    assert ["channel_account_id", "external_id"] in columns  # the unique key
    assert columns.count(["parent_external_id"]) == 1  # replies are found by their parent
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
                [Message._meta.db_table, "%pattern_ops%"],
            )
            assert cursor.fetchall() == []


def test_a_lookup_by_channel_reads_the_unique_key() -> None:
    accounts = [
        ChannelAccount.objects.create(network="webhook", handle=f"shop{n}") for n in range(3)
    ]
    for account in accounts:
        conversation = Conversation.objects.create(channel_account=account)
        Message.objects.bulk_create(
            Message(conversation=conversation, channel_account=account, external_id=f"m{k}",
                    direction=Direction.INBOUND, text="Hallo", created_at=conversation.created_at)
            for k in range(50)
        )  # fmt: skip
    query = Message.objects.filter(channel_account=accounts[1]).order_by().values("pk")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan TO off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert "unique_message_per_account" in plan, plan
    else:  # SQLite names a table's UNIQUE constraint's index itself
        assert "INDEX sqlite_autoindex_inbox_message" in plan, plan
    assert len(query) == 50
