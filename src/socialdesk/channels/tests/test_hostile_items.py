"""Hostile items on every live inbound path: what the database cannot hold never blocks the rest.

NUL bytes, 300-character authors and ids, 10,000-character names and JSON nested 100,000 levels
deep arrive through webhooks and connectors. Each item is stored (cleaned), or set aside with
its reason on the channel page; every other item, and every other channel, is stored.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from socialdesk.accounts.audit import Acting
from socialdesk.channels import base, services
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount, Network, SetAsideItem, WebhookDelivery
from socialdesk.channels.webhook.receiver import process_pending, signature
from socialdesk.inbox.importing import pipeline
from socialdesk.inbox.models import Contact, Message

SECRET = "hook-secret-for-tests"
BY = Acting(user=None, label="test")
LONG_AUTHOR = "a" * 300
LONG_ID = "9" * 300
HUGE_NAME = "N" * 10_000
ON_POSTGRESQL = connection.vendor == "postgresql"


def _hook(name: str) -> ChannelAccount:
    account, _secret = services.webhook_add(by=BY, name=name, secret=SECRET)
    return account


def _post_body(account: ChannelAccount, body: bytes) -> Any:
    return Client().post(
        f"/hooks/{account.pk}/", body, content_type="application/json",
        headers={"X-Hub-Signature-256": signature(SECRET, body)},
    )  # fmt: skip


def _post(account: ChannelAccount, payload: Any) -> Any:
    return _post_body(account, json.dumps(payload).encode())


def _item(external_id: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": external_id,
        "author": "kim",
        "text": f"Wo ist Paket {external_id}?",
        "created_at": "2026-03-02T08:00:00Z",
        **fields,
    }


def test_it_stores_every_valid_item_of_two_channels_and_sets_the_bad_ones_aside(
    db: None, client_as: Any
) -> None:
    shop, partner = _hook("Shop"), _hook("Partner")
    hostile = [
        _item("nul", text="Wo\x00 ist mein Paket?\ud800", author="ni\x00na"),
        _item("name", author="ole", author_name=HUGE_NAME),
        _item("long-author", author=LONG_AUTHOR, text="kaputt\x00" + "x" * 50_000),
        _item(LONG_ID),
    ]
    first = _post(shop, {"items": hostile[:2] + [_item(f"s{n}") for n in range(5)]})
    second = _post(shop, {"items": hostile[2:] + [_item(f"t{n}") for n in range(5)]})
    third = _post(partner, {"items": [_item(f"p{n}") for n in range(6)]})
    assert (first.status_code, second.status_code, third.status_code) == (202, 202, 202)
    assert first.json() == {"accepted": 7, "rejected": []}
    assert second.json() == {
        "accepted": 5,
        "rejected": [
            {"item": 0, "reason": "author is longer than 255 characters"},
            {"item": 1, "reason": "id is longer than 255 characters"},
        ],
    }

    assert process_pending() == 18  # 16 valid items and the two that were cleaned
    assert Message.objects.filter(channel_account=partner).count() == 6
    assert Message.objects.filter(channel_account=shop).count() == 12
    cleaned = Message.objects.get(external_id="nul")
    assert (cleaned.text, cleaned.author_handle) == ("Wo ist mein Paket?\ufffd", "nina")
    assert Contact.objects.get(messages__external_id="name").display_name == "N" * 200
    assert not WebhookDelivery.objects.filter(processed_at__isnull=True).exists()
    reasons = sorted(
        SetAsideItem.objects.filter(channel_account=shop).values_list("reason", flat=True)
    )
    assert reasons == ["author is longer than 255 characters", "id is longer than 255 characters"]
    kept = SetAsideItem.objects.get(external_id="long-author").raw
    assert (
        kept is not None and kept["author"] == LONG_AUTHOR and kept["text"].startswith("kaputtxxx")
    )
    page = client_as("admin").get("/settings/channels/").content.decode()
    assert "author is longer than 255 characters" in page
    assert "id is longer than 255 characters" in page
    # the long id is cut in the table (its start and the whole of it as a tooltip)
    assert f'title="{LONG_ID[:255]}">{LONG_ID[:39]}…</td>' in page


def _refuse(monkeypatch: pytest.MonkeyPatch, values: dict[str, dict[str, Any]]) -> None:
    """Let items through the normaliser unchanged, as if it missed what the database refuses."""

    def let_through(row: ImportRow) -> ImportRow:
        return dataclasses.replace(row, **values.get(row.external_id, {}))

    monkeypatch.setattr(pipeline, "normalise", let_through)


def test_an_item_the_database_refuses_is_set_aside_and_nothing_else_is_lost(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, partner = _hook("Shop"), _hook("Partner")
    _post(shop, {"items": [_item(f"s{n}") for n in range(8)] + [_item("poison")]})
    _post(partner, {"items": [_item(f"p{n}") for n in range(8)]})
    _refuse(monkeypatch, {"poison": {"created_at": None}})  # NOT NULL: refused by every database

    assert process_pending() == 16
    assert Message.objects.count() == 16
    refused = SetAsideItem.objects.get()
    assert refused.channel_account == shop and refused.external_id == "poison"
    assert refused.reason.startswith("the database refused the item:")
    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [(d.stored, d.duplicates) for d in deliveries] == [(8, 0), (8, 0)]
    assert all(d.processed_at for d in deliveries)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite stores NUL bytes and long values")
def test_on_postgresql_a_nul_or_a_long_author_the_normaliser_missed_blocks_nothing(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, partner = _hook("Shop"), _hook("Partner")
    _post(shop, {"items": [_item(f"s{n}") for n in range(8)] + [_item("nul"), _item("author")]})
    _post(partner, {"items": [_item(f"p{n}") for n in range(8)]})
    _refuse(monkeypatch, {"nul": {"text": "a\x00b"}, "author": {"author": LONG_AUTHOR}})

    assert process_pending() == 16
    assert set(SetAsideItem.objects.values_list("external_id", flat=True)) == {"nul", "author"}
    assert not WebhookDelivery.objects.filter(processed_at__isnull=True).exists()


def test_two_webhook_channels_each_keep_their_item_with_the_same_id(db: None) -> None:
    shop, partner = _hook("Shop"), _hook("Partner")
    _post(shop, {"items": [_item("1")]})
    _post(partner, {"items": [_item("1")]})
    assert process_pending() == 2
    assert Message.objects.filter(external_id="1").count() == 2
    assert [(d.stored, d.duplicates) for d in WebhookDelivery.objects.order_by("pk")] == [
        (1, 0),
        (1, 0),
    ]
    _post(partner, {"items": [_item("1")]})  # a real replay is still one
    assert process_pending() == 0
    last = WebhookDelivery.objects.order_by("pk").last()
    assert last is not None and last.duplicates == 1


def test_a_body_nested_100000_levels_deep_gets_400_and_nothing_is_kept(db: None) -> None:
    shop = _hook("Shop")
    body = b'{"items": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    response = _post_body(shop, body)
    assert response.status_code == 400
    assert response.json() == {"error": "the body is nested deeper than 64 levels"}
    nested = {"items": [_item("1", extra=json.loads("[" * 70 + "]" * 70))]}
    assert _post(shop, nested).status_code == 400
    assert not WebhookDelivery.objects.exists()
    fine = {"items": [_item("1", extra=json.loads("[" * 50 + "]" * 50))]}
    assert _post(shop, fine).status_code == 202


def test_numeric_ids_keep_every_digit_and_floats_beyond_2_53_are_refused(db: None) -> None:
    shop = _hook("Shop")
    body = (
        b'{"items": ['
        b'{"id": 1216382480015450116, "author": "kim", "text": {"order": [1, 2]},'
        b' "created_at": "2026-03-02T08:00:00Z"},'
        b'{"id": 1216382480015450117, "parent_id": 1.216382480015450116e18, "author": "kim",'
        b' "text": "and?", "created_at": "2026-03-02T09:00:00Z"},'
        b'{"id": 3.0, "author": "kim", "text": "x", "created_at": "2026-03-02T09:00:00Z"}'
        b"]}"
    )
    response = _post_body(shop, body)
    assert response.json() == {
        "accepted": 2,
        "rejected": [
            {
                "item": 1,
                "reason": "parent id 1.216382480015450116e18 is a floating-point number beyond "
                "2^53 and may have lost digits; write it as a string or integer",
            }
        ],
    }
    process_pending()
    assert set(Message.objects.values_list("external_id", "text")) == {
        ("1216382480015450116", '{"order": [1, 2]}'),
        ("3", "x"),
    }


def test_store_batch_sets_aside_unstorable_statuses_and_stores_the_rest(db: None) -> None:
    """Mastodon, Bluesky and RSS store through store_batch: one bad item never costs a page."""
    from socialdesk.channels.mastodon.connector import _rows

    def status(status_id: str, acct: str = "kim", **fields: Any) -> dict[str, Any]:
        return {"id": status_id, "account": {"id": "2", "acct": acct, **fields.pop("author", {})},
                "content": "<p>Hallo?</p>", "created_at": "2026-11-27T08:00:00.000Z",
                "visibility": "public", **fields}  # fmt: skip

    statuses = [
        status("1", content="<p>Wo\x00 bleibt der Zug?</p>", spoiler_text="a\x00"),
        status("2", author={"display_name": HUGE_NAME}),
        status("3", acct=LONG_AUTHOR),
        status(LONG_ID),
        status("5", url="https://example.social/@kim/\x005"),
    ]
    account = ChannelAccount.objects.create(network=Network.MASTODON, handle="co@example.social")
    rows = _rows(statuses, me="1", domain="example.social")
    assert base.store_batch(account, rows, {"notifications": "5"}) == 3
    stored = {m.external_id: m for m in Message.objects.all()}
    assert set(stored) == {"1", "2", "5"}
    assert "\x00" not in stored["1"].text and "\x00" not in json.dumps(stored["5"].meta)
    assert sorted(account.set_aside.values_list("reason", flat=True)) == [
        "author is longer than 255 characters",
        "id is longer than 255 characters",
    ]
    account.refresh_from_db()
    assert account.cursor == {"notifications": "5"}


def test_a_company_with_two_channels_of_one_network_keeps_both_items_with_one_id(db: None) -> None:
    first = ChannelAccount.objects.create(network=Network.MASTODON, handle="a@example.social")
    second = ChannelAccount.objects.create(network=Network.MASTODON, handle="b@example.social")
    from datetime import UTC, datetime

    row = ImportRow(external_id="7", author="kim", inbound=True, parent_id="", text="Hallo?",
                    created_at=datetime(2026, 3, 2, tzinfo=UTC))  # fmt: skip
    reply = dataclasses.replace(row, external_id="8", parent_id="7", text="Noch da?")
    assert base.store_batch(first, [row], {}) == 1
    assert base.store_batch(second, [row, reply], {}) == 2
    assert base.store_batch(second, [row], {}) == 0
    assert Message.objects.filter(external_id="7").count() == 2
    parent = Message.objects.get(external_id="8").parent
    assert parent is not None and parent.channel_account == second


def test_a_channel_whose_items_cannot_be_stored_waits_and_the_others_are_stored(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop, partner = _hook("Shop"), _hook("Partner")
    _post(shop, {"items": [_item("s1")]})
    _post(partner, {"items": [_item("p1")]})
    feed = pipeline.Importer.feed

    def broken_for_the_shop(importer: pipeline.Importer, label: str, parsed: Any) -> None:
        if importer.fixed_account == shop:
            raise RuntimeError("disk on fire")
        feed(importer, label, parsed)

    monkeypatch.setattr(pipeline.Importer, "feed", broken_for_the_shop)
    assert process_pending(limit=1) == 1
    assert list(Message.objects.values_list("external_id", flat=True)) == ["p1"]
    waiting = WebhookDelivery.objects.get(processed_at__isnull=True)
    assert waiting.channel_account == shop
    shop.refresh_from_db()
    assert "disk on fire" in shop.last_error
    monkeypatch.setattr(pipeline.Importer, "feed", feed)
    assert process_pending() == 1  # once the trouble is gone, nothing was lost
    shop.refresh_from_db()
    assert shop.last_error == ""
