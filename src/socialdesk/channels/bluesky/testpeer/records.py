"""Records, constants and small helpers of the fake Bluesky server (see `testpeer/__init__.py`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

JsonDict = dict[str, Any]

POST: Final = "app.bsky.feed.post"
LIKE: Final = "app.bsky.feed.like"
REPOST: Final = "app.bsky.feed.repost"
FOLLOW: Final = "app.bsky.graph.follow"

ACCESS_SCOPE: Final = "com.atproto.access"
REFRESH_SCOPE: Final = "com.atproto.refresh"

FAULT_KINDS: Final = ("timeout", "drop_after_commit", "reset_after_commit")
"""Fault kinds besides ``"status:NNN"`` (any HTTP status, e.g. ``"status:502"``)."""

_S32: Final = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable alphabet of TIDs
_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_RKEY_RE: Final = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
_HANDLE_RE: Final = re.compile(
    r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$"
)
_AT_URI_RE: Final = re.compile(r"^at://([^/?#]+)/([^/?#]+)/([^/?#]+)$")
_URL_RE: Final = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_REPLY_NOTIF_DEPTH: Final = 5  # REPLY_NOTIF_DEPTH of the AppView's post indexer
_MAX_POST_GRAPHEMES: Final = 300
_MAX_POST_BYTES: Final = 3000

# Body of a faulted response by status; other statuses use the HTTP reason phrase.
_STATUS_ERRORS: Final[dict[int, tuple[str, str]]] = {
    429: ("RateLimitExceeded", "Rate Limit Exceeded"),
    500: ("InternalServerError", "Internal Server Error"),
    502: ("UpstreamFailure", "Upstream Failure"),
    503: ("NotEnoughResources", "Service Unavailable"),
    504: ("UpstreamTimeout", "Upstream Timeout"),
}


class XrpcError(Exception):
    """An XRPC error response: HTTP status plus the ``{"error", "message"}`` body."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message


def _invalid(message: str, error: str = "InvalidRequest") -> XrpcError:
    return XrpcError(400, error, message)


class LoggedRequest(NamedTuple):
    """One served XRPC call. ``status`` is 0 when the connection was dropped without a response."""

    method: str
    nsid: str
    status: int


@dataclass
class _Account:
    did: str
    handle: str
    password: str
    display_name: str
    description: str | None
    email: str | None
    avatar_cid: str | None
    created_at: str
    seen_at: str | None = None


@dataclass
class _Record:
    did: str
    collection: str
    rkey: str
    cid: str
    value: JsonDict
    indexed_at: str

    @property
    def uri(self) -> str:
        return f"at://{self.did}/{self.collection}/{self.rkey}"


@dataclass
class _Notification:
    seq: int
    recipient: str
    author: str
    reason: str
    uri: str
    cid: str
    record: JsonDict
    indexed_at: str
    reason_subject: str | None


@dataclass
class _Fault:
    nsid: str
    kind: str
    remaining: int
    delay: float


@dataclass
class _RefreshState:
    did: str
    used_at: float | None = None
    revoked: bool = False


@dataclass
class _Call:
    nsid: str
    params: dict[str, list[str]]
    body: JsonDict
    viewer: str | None
    claims: JsonDict | None
    data: bytes = b""  # the raw body of a route that takes bytes (uploadBlob)
    content_type: str = ""


@dataclass(frozen=True)
class _Route:
    method: str
    auth: str  # "none", "optional", "access" or "refresh"
    handler: Callable[[_Call], JsonDict | None]
    raw: bool = False  # the body is bytes, not a JSON object


@dataclass
class _Blob:
    cid: str
    mime: str
    data: bytes

    @property
    def ref(self) -> JsonDict:
        """The blob as records refer to it (and as uploadBlob answers)."""
        return {"$type": "blob", "ref": {"$link": self.cid}, "mimeType": self.mime,
                "size": len(self.data)}  # fmt: skip


# --------------------------------------------------------------------------- small helpers


def _iso(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _jwt_encode(header: JsonDict, claims: JsonDict, secret: bytes) -> str:
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _jwt_decode(token: str, secret: bytes) -> JsonDict | None:
    """Return the claims of an HS256 JWT signed with ``secret``, or None when it does not verify."""
    try:
        signing_input, signature = token.rsplit(".", 1)
        header_b64, claims_b64 = signing_input.split(".")
        expected = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            return None
        header = json.loads(_b64url_decode(header_b64))
        claims = json.loads(_b64url_decode(claims_b64))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    return claims


def did_for_handle(handle: str) -> str:
    """The did:plc the fake gives ``handle``: 24 base32 characters of its SHA-256."""
    digest = hashlib.sha256(handle.lower().encode()).digest()
    return "did:plc:" + base64.b32encode(digest).decode("ascii").lower()[:24]


def make_cid(value: object) -> str:
    """A CIDv1 (dag-cbor, sha2-256) string over the canonical JSON of ``value``: ``bafyrei…``."""
    data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    raw = b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def make_blob_cid(data: bytes) -> str:
    """The CID of a blob as the PDS makes it: CIDv1, raw codec, sha2-256 (``bafkrei…``)."""
    raw = b"\x01\x55\x12\x20" + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def make_tid(micros: int, clock_id: int = 0) -> str:
    """A TID: 53 bits of microseconds and a 10-bit clock id in 13 base32-sortable characters."""
    number = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    return "".join(_S32[(number >> (5 * i)) & 31] for i in reversed(range(13)))


def grapheme_length(text: str) -> int:
    """Approximate user-perceived characters (combining marks, ZWJ sequences, flags count once)."""
    count = 0
    after_zwj = False
    open_flag = False
    for char in text:
        point = ord(char)
        extends = (
            unicodedata.category(char) in ("Mn", "Me", "Mc")
            or point == 0x200D
            or 0xFE00 <= point <= 0xFE0F
            or 0x1F3FB <= point <= 0x1F3FF
            or 0xE0020 <= point <= 0xE007F
        )
        if extends:
            after_zwj = point == 0x200D
            continue
        if after_zwj:
            after_zwj = False
            continue
        if 0x1F1E6 <= point <= 0x1F1FF:
            open_flag = not open_flag
            if not open_flag:
                continue
        else:
            open_flag = False
        count += 1
    return count


def _png_pixel(rgb: bytes) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" + rgb))
        + chunk(b"IEND", b"")
    )


def _parse_at_uri(uri: str) -> tuple[str, str, str] | None:
    match = _AT_URI_RE.match(uri)
    return (match[1], match[2], match[3]) if match else None


def _strong_ref_uri(value: object) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("uri"), str):
        return str(value["uri"])
    return None


def _reply_parent_uri(record: JsonDict) -> str | None:
    reply = record.get("reply")
    return _strong_ref_uri(reply.get("parent")) if isinstance(reply, dict) else None


def _quoted_uri(record: JsonDict) -> str | None:
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("record")
        if not isinstance(embed, dict):
            return None
    if embed.get("$type") == "app.bsky.embed.record":
        return _strong_ref_uri(embed.get("record"))
    return None


def _mentioned_dids(record: JsonDict) -> list[str]:
    dids: list[str] = []
    for facet in record.get("facets") or []:
        features = facet.get("features") if isinstance(facet, dict) else None
        for feature in features or []:
            if (
                isinstance(feature, dict)
                and feature.get("$type") == "app.bsky.richtext.facet#mention"
                and isinstance(feature.get("did"), str)
            ):
                dids.append(feature["did"])
    return dids


def _field(body: JsonDict, name: str) -> str:
    value = body.get(name)
    if value is None:
        raise _invalid(f'Input must have the property "{name}"')
    if not isinstance(value, str):
        raise _invalid(f"Input/{name} must be a string")
    return value


def _param(call: _Call, name: str) -> str:
    values = call.params.get(name)
    if not values or values[0] == "":
        raise _invalid(f'Error: Params must have the property "{name}"')
    return values[0]


def _int_param(call: _Call, name: str, default: int, low: int, high: int) -> int:
    values = call.params.get(name)
    if not values:
        return default
    try:
        number = int(values[0])
    except ValueError:
        raise _invalid(f"Error: {name} must be an integer") from None
    if number > high:
        raise _invalid(f"Error: {name} can not be greater than {high}")
    if number < low:
        raise _invalid(f"Error: {name} can not be less than {low}")
    return number


def _bool_param(call: _Call, name: str) -> bool:
    values = call.params.get(name)
    if not values:
        return False
    if values[0] not in ("true", "false"):
        raise _invalid(f"Error: {name} must be a boolean")
    return values[0] == "true"
