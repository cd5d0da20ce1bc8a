"""Publishing a post's parts to Bluesky through the real atproto SDK against the local peer:
images as blobs with alt text and aspect ratio, link cards, languages, facets, threads, the
record key that keeps a part once, and the errors the worker must tell apart."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from socialdesk.channels import base
from socialdesk.channels.base import Outgoing, OutgoingMedia, Sent
from socialdesk.channels.bluesky import publish as bluesky_publish
from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing.services import new_key
from tests.test_bluesky import COMPANY, PASSWORD, POLICY, _connect

Peer = FakeBluesky


@pytest.fixture
def bluesky(settings: Any, db: None) -> Iterator[FakeBluesky]:
    """The local peer with the company's account and one customer (as tests/test_bluesky.py)."""
    settings.FEED_ADDRESS_POLICY = POLICY
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    with FakeBluesky() as server:
        server.create_account(COMPANY, PASSWORD, display_name="Nordlicht Bahn")
        server.create_account("kim.test", "kim-pass")
        yield server
        assert server.handler_errors == []


def image(size: tuple[int, int] = (80, 60), colour: str = "navy", kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()


def part(text: str, *, reply_to: Sent | None = None, root: Sent | None = None,
         **fields: Any) -> Outgoing:  # fmt: skip
    def ref(sent: Sent | None) -> dict[str, Any] | None:
        return {"external_id": sent.external_id, **(sent.meta or {})} if sent else None

    return Outgoing(key=new_key(), text=text, created_at=timezone.now(), reply_to=ref(reply_to),
                    root=ref(root), **fields)  # fmt: skip


def stored(peer: Peer) -> list[dict[str, Any]]:
    return [r["value"] for r in peer.records(COMPANY)]


def plain(value: dict[str, Any]) -> dict[str, Any]:
    """An object without the `$type` the SDK adds to nested objects."""
    return {k: v for k, v in value.items() if k != "$type"}


def uploads(peer: Peer) -> int:
    return sum(1 for r in peer.request_log if r.nsid == "com.atproto.repo.uploadBlob")


def test_images_go_out_as_blobs_with_alt_text_aspect_ratio_language_and_facets(
    bluesky: Peer,
) -> None:
    account = _connect(bluesky)
    first, second = image((80, 60)), image((30, 90), "red", "JPEG")
    media = (
        OutgoingMedia(first, "image/png", "Stellwerk bei Nacht", 80, 60),
        OutgoingMedia(second, "image/jpeg", "Weiche im Schnee"),  # size read from the image
    )
    text = "Nachtschicht mit @kim.test – mehr: https://example.org/stellwerk"
    sent = bluesky_publish.publish(account, part(text, media=media, language="de"))
    (post,) = stored(bluesky)
    assert post["langs"] == ["de"]
    embed = post["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["Stellwerk bei Nacht", "Weiche im Schnee"]
    assert [plain(i["aspectRatio"]) for i in embed["images"]] == [
        {"width": 80, "height": 60}, {"width": 30, "height": 90},
    ]  # fmt: skip
    blobs = [bluesky.blob(COMPANY, i["image"]["ref"]["$link"]) for i in embed["images"]]
    assert blobs == [(first, "image/png"), (second, "image/jpeg")]
    kinds = sorted(f["features"][0]["$type"].rsplit("#")[1] for f in post["facets"])
    assert kinds == ["link", "mention"]
    assert sent.external_id.endswith(sent.url.rsplit("/", 1)[1])  # the record key in the link


def test_more_than_four_images_are_refused_before_anything_is_sent(bluesky: Peer) -> None:
    account = _connect(bluesky)
    five = tuple(OutgoingMedia(image(), "image/png", f"Bild {n}") for n in range(5))
    with pytest.raises(base.PermanentError) as caught:
        bluesky_publish.publish(account, part("Fünf Bilder", media=five))
    assert str(caught.value) == "Bluesky takes at most 4 images per post; this part has 5"
    assert caught.value.code == "refused"
    assert (uploads(bluesky), stored(bluesky)) == (0, [])


def test_an_image_above_a_million_bytes_is_refused_before_anything_is_sent(bluesky: Peer) -> None:
    account = _connect(bluesky)
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_000
    photos = (OutgoingMedia(image(), "image/png", "klein"), OutgoingMedia(big, "image/png", "groß"))
    with pytest.raises(base.PermanentError) as caught:
        bluesky_publish.publish(account, part("Zu groß", media=photos))
    assert str(caught.value) == (
        "image 2 has 1,000,008 bytes; Bluesky takes images of at most 1,000,000 bytes"
    )
    assert (uploads(bluesky), stored(bluesky)) == (0, [])


def test_the_peer_refuses_a_too_large_image_as_bluesky_does(
    bluesky: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky_publish, "MAX_IMAGE_BYTES", 2_000_000)  # our check out of the way
    account = _connect(bluesky)
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_200_000
    with pytest.raises(base.PermanentError) as caught:
        bluesky_publish.publish(
            account, part("Zu groß", media=(OutgoingMedia(big, "image/png", "x"),))
        )
    assert caught.value.code == "refused"
    assert "Bluesky refused the post: 400 BlobTooLarge: This file is too large." in str(
        caught.value
    )
    assert stored(bluesky) == []


def test_a_link_card_becomes_an_external_embed_with_its_thumb(bluesky: Peer) -> None:
    account = _connect(bluesky)
    thumb = image((120, 63))
    card = {"uri": "https://example.org/fahrplan", "title": "Neuer Fahrplan",
            "description": "Ab Sonntag gilt …", "thumb": base64.b64encode(thumb).decode(),
            "thumb_mime": "image/png"}  # fmt: skip
    bluesky_publish.publish(account, part("Der neue Fahrplan", link_card=card))
    (post,) = stored(bluesky)
    external = post["embed"]["external"]
    assert post["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"], external["description"]) == (
        "https://example.org/fahrplan", "Neuer Fahrplan", "Ab Sonntag gilt …",
    )  # fmt: skip
    assert bluesky.blob(COMPANY, external["thumb"]["ref"]["$link"]) == (thumb, "image/png")


def test_a_card_whose_thumb_cannot_be_used_goes_out_without_it(bluesky: Peer) -> None:
    account = _connect(bluesky)
    too_big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_000).decode()
    for thumb in (too_big, "not base64!", ""):
        card = {"url": "https://example.org/a", "title": "A", "thumb": thumb, "mime": "image/png"}
        bluesky_publish.publish(account, part("Karte", link_card=card))
    cards = [plain(p["embed"]["external"]) for p in stored(bluesky)]
    assert cards == [{"uri": "https://example.org/a", "title": "A", "description": ""}] * 3
    assert uploads(bluesky) == 0


def test_images_take_the_place_of_a_link_card(bluesky: Peer) -> None:
    account = _connect(bluesky)
    card = {"uri": "https://example.org/a", "title": "A", "description": ""}
    photo = OutgoingMedia(image(), "image/png", "Bild")
    bluesky_publish.publish(account, part("Bild statt Karte", media=(photo,), link_card=card))
    (post,) = stored(bluesky)
    assert post["embed"]["$type"] == "app.bsky.embed.images"


def test_a_thread_replies_in_order_with_the_first_part_as_root(bluesky: Peer) -> None:
    account = _connect(bluesky)
    first = part("Teil 1")
    sent_first = bluesky_publish.publish(account, first)
    second = part("Teil 2", reply_to=sent_first, root=sent_first)
    sent_second = bluesky_publish.publish(account, second)
    third = part("Teil 3", reply_to=sent_second, root=sent_first)
    sent_third = bluesky_publish.publish(account, third)
    posts = {p["text"]: p for p in stored(bluesky)}
    assert "reply" not in posts["Teil 1"]
    assert posts["Teil 2"]["reply"]["parent"]["uri"] == sent_first.external_id
    assert posts["Teil 3"]["reply"]["parent"]["uri"] == sent_second.external_id
    assert posts["Teil 3"]["reply"]["root"]["uri"] == sent_first.external_id
    for outgoing, sent in ((first, sent_first), (second, sent_second), (third, sent_third)):
        found = bluesky_publish.find_published(account, outgoing)
        assert found is not None and found.external_id == sent.external_id
    assert bluesky_publish.find_published(account, part("Teil 4")) is None


def test_a_second_publish_with_the_same_key_reads_the_record_back(bluesky: Peer) -> None:
    account = _connect(bluesky)
    outgoing = part("Einmal", media=(OutgoingMedia(image(), "image/png", "Bild"),))
    sent = bluesky_publish.publish(account, outgoing)
    again = bluesky_publish.publish(account, outgoing)  # the PDS answers the same key with a 500
    assert (again.external_id, again.meta) == (sent.external_id, sent.meta)
    assert len(stored(bluesky)) == 1


def test_a_post_that_arrived_although_the_answer_was_lost_is_read_back(bluesky: Peer) -> None:
    account = _connect(bluesky)
    bluesky.fault("com.atproto.repo.createRecord", "drop_after_commit")
    sent = bluesky_publish.publish(account, part("Angekommen"))
    assert [p["text"] for p in stored(bluesky)] == ["Angekommen"]
    assert sent.external_id == bluesky.records(COMPANY)[0]["uri"]


def test_a_post_too_long_for_bluesky_is_refused_for_good(bluesky: Peer) -> None:
    account = _connect(bluesky)
    with pytest.raises(base.PermanentError) as caught:
        bluesky_publish.publish(account, part("ä" * 301))
    assert caught.value.code == "refused"
    assert str(caught.value) == (
        "Bluesky refused the post: 400 InvalidRequest: Invalid app.bsky.feed.post record: "
        "Record/text must not be longer than 300 graphemes"
    )
    assert stored(bluesky) == []


def test_server_errors_are_tried_again_and_a_rate_limit_waits(bluesky: Peer) -> None:
    account = _connect(bluesky)
    bluesky.fault("com.atproto.repo.createRecord", "status:502")
    with pytest.raises(base.ChannelError) as caught:
        bluesky_publish.publish(account, part("Später"))
    assert not isinstance(caught.value, base.PermanentError)
    bluesky.fault("com.atproto.repo.uploadBlob", "status:503")
    with pytest.raises(base.ChannelError) as caught:
        bluesky_publish.publish(
            account, part("Bild", media=(OutgoingMedia(image(), "image/png", "x"),))
        )
    assert not isinstance(caught.value, base.PermanentError)
    bluesky.fault("com.atproto.repo.createRecord", "status:429", delay=600)
    with pytest.raises(base.RateLimited) as limited:
        bluesky_publish.publish(account, part("Später"))
    assert limited.value.retry_at is not None
    assert limited.value.retry_at > timezone.now() + timedelta(minutes=9)
    assert stored(bluesky) == []


def test_publish_needs_the_accounts_credentials(bluesky: Peer) -> None:
    account = _connect(bluesky)
    credentials = account.credentials
    credentials.pop("session")
    credentials["app_password"] = "wrong"
    account.set_credentials(credentials)
    ChannelAccount.objects.filter(pk=account.pk).update(
        credentials_encrypted=account.credentials_encrypted
    )
    account.refresh_from_db()
    with pytest.raises(base.PermanentError) as caught:
        bluesky_publish.publish(account, part("Hallo"))
    assert caught.value.code == "credentials"
