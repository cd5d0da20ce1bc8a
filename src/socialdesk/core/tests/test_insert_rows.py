"""`core.db.insert_rows`, the bulk path of the history import and the bulk actions: on
PostgreSQL a COPY stream, on SQLite one prepared INSERT. Both store every value as given and
refuse a broken row the way an INSERT would (Django's IntegrityError, nothing half-stored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, transaction

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.core.db import insert_rows, reserve_ids
from socialdesk.inbox.models import Conversation, Direction, Message, Tag

pytestmark = pytest.mark.django_db

AWKWARD = [
    "Tab\there, line\nbreak, CR\r, back\\slash \\N and \\.",
    "„Anführung“ 'quote' \"double\" — Ümläut ß 😀 \u200b",
    "",
    "x" * 20_000,
]


def test_awkward_values_come_back_exactly_as_given() -> None:
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    conversation = Conversation.objects.create(channel_account=account)
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2030, 1, 1, tzinfo=UTC),
    ]
    metas = [{"a": [1, 2**53, None]}, {"text": "\\N\t\n"}, {}, {"ü": {"nested": True}}]
    with transaction.atomic():
        ids = reserve_ids(Message, len(AWKWARD))
        rows = [
            [
                pk,
                conversation.pk,
                account.pk,
                f"ext-{n}",
                Direction.INBOUND,
                "@kim",
                text,
                moment,
                "",
                n % 2 == 0,
                "de",
                moment,
                meta,
            ]
            for n, (pk, text, moment, meta) in enumerate(
                zip(ids, AWKWARD, moments, metas, strict=True)
            )
        ]
        fields = [
            "id", "conversation", "channel_account", "external_id", "direction", "author_handle",
            "text", "created_at", "parent_external_id", "needs_reply", "language", "imported_at",
            "meta",
        ]  # fmt: skip
        assert insert_rows(Message, fields, rows) == 4
    stored = {m.pk: m for m in Message.objects.filter(pk__in=ids)}
    assert [stored[pk].needs_reply for pk in ids] == [True, False, True, False]
    assert [stored[pk].imported_at for pk in ids] == moments
    for pk, text, moment, meta in zip(ids, AWKWARD, moments, metas, strict=True):
        assert stored[pk].text == text
        assert stored[pk].created_at == moment
        assert stored[pk].meta == meta
        assert stored[pk].parent_id is None and stored[pk].direction == Direction.INBOUND


def test_a_broken_row_is_refused_as_an_integrity_error_and_nothing_of_the_batch_stays() -> None:
    existing = Tag.objects.create(name="vorhanden")
    with transaction.atomic():
        ids = reserve_ids(Tag, 2)
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows(Tag, ["id", "name"], [(ids[0], "neu"), (existing.pk, "doppelt")])
        # The transaction goes on after the refused batch (as after a refused INSERT).
        insert_rows(Tag, ["id", "name"], [(ids[1], "danach")])
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["danach", "vorhanden"]
