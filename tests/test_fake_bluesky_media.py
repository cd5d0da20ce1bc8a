"""The fake Bluesky server's blobs, image and link-card embeds and public counts, driven by the
real atproto client (and plain HTTP where the exact JSON matters)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from atproto import Client  # type: ignore[import-untyped, unused-ignore]
from atproto_client.exceptions import BadRequestError  # type: ignore[import-untyped, unused-ignore]
from PIL import Image

from socialdesk.channels.bluesky.testpeer import FakeBluesky
from socialdesk.channels.bluesky.testpeer.media import pretty_bytes
from tests.test_fake_bluesky import BRAND, CUSTOMER, PASSWORD, error_of, login

POST = "app.bsky.feed.post"


@pytest.fixture
def server() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        fake.create_account(BRAND, PASSWORD, display_name="Brand")
        fake.create_account(CUSTOMER, "customer-password")
        yield fake
        assert fake.handler_errors == []


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "PNG")
    return out.getvalue()


def upload(server: FakeBluesky, client: Client, data: bytes, mime: str = "*/*") -> Any:
    headers = {**client.request.get_headers(), "Content-Type": mime}
    response = httpx.post(
        f"{server.url}/xrpc/com.atproto.repo.uploadBlob", content=data, headers=headers
    )
    return response.status_code, response.json()


def create(client: Client, record: dict[str, Any]) -> Any:
    data = {"repo": client.me.did, "collection": POST, "record": record}
    return client.com.atproto.repo.create_record(data)


def post(text: str, embed: dict[str, Any] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": "2026-11-30T08:00:00Z"}
    if embed is not None:
        record["embed"] = embed
    return record


def images(*refs: Any, alt: str = "Bahnsteig") -> dict[str, Any]:
    return {
        "$type": "app.bsky.embed.images",
        "images": [{"alt": alt, "image": ref, "aspectRatio": {"width": 4, "height": 3}}
                   for ref in refs],
    }  # fmt: skip


def test_an_upload_answers_the_real_blob_shape_and_keeps_the_bytes(server: FakeBluesky) -> None:
    client = login(server)
    data = png()
    status, body = upload(server, client, data)
    assert status == 200
    blob = body["blob"]
    assert set(blob) == {"$type", "ref", "mimeType", "size"}
    assert (blob["$type"], blob["mimeType"], blob["size"]) == ("blob", "image/png", len(data))
    assert blob["ref"]["$link"].startswith("bafkrei")  # raw codec, sha2-256, as the PDS
    assert server.blob(BRAND, blob["ref"]["$link"]) == (data, "image/png")
    through_sdk = client.upload_blob(data).blob  # the SDK reads it as its BlobRef
    assert (through_sdk.ref.link, through_sdk.size) == (blob["ref"]["$link"], len(data))
    _status, named = upload(server, client, b"no magic here", "text/plain")
    assert named["blob"]["mimeType"] == "text/plain"  # nothing to sniff: the named type


def test_a_post_keeps_its_images_and_shows_them_as_the_app_view_does(server: FakeBluesky) -> None:
    client = login(server)
    _status, body = upload(server, client, png())
    created = create(client, post("Neu am Bahnsteig", images(body["blob"], body["blob"])))
    stored = server.records(BRAND)[0]["value"]["embed"]
    assert [i["image"]["ref"]["$link"] for i in stored["images"]] == [
        body["blob"]["ref"]["$link"]
    ] * 2
    (view,) = client.app.bsky.feed.get_posts({"uris": [created.uri]}).posts
    assert view.embed.py_type == "app.bsky.embed.images#view"
    shown = view.embed.images[0]
    assert shown.alt == "Bahnsteig"
    assert (shown.aspect_ratio.width, shown.aspect_ratio.height) == (4, 3)
    assert shown.thumb.startswith(f"{server.url}/img/feed_thumbnail/plain/{client.me.did}/")
    assert shown.fullsize.endswith(f"/{body['blob']['ref']['$link']}@jpeg")


def test_an_image_above_a_million_bytes_is_refused_when_a_post_refers_to_it(
    server: FakeBluesky,
) -> None:
    client = login(server)
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_199_992  # 1,200,000 bytes
    exact = b"\x89PNG\r\n\x1a\n" + b"\1" * 999_992  # 1,000,000 bytes
    status, body = upload(server, client, big)
    assert status == 200  # the upload is fine: the lexicon's limit applies to the reference
    with pytest.raises(BadRequestError) as caught:
        create(client, post("Zu groß", images(body["blob"])))
    error = error_of(caught)
    assert error.error == "BlobTooLarge"
    assert error.message == (
        "This file is too large. It is 1.14MB but the maximum size is 976.56KB."
    )
    _status, fits = upload(server, client, exact)
    create(client, post("Passt", images(fits["blob"])))
    assert [r["value"]["text"] for r in server.records(BRAND)] == ["Passt"]


def test_the_lexicon_and_the_blob_store_are_checked_as_by_the_pds(server: FakeBluesky) -> None:
    client = login(server)
    _status, body = upload(server, client, png())
    cases: list[tuple[dict[str, Any], str, str]] = [
        (images(*[body["blob"]] * 5), "InvalidRequest", "must not have more than 4 elements"),
        ({"$type": "app.bsky.embed.images", "images": [{"image": body["blob"]}]},
         "InvalidRequest", 'Record/embed/images/0 must have the property "alt"'),
        (images({"$type": "blob", "ref": {"$link": "bafkreiunknown"}, "mimeType": "image/png",
                 "size": 3}), "BlobNotFound", "Could not find blob: bafkreiunknown"),
        (images({**body["blob"], "mimeType": "image/jpeg"}), "InvalidMimeType",
         "Referenced Mimetype does not match stored blob. Expected: image/png, Got: image/jpeg"),
        ({"$type": "app.bsky.embed.external", "external": {"uri": "https://example.org"}},
         "InvalidRequest", 'Record/embed/external must have the property "title"'),
    ]  # fmt: skip
    for embed, name, words in cases:
        with pytest.raises(BadRequestError) as caught:
            create(client, post("Mit Bild", embed))
        assert (error_of(caught).error, words in error_of(caught).message) == (name, True)
    with pytest.raises(BadRequestError) as caught:
        create(client, post("x" * 301))
    assert error_of(caught).message.endswith("Record/text must not be longer than 300 graphemes")
    # another account's upload is not this account's blob
    customer = Client(base_url=server.url)
    customer.login(CUSTOMER, "customer-password")
    with pytest.raises(BadRequestError) as caught:
        create(customer, post("Fremd", images(body["blob"])))
    assert error_of(caught).error == "BlobNotFound"
    assert server.records(BRAND) == [] and server.records(CUSTOMER) == []


def test_a_link_card_keeps_its_thumb(server: FakeBluesky) -> None:
    client = login(server)
    _status, body = upload(server, client, png())
    card = {"uri": "https://example.org/fahrplan", "title": "Fahrplan", "description": "Neu",
            "thumb": body["blob"]}  # fmt: skip
    created = create(client, post("Lesen!", {"$type": "app.bsky.embed.external", "external": card}))
    (view,) = client.app.bsky.feed.get_posts({"uris": [created.uri]}).posts
    assert view.embed.external.uri == "https://example.org/fahrplan"
    assert view.embed.external.title == "Fahrplan"
    assert view.embed.external.thumb.endswith(f"/{body['blob']['ref']['$link']}@jpeg")


def test_an_upload_above_the_pds_limit_is_refused(server: FakeBluesky) -> None:
    client = login(server)
    server.upload_limit = 1000
    status, body = upload(server, client, b"\0" * 1001)
    assert (status, body["error"]) == (413, "PayloadTooLarge")


def test_likes_reposts_replies_and_quotes_are_counted_on_our_posts(server: FakeBluesky) -> None:
    client = login(server)
    uri = client.send_post("Nachtschicht im Stellwerk").uri
    written = server.engage(uri, likes=3, reposts=2, replies=1, quotes=1)
    assert {kind: len(uris) for kind, uris in written.items()} == {
        "likes": 3, "reposts": 2, "replies": 1, "quotes": 1,
    }  # fmt: skip
    assert server.engage(uri, likes=2)["likes"] == []  # each account likes a post once
    (view,) = client.app.bsky.feed.get_posts({"uris": [uri]}).posts
    counts = (view.like_count, view.repost_count, view.reply_count, view.quote_count)
    assert counts == (3, 2, 1, 1)
    anonymous = httpx.get(f"{server.url}/xrpc/app.bsky.feed.getPosts", params={"uris": uri})
    shown = anonymous.json()["posts"][0]
    assert [shown[k] for k in ("likeCount", "repostCount", "replyCount", "quoteCount")] == [
        3, 2, 1, 1,
    ]  # fmt: skip
    reasons = sorted(n["reason"] for n in server.notifications(BRAND))
    assert reasons == ["like"] * 3 + ["quote", "reply"] + ["repost"] * 2


def test_sizes_are_written_as_the_pds_writes_them() -> None:
    assert [pretty_bytes(n) for n in (500, 1_000_000, 1_258_291, 3 * 1024 * 1024)] == [
        "500B", "976.56KB", "1.2MB", "3MB",
    ]  # fmt: skip
