"""`core.db.insert_rows`, the bulk path of the history import and the bulk actions: on
PostgreSQL a COPY stream, on SQLite one prepared INSERT. Both store every value as given and
refuse a broken row the way an INSERT would (Django's IntegrityError, nothing half-stored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.core import db
from socialdesk.core.db import insert_rows, reserve_ids
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Direction, Message, Tag

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


def test_with_ignore_conflicts_the_new_rows_are_stored_as_given_and_the_others_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import's contacts (another import may have added the same customer a moment ago):
    a row whose key is taken, in the table or earlier in the same rows, is left out; every
    other row is stored with its values exactly, however many statements it takes."""
    monkeypatch.setattr(db, "ARRAY_BATCH", 3)
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    conversation = Conversation.objects.create(channel_account=account)
    moment = datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=UTC)
    taken = Message.objects.create(
        conversation=conversation, channel_account=account, external_id="ext-taken",
        direction=Direction.INBOUND, text="schon da", created_at=moment,
    )  # fmt: skip
    # three statements: a key twice in the first, the first's again in the second
    externals = ["ext-0", "ext-taken", "ext-0", "ext-1", "ext-0", "ext-2", "ext-3"]
    texts = [AWKWARD[0], "vergeben", "ext-0 noch einmal", AWKWARD[1], "und noch einmal",
             AWKWARD[2], AWKWARD[3]]  # fmt: skip
    fields = [
        "conversation", "channel_account", "external_id", "direction", "author_handle", "text",
        "created_at", "parent_external_id", "needs_reply", "language", "imported_at", "meta",
    ]  # fmt: skip
    rows = [
        [conversation.pk, account.pk, ext, Direction.INBOUND, "@kim", text, moment, "",
         n % 2 == 0, "de", moment, {"n": n}]
        for n, (ext, text) in enumerate(zip(externals, texts, strict=True))
    ]  # fmt: skip
    with transaction.atomic():
        insert_rows(Message, fields, rows, ignore_conflicts=True)
    stored = {
        m.external_id: (m.text, m.created_at, m.needs_reply, m.meta)
        for m in Message.objects.filter(channel_account=account)
    }
    assert stored == {
        "ext-taken": ("schon da", moment, taken.needs_reply, taken.meta),
        "ext-0": (AWKWARD[0], moment, True, {"n": 0}),
        "ext-1": (AWKWARD[1], moment, False, {"n": 3}),
        "ext-2": (AWKWARD[2], moment, False, {"n": 5}),
        "ext-3": (AWKWARD[3], moment, True, {"n": 6}),
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps longer text")
def test_with_ignore_conflicts_a_value_longer_than_its_column_is_refused_not_cut() -> None:
    """As an INSERT refuses it: the import then stores the other items and sets this one aside
    (channels/tests/test_hostile_items.py); a cut handle would have been kept as another's."""
    contact = Contact.objects.create(display_name="Kim")
    rows = [(contact.pk, "mastodon", "kim"), (contact.pk, "bluesky", "k" * 256)]
    with pytest.raises(DataError), transaction.atomic():
        insert_rows(ContactHandle, ["contact", "network", "handle"], rows, ignore_conflicts=True)
    assert not ContactHandle.objects.exists()
