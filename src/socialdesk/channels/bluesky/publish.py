"""Publishing posts on Bluesky: each part with the record key fixed before the first attempt
(`Outgoing.key`, a TID), so a retry can only find the same record, never make a second one;
a thread's later parts reply to the one before, with the first as root.

A post holds one embed. Images (at most 4, each at most 1,000,000 bytes: the limits of
`app.bsky.embed.images`, checked before anything is sent) are uploaded as blobs
(`com.atproto.repo.uploadBlob`) and embedded with their alt text and aspect ratio. Without
images, a link card (`Outgoing.link_card`) becomes an `app.bsky.embed.external`: `uri` (or
`url`), `title`, `description`, and optionally `thumb` (the image, base64) with `thumb_mime`
(or `mime`); the thumb is uploaded as a blob, and left out when it is not an image of at most
1,000,000 bytes (the card still shows). Facets mark @mentions and links (UTF-8 byte offsets).
Bluesky has no free-text content warning and no visibility: `content_warning` and
`visibility` are Mastodon's and are not sent here.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

from atproto import Client, models
from atproto_client.models.utils import get_response_model

from socialdesk.channels.base import (
    ChannelError,
    Outgoing,
    OutgoingMedia,
    PermanentError,
    RateLimited,
    Sent,
    checked_sent,
)
from socialdesk.channels.bluesky.client import call, web_url, with_session
from socialdesk.channels.bluesky.replies import POST, facets
from socialdesk.channels.models import ChannelAccount

MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
IMAGES = "app.bsky.embed.images"
EXTERNAL = "app.bsky.embed.external"


def _ref(sent: dict[str, Any]) -> dict[str, str]:
    return {"uri": str(sent["uri"]), "cid": str(sent["cid"])}


def check_media(outgoing: Outgoing) -> None:
    """Refuse what Bluesky would refuse, before anything is uploaded."""
    if len(outgoing.media) > MAX_IMAGES:
        raise PermanentError(
            f"Bluesky takes at most {MAX_IMAGES} images per post; this part has "
            f"{len(outgoing.media)}",
            code="refused",
        )
    for number, media in enumerate(outgoing.media, start=1):
        if len(media.content) > MAX_IMAGE_BYTES:
            raise PermanentError(
                f"image {number} has {len(media.content):,} bytes; Bluesky takes images of at "
                f"most {MAX_IMAGE_BYTES:,} bytes",
                code="refused",
            )


def upload(client: Client, data: bytes, mime: str) -> dict[str, Any]:
    """Upload a blob; return its reference as records hold it.

    Through `invoke_procedure` with the bytes as `content` (the SDK's `upload_blob` hands them
    to httpx as `data`, which httpx deprecates) and the image's own type as Content-Type."""

    def send() -> dict[str, Any]:
        response = client.invoke_procedure(
            "com.atproto.repo.uploadBlob", content=data, headers={"Content-Type": mime}
        )
        answer = get_response_model(response, models.ComAtprotoRepoUploadBlob.Response)
        ref: dict[str, Any] = answer.blob.model_dump(mode="json", by_alias=True)
        return ref

    return call(send)


def aspect_ratio(media: OutgoingMedia) -> dict[str, int] | None:
    """Width and height as the app lays the image out (read from the image when not given)."""
    width, height = media.width, media.height
    if width < 1 or height < 1:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(media.content)) as opened:
                width, height = opened.size
        except (UnidentifiedImageError, OSError, ValueError):
            return None
    return {"width": width, "height": height} if width >= 1 and height >= 1 else None


def images_embed(client: Client, outgoing: Outgoing) -> dict[str, Any]:
    images = []
    for number, media in enumerate(outgoing.media, start=1):
        try:
            blob = upload(client, media.content, media.mime)
        except PermanentError as error:
            if error.code == "credentials":
                raise
            raise PermanentError(
                f"Bluesky refused image {number} ({media.mime}, {len(media.content):,} bytes): "
                f"{_detail(error)}",
                code="refused",
            ) from None
        image: dict[str, Any] = {"alt": media.alt_text, "image": blob}
        ratio = aspect_ratio(media)
        if ratio:
            image["aspectRatio"] = ratio
        images.append(image)
    return {"$type": IMAGES, "images": images}


def _thumb(card: dict[str, Any]) -> tuple[bytes, str] | None:
    encoded, mime = card.get("thumb"), str(card.get("thumb_mime") or card.get("mime") or "")
    if not isinstance(encoded, str) or not encoded or not mime.startswith("image/"):
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return (data, mime) if 0 < len(data) <= MAX_IMAGE_BYTES else None


def external_embed(client: Client, card: dict[str, Any]) -> dict[str, Any] | None:
    uri = str(card.get("uri") or card.get("url") or "")
    if not uri.startswith(("https://", "http://")):
        return None
    external: dict[str, Any] = {
        "uri": uri,
        "title": str(card.get("title") or ""),
        "description": str(card.get("description") or ""),
    }
    thumb = _thumb(card)
    if thumb is not None:
        external["thumb"] = upload(client, *thumb)
    return {"$type": EXTERNAL, "external": external}


def record(client: Client, outgoing: Outgoing) -> dict[str, Any]:
    """The post record as written to the repository (its blobs uploaded first)."""
    created = outgoing.created_at.isoformat().replace("+00:00", "Z")
    out: dict[str, Any] = {"$type": POST, "text": outgoing.text, "createdAt": created}
    found = facets(client, outgoing.text)
    if found:
        out["facets"] = found
    if outgoing.language:
        out["langs"] = [outgoing.language]
    if outgoing.reply_to:
        root = outgoing.root or outgoing.reply_to
        out["reply"] = {"root": _ref(root), "parent": _ref(outgoing.reply_to)}
    if outgoing.media:
        out["embed"] = images_embed(client, outgoing)
    elif outgoing.link_card:
        card = external_embed(client, outgoing.link_card)
        if card is not None:
            out["embed"] = card
    return out


def _detail(error: BaseException) -> str:
    """Bluesky's own words from `call`'s message: "… (400 InvalidRequest: …)"."""
    text = str(error)
    start, end = text.find("("), text.rfind(")")
    return text[start + 1 : end] if 0 <= start < end else text


def _sent(account: ChannelAccount, uri: str, cid: str) -> Sent:
    sent = Sent(external_id=uri, url=web_url(account.handle, uri), meta={"uri": uri, "cid": cid})
    return checked_sent(sent, "Bluesky")


def publish_with(account: ChannelAccount, client: Client, outgoing: Outgoing) -> Sent:
    check_media(outgoing)
    did = str(account.credentials.get("did", ""))
    data = models.ComAtprotoRepoCreateRecord.Data(
        repo=did, collection=POST, rkey=outgoing.key, record=record(client, outgoing), validate=True
    )
    try:
        created = call(client.com.atproto.repo.create_record, data)
    except RateLimited:
        raise
    except ChannelError as error:
        # The key may exist: an earlier attempt did arrive (the PDS answers a second create
        # with the same key with a 500, some with a 400). Read it back instead.
        try:
            existing = find_with(account, client, outgoing)
        except ChannelError:
            raise error from None
        if existing is not None:
            return existing
        if isinstance(error, PermanentError) and not error.code:
            reason = f"Bluesky refused the post: {_detail(error)}"
            raise PermanentError(reason, code="refused") from None
        raise
    return _sent(account, str(created.uri), str(created.cid))


def find_with(account: ChannelAccount, client: Client, outgoing: Outgoing) -> Sent | None:
    did = str(account.credentials.get("did", ""))
    params = models.ComAtprotoRepoGetRecord.Params(repo=did, collection=POST, rkey=outgoing.key)
    try:
        found = call(client.com.atproto.repo.get_record, params)
    except PermanentError as error:
        if "RecordNotFound" in str(error) or "not found" in str(error).lower():
            return None
        raise
    return _sent(account, str(found.uri), str(found.cid or ""))


def publish(account: ChannelAccount, outgoing: Outgoing) -> Sent:
    return with_session(account, lambda client: publish_with(account, client, outgoing))


def find_published(account: ChannelAccount, outgoing: Outgoing) -> Sent | None:
    return with_session(account, lambda client: find_with(account, client, outgoing))
