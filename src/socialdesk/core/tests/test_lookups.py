"""`field__among=values` (core.lookups): the import's lookups of thousands of ids at once find
exactly what `__in` finds, on SQLite and PostgreSQL, whatever the values hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.core import lookups
from socialdesk.inbox.models import Contact, ContactHandle, Conversation

pytestmark = pytest.mark.django_db

HOSTILE = [
    "a,b", "{x}", 'q"u', "back\\slash", " spaced ", "NULL", "it's", "ü€😀", "",
    "[1, 2]", "x" * 191, "%s", "?",
]  # fmt: skip


@pytest.mark.parametrize("one_list_from", [lookups.SQLITE_PLACEHOLDERS, 2])
def test_strings_found_by_among_are_those_found_by_in(
    one_list_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: values as placeholders, and beyond the placeholders one JSON list."""
    monkeypatch.setattr(lookups, "SQLITE_PLACEHOLDERS", one_list_from)
    contact = Contact.objects.create(display_name="Kim")
    for handle in [*HOSTILE, "not asked for"]:
        ContactHandle.objects.create(contact=contact, network=Network.OTHER, handle=handle)
    handles = ContactHandle.objects.filter(network=Network.OTHER)
    found = set(handles.filter(handle__among=HOSTILE).values_list("handle", flat=True))
    assert found == set(handles.filter(handle__in=HOSTILE).values_list("handle", flat=True))
    assert found == set(HOSTILE)


def test_thousands_of_ids_and_foreign_keys() -> None:
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    other = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="other")
    made = [Conversation.objects.create(channel_account=account).pk for _ in range(3)]
    Conversation.objects.create(channel_account=other)
    asked = [*made, *range(10**6, 10**6 + 5000), 2**62, -(2**63), 0, -1]
    # beyond any id (a hostile value): matches nothing, fails nothing
    assert not Conversation.objects.filter(pk__among=[made[0] + 2**64, 2**70]).exists()
    assert list(Conversation.objects.filter(pk__among=[2**70, made[1], -(2**64)])) == [
        Conversation.objects.get(pk=made[1])
    ]
    assert sorted(Conversation.objects.filter(pk__among=asked).values_list("pk", flat=True)) == made
    by_account = Conversation.objects.filter(channel_account_id__among={account.pk})
    assert sorted(by_account.values_list("pk", flat=True)) == made
    assert Conversation.objects.filter(pk__among=made[:1]).update(language="de") == 1
    assert Conversation.objects.get(pk=made[0]).language == "de"


def test_nothing_asked_for_finds_nothing_without_a_query() -> None:
    ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    with CaptureQueriesContext(connection) as captured:
        assert list(ChannelAccount.objects.filter(pk__among=[])) == []
        assert ChannelAccount.objects.filter(handle__among=set()).update(name="x") == 0
    assert captured.captured_queries == []
    assert ChannelAccount.objects.filter(name="x").count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array of ids")
def test_ids_reach_postgresql_as_one_array_that_keeps_the_index() -> None:
    """Integers go as one array literal of bigints: an integer key compared with it keeps
    its index (the import's and the inbox's lookups by id)."""
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    made = [Conversation.objects.create(channel_account=account).pk for _ in range(3)]
    queryset = Conversation.objects.filter(pk__among=[made[0], made[2]])
    sql, params = queryset.query.sql_with_params()
    assert "::bigint[]" in sql and isinstance(params[-1], str)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "inbox_conversation_pkey" in plan, plan
    assert sorted(queryset.values_list("pk", flat=True)) == [made[0], made[2]]
    # anything else than plain integers (here a bool, an int's subclass) goes as a list
    sql, params = ChannelAccount.objects.filter(pk__among=[True]).query.sql_with_params()
    assert "::bigint[]" not in sql and params[-1] == [True]
