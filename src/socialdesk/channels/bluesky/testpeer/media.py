"""Blobs and embeds of the fake Bluesky server: `com.atproto.repo.uploadBlob`, posts with
`app.bsky.embed.images` and `app.bsky.embed.external`, and how the AppView shows them.

As the reference PDS does (bluesky-social/atproto, packages/pds): an upload is stored under
its CID (raw codec, sha2-256) with the MIME type sniffed from its bytes, else the one the
client named; uploads above the PDS's limit (5 MiB by default) are refused. The limits of an
image are checked when a record refers to the blob (`verifyBlob` in the PDS's blob
transactor), after the lexicon's checks: a blob above the lexicon's `maxSize` of 1,000,000
bytes is a 400 `BlobTooLarge` ("This file is too large. It is 1.2MB but the maximum size is
976.56KB."), an unknown blob a 400 `BlobNotFound`, a wrong type a 400 `InvalidMimeType`.
"""

from __future__ import annotations

from typing import Any

from socialdesk.channels.bluesky.testpeer.records import (
    POST,
    JsonDict,
    XrpcError,
    _Blob,
    _Call,
    _invalid,
    _Record,
    make_blob_cid,
)
from socialdesk.channels.bluesky.testpeer.xrpc import _Xrpc

IMAGES = "app.bsky.embed.images"
EXTERNAL = "app.bsky.embed.external"
MAX_IMAGES = 4  # app.bsky.embed.images: images maxLength
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images#image and external thumb: maxSize
UPLOAD_LIMIT = 5 * 1024 * 1024  # the PDS's default blobUploadLimit
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes show (the PDS uses the `file-type` package), if any."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def pretty_bytes(size: int) -> str:
    """A size as the PDS writes it (the `bytes` npm package: 1024-based, 2 decimals, no zeros)."""
    value, unit = float(size), "B"
    for name, factor in (("PB", 1 << 50), ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20),
                         ("KB", 1 << 10)):  # fmt: skip
        if size >= factor:
            value, unit = size / factor, name
            break
    text = f"{value:.2f}".rstrip("0").rstrip(".") if unit != "B" else str(size)
    return f"{text}{unit}"


def _object(value: object, path: str) -> JsonDict:
    if not isinstance(value, dict):
        raise _invalid(f"{path} must be an object")
    return value


def _string(holder: JsonDict, name: str, path: str) -> str:
    value = holder.get(name)
    if value is None:
        raise _invalid(f'{path} must have the property "{name}"')
    if not isinstance(value, str):
        raise _invalid(f"{path}/{name} must be a string")
    return value


def _blob_ref(value: object, path: str) -> JsonDict:
    ref = value.get("ref") if isinstance(value, dict) else None
    if not (
        isinstance(value, dict)
        and value.get("$type") == "blob"
        and isinstance(ref, dict)
        and isinstance(ref.get("$link"), str)
        and isinstance(value.get("mimeType"), str)
        and isinstance(value.get("size"), int)
    ):
        raise _invalid(f"{path} should be a blob ref")
    return value


def _aspect_ratio(value: object, path: str) -> None:
    ratio = _object(value, path)
    for side in ("width", "height"):
        number = ratio.get(side)
        if number is None:
            raise _invalid(f'{path} must have the property "{side}"')
        if not isinstance(number, int) or isinstance(number, bool):
            raise _invalid(f"{path}/{side} must be an integer")
        if number < 1:
            raise _invalid(f"{path}/{side} can not be less than 1")


def embed_blobs(embed: object) -> list[tuple[JsonDict, str]]:
    """The blob refs of a (valid) embed with the path the PDS names them by."""
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == IMAGES:
        return [(image["image"], f"images/{n}/image") for n, image in enumerate(embed["images"])]
    if embed.get("$type") == EXTERNAL and isinstance(embed["external"].get("thumb"), dict):
        return [(embed["external"]["thumb"], "external/thumb")]
    return []


class _Media(_Xrpc):
    """uploadBlob, the lexicon of image and link-card embeds, and their views."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._blobs: dict[str, dict[str, _Blob]] = {}  # did -> cid -> blob
        self.upload_limit = UPLOAD_LIMIT

    # ------------------------------------------------------------------ endpoint

    def _upload_blob(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        if len(call.data) > self.upload_limit:
            raise XrpcError(413, "PayloadTooLarge", "request entity too large")
        named = call.content_type.split(";")[0].strip().lower()
        mime = sniff(call.data) or (named if named and named != "*/*" else None)
        blob = _Blob(make_blob_cid(call.data), mime or "application/octet-stream", call.data)
        self._blobs.setdefault(call.viewer, {})[blob.cid] = blob
        return {"blob": blob.ref}

    # ------------------------------------------------------------------ records

    def _validate(self, collection: str, record: JsonDict) -> None:
        super()._validate(collection, record)
        if collection == POST and record.get("embed") is not None:
            self._validate_embed(record["embed"], f"Invalid {collection} record: Record/embed")

    def _validate_embed(self, value: object, path: str) -> None:
        embed = _object(value, path)
        kind = embed.get("$type")
        if kind == IMAGES:
            images = embed.get("images")
            if images is None:
                raise _invalid(f'{path} must have the property "images"')
            if not isinstance(images, list):
                raise _invalid(f"{path}/images must be an array")
            if len(images) > MAX_IMAGES:
                raise _invalid(f"{path}/images must not have more than {MAX_IMAGES} elements")
            for number, item in enumerate(images):
                where = f"{path}/images/{number}"
                image = _object(item, where)
                if image.get("image") is None:
                    raise _invalid(f'{where} must have the property "image"')
                _blob_ref(image["image"], f"{where}/image")
                _string(image, "alt", where)
                if image.get("aspectRatio") is not None:
                    _aspect_ratio(image["aspectRatio"], f"{where}/aspectRatio")
        elif kind == EXTERNAL:
            if embed.get("external") is None:
                raise _invalid(f'{path} must have the property "external"')
            external = _object(embed["external"], f"{path}/external")
            for name in ("uri", "title", "description"):
                _string(external, name, f"{path}/external")
            if external.get("thumb") is not None:
                _blob_ref(external["thumb"], f"{path}/external/thumb")

    def _write(
        self, did: str, collection: str, value: JsonDict, *, rkey: str | None, validate: bool | None
    ) -> _Record:
        if collection == POST and validate is not False:
            value.setdefault("$type", collection)
            self._validate(collection, value)  # the lexicon first, then the blobs, as the PDS
            for ref, _path in embed_blobs(value.get("embed")):
                self._verify_blob(did, ref)
        return super()._write(did, collection, value, rkey=rkey, validate=validate)

    def _verify_blob(self, did: str, ref: JsonDict) -> None:
        cid = str(ref["ref"]["$link"])
        found = self._blobs.get(did, {}).get(cid)
        if found is None:
            raise _invalid(f"Could not find blob: {cid}", "BlobNotFound")
        if len(found.data) > MAX_IMAGE_BYTES:
            raise _invalid(
                f"This file is too large. It is {pretty_bytes(len(found.data))} but the maximum "
                f"size is {pretty_bytes(MAX_IMAGE_BYTES)}.",
                "BlobTooLarge",
            )
        if ref["mimeType"] != found.mime:
            raise _invalid(
                "Referenced Mimetype does not match stored blob. "
                f"Expected: {found.mime}, Got: {ref['mimeType']}",
                "InvalidMimeType",
            )
        if not found.mime.startswith("image/"):
            raise _invalid(
                f"Wrong type of file. It is {found.mime} but it must match image/*.",
                "InvalidMimeType",
            )

    # ------------------------------------------------------------------ views

    def _image_url(self, kind: str, did: str, ref: JsonDict) -> str:
        return f"{self.url}/img/{kind}/plain/{did}/{ref['ref']['$link']}@jpeg"

    def _post_view(self, record: _Record, viewer: str | None) -> JsonDict:
        view = super()._post_view(record, viewer)
        embed = record.value.get("embed")
        if isinstance(embed, dict) and embed.get("$type") == IMAGES:
            images = []
            for image in embed.get("images") or []:
                shown: JsonDict = {
                    "thumb": self._image_url("feed_thumbnail", record.did, image["image"]),
                    "fullsize": self._image_url("feed_fullsize", record.did, image["image"]),
                    "alt": image.get("alt", ""),
                }
                if isinstance(image.get("aspectRatio"), dict):
                    shown["aspectRatio"] = image["aspectRatio"]
                images.append(shown)
            view["embed"] = {"$type": f"{IMAGES}#view", "images": images}
        elif isinstance(embed, dict) and embed.get("$type") == EXTERNAL:
            external = embed.get("external") or {}
            thumb = external.get("thumb")
            if isinstance(thumb, dict) and isinstance(view.get("embed"), dict):
                shown_thumb = self._image_url("feed_thumbnail", record.did, thumb)
                view["embed"]["external"]["thumb"] = shown_thumb
        return view

    # ------------------------------------------------------------------ test controls

    def blob(self, did_or_handle: str, cid: str) -> tuple[bytes, str] | None:
        """The bytes and MIME type of a blob an account uploaded, or None."""
        with self._lock:
            did = self._account(did_or_handle).did
            found = self._blobs.get(did, {}).get(cid)
            return (found.data, found.mime) if found else None
