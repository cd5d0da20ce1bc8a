"""A small, stateful fake Bluesky PDS + AppView that speaks the real XRPC JSON shapes.

Standard library only. Start it, point the real ``atproto`` client at ``server.url`` and drive it::

    with FakeBluesky() as server:
        server.create_account("brand.test", "secret")
        client = Client(base_url=server.url)
        client.login("brand.test", "secret")

Where the real service's behaviour was looked up (bluesky-social/atproto, PDS and AppView), the
comment says so. Everything else is a deliberate simplification, also said where it matters.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import http.server
import io
import json
import math
import re
import secrets
import socket
import struct
import threading
import time
import traceback
import unicodedata
import urllib.parse
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any, Final, NamedTuple, Self

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


@dataclass(frozen=True)
class _Route:
    method: str
    auth: str  # "none", "optional", "access" or "refresh"
    handler: Callable[[_Call], JsonDict | None]


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


# --------------------------------------------------------------------------- HTTP plumbing


class _HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never join handler threads parked on idle keep-alive connections
    allow_reuse_address = True

    def __init__(self, fake: FakeBluesky) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def do_POST(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return


# --------------------------------------------------------------------------- the fake


class FakeBluesky:
    """Fake PDS + AppView on 127.0.0.1 (port chosen by the OS). Thread-safe; use as a context manager.

    Attributes you may set at any time: ``access_ttl_seconds`` (default 7200, as bsky.social),
    ``refresh_ttl_seconds`` (90 days), ``refresh_grace_seconds`` (how long a rotated refresh
    token keeps working, 7200 as on the real PDS), ``timeout_delay`` (default sleep of the
    ``"timeout"`` fault), ``include_did_doc`` (sessions carry a didDoc naming ``url`` as the PDS;
    the SDK then switches its base URL to it) and ``duplicate_create_error``.
    """

    # createRecord on an existing rkey. The reference PDS has no explicit check: createRecord
    # takes no swapRecord, so the MST insert throws a plain Error ("There is already a value at
    # key") which xrpc-server turns into 500 InternalServerError. We mirror that by default;
    # set this to e.g. (400, "InvalidRequest", "Record already exists") for a friendlier PDS.
    duplicate_create_error: tuple[int, str, str] = (
        500,
        "InternalServerError",
        "Internal Server Error",
    )

    def __init__(
        self,
        *,
        access_ttl_seconds: int = 7200,
        rate_limit: int = 3000,
        rate_window_seconds: float = 300.0,
    ) -> None:
        self.access_ttl_seconds = access_ttl_seconds
        self.refresh_ttl_seconds = 90 * 24 * 3600
        self.refresh_grace_seconds = 7200.0
        self.timeout_delay = 30.0
        self.include_did_doc = True
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._secret = secrets.token_bytes(32)
        self._clock_offset = 0.0
        self._last_tid_micros = 0
        self._clock_id = secrets.randbelow(1024)
        self._httpd: _HttpServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        # accounts and sessions
        self._accounts: dict[str, _Account] = {}
        self._handles: dict[str, str] = {}
        self._refresh_tokens: dict[str, _RefreshState] = {}
        self._login_count = 0
        self._refresh_count = 0
        # repositories and AppView indexes
        self._repos: dict[str, dict[str, dict[str, _Record]]] = {}
        self._by_uri: dict[str, _Record] = {}
        self._revs: dict[str, tuple[str, str]] = {}
        self._replies: dict[str, list[str]] = {}
        self._quotes: dict[str, set[str]] = {}
        self._likes: dict[str, dict[str, str]] = {}
        self._reposts: dict[str, dict[str, str]] = {}
        self._follows: dict[tuple[str, str], str] = {}
        self._notifications: list[_Notification] = []
        self._notification_seq = 0
        # operations
        self._rate_limit = rate_limit
        self._rate_window = rate_window_seconds
        self._buckets: dict[str, tuple[float, int]] = {}
        self._faults: list[_Fault] = []
        self._log: list[LoggedRequest] = []
        self._errors: list[Exception] = []
        self._routes: dict[str, _Route] = {
            "com.atproto.server.createSession": _Route("POST", "none", self._create_session),
            "com.atproto.server.refreshSession": _Route("POST", "refresh", self._refresh_session),
            "com.atproto.server.getSession": _Route("GET", "access", self._get_session),
            "com.atproto.server.deleteSession": _Route("POST", "refresh", self._delete_session),
            "com.atproto.identity.resolveHandle": _Route("GET", "none", self._resolve_handle),
            "app.bsky.actor.getProfile": _Route("GET", "optional", self._get_profile),
            "app.bsky.actor.getProfiles": _Route("GET", "optional", self._get_profiles),
            "app.bsky.notification.listNotifications": _Route(
                "GET", "access", self._list_notifications
            ),
            "app.bsky.notification.getUnreadCount": _Route("GET", "access", self._unread_count),
            "app.bsky.notification.updateSeen": _Route("POST", "access", self._update_seen),
            "com.atproto.repo.createRecord": _Route("POST", "access", self._create_record),
            "com.atproto.repo.putRecord": _Route("POST", "access", self._put_record),
            "com.atproto.repo.deleteRecord": _Route("POST", "access", self._delete_record),
            "com.atproto.repo.getRecord": _Route("GET", "none", self._get_record),
            "com.atproto.repo.listRecords": _Route("GET", "none", self._list_records),
            "app.bsky.feed.getPosts": _Route("GET", "optional", self._get_posts),
            "app.bsky.feed.getPostThread": _Route("GET", "optional", self._get_post_thread),
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (the XRPC root is ``url + "/xrpc"``)."""
        if self._url is None:
            raise RuntimeError("FakeBluesky is not started")
        return self._url

    def start(self) -> Self:
        """Bind and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HttpServer(self)
        host, port = self._httpd.server_address[:2]
        self._url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bluesky",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping faults and close every open connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ test controls

    @property
    def login_count(self) -> int:
        """Successful createSession calls."""
        with self._lock:
            return self._login_count

    @property
    def refresh_count(self) -> int:
        """Successful refreshSession calls."""
        with self._lock:
            return self._refresh_count

    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every XRPC call served so far, oldest first: ``(method, nsid, status)``."""
        with self._lock:
            return list(self._log)

    @property
    def handler_errors(self) -> list[Exception]:
        """Unexpected exceptions inside the fake (answered as 500); tests may assert it is empty."""
        with self._lock:
            return list(self._errors)

    def clear_request_log(self) -> None:
        with self._lock:
            self._log.clear()

    def set_rate_limit(self, limit: int, window_seconds: float) -> None:
        """Budget of requests per account (per client IP when unauthenticated) and window."""
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit and window_seconds must be positive")
        with self._lock:
            self._rate_limit = limit
            self._rate_window = window_seconds
            self._buckets.clear()

    def fault(self, nsid: str, kind: str, count: int = 1, *, delay: float | None = None) -> None:
        """Make the next ``count`` calls of ``nsid`` (``"*"``: any) fail as ``kind``.

        Kinds: ``"status:NNN"`` (error response, nothing performed; for 429 the ratelimit-reset
        header lies ``delay`` seconds ahead, default 3), ``"timeout"`` (nothing performed, the
        server waits ``delay`` seconds, default ``timeout_delay``, then closes without answering),
        ``"drop_after_commit"`` (the call is performed, then the connection is closed without a
        response) and ``"reset_after_commit"`` (the same, closed with a TCP reset).
        """
        if kind.startswith("status:"):
            status = kind.removeprefix("status:")
            if not status.isdigit() or not 400 <= int(status) <= 599:
                raise ValueError(f"bad status fault {kind!r}")
        elif kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if count < 1:
            raise ValueError("count must be at least 1")
        if delay is None:
            delay = self.timeout_delay if kind == "timeout" else 3.0
        with self._lock:
            self._faults.append(_Fault(nsid, kind, count, delay))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def advance_clock(self, seconds: float) -> None:
        """Move the server's clock (token expiry, timestamps, rate windows) forward."""
        with self._lock:
            self._clock_offset += seconds

    # ------------------------------------------------------------------ accounts and helpers

    def create_account(
        self,
        handle: str,
        password: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        email: str | None = None,
        avatar: bool = False,
    ) -> str:
        """Create an account and return its DID (derived from the handle)."""
        handle = handle.lower().removeprefix("@")
        if not _HANDLE_RE.match(handle):
            raise ValueError(f"not a valid handle: {handle!r}")
        did = did_for_handle(handle)
        with self._lock:
            if handle in self._handles:
                raise ValueError(f"handle already taken: {handle}")
            self._accounts[did] = _Account(
                did=did,
                handle=handle,
                password=password,
                display_name=display_name if display_name is not None else handle.split(".")[0],
                description=description,
                email=email,
                avatar_cid=make_cid({"avatar": did}) if avatar else None,
                created_at=_iso(self._now()),
            )
            self._handles[handle] = did
            self._repos[did] = {}
        return did

    def did_for(self, did_or_handle: str) -> str:
        """The DID of an account of the fake."""
        with self._lock:
            return self._account(did_or_handle).did

    def post_as(
        self,
        handle: str,
        text: str,
        *,
        reply_to_uri: str | None = None,
        mention: str | Sequence[str] | None = None,
        quote_uri: str | None = None,
        langs: Sequence[str] = ("en",),
        created_at: str | None = None,
        broken: JsonDict | None = None,
    ) -> str:
        """Write a post by ``handle`` (with mention/link facets and reply refs); return its URI.

        A mentioned handle missing from ``text`` is put in front of it. Mentioned, replied-to and
        quoted accounts of the fake get their notifications, as from the real AppView.
        ``broken`` replaces fields of the record (``None`` removes one) and writes it without
        validation, as a PDS does for ``createRecord`` with ``validate: false``.
        """
        mentions = [mention] if isinstance(mention, str) else list(mention or ())
        mentions = [m.lower().removeprefix("@") for m in mentions]
        for name in reversed(mentions):
            if f"@{name}" not in text:
                text = f"@{name} {text}"
        with self._lock:
            author = self._account(handle)
            record: JsonDict = {
                "$type": POST,
                "text": text,
                "createdAt": created_at or _iso(self._now()),
                "langs": list(langs),
            }
            facets = self._facets(text, mentions)
            if facets:
                record["facets"] = facets
            if reply_to_uri is not None:
                parent = self._require_record(reply_to_uri)
                reply = parent.value.get("reply")
                root = reply.get("root") if isinstance(reply, dict) else None
                if not isinstance(root, dict):
                    root = {"uri": parent.uri, "cid": parent.cid}
                record["reply"] = {
                    "root": {"uri": root["uri"], "cid": root["cid"]},
                    "parent": {"uri": parent.uri, "cid": parent.cid},
                }
            if quote_uri is not None:
                quoted = self._require_record(quote_uri)
                record["embed"] = {
                    "$type": "app.bsky.embed.record",
                    "record": {"uri": quoted.uri, "cid": quoted.cid},
                }
            for name, value in (broken or {}).items():
                if value is None:
                    record.pop(name, None)
                else:
                    record[name] = value
            validate = broken is None
            return self._write(author.did, POST, record, rkey=None, validate=validate).uri

    def like_as(self, handle: str, uri: str) -> str:
        """``handle`` likes the record at ``uri``; return the like's URI."""
        return self._subject_record_as(handle, LIKE, uri)

    def repost_as(self, handle: str, uri: str) -> str:
        """``handle`` reposts the record at ``uri``; return the repost's URI."""
        return self._subject_record_as(handle, REPOST, uri)

    def follow_as(self, handle: str, subject: str) -> str:
        """``handle`` follows ``subject`` (handle or DID); return the follow's URI."""
        with self._lock:
            author = self._account(handle)
            target = self._account(subject).did if not subject.startswith("did:") else subject
            record = {"$type": FOLLOW, "subject": target, "createdAt": _iso(self._now())}
            return self._write(author.did, FOLLOW, record, rkey=None, validate=True).uri

    def records(self, did_or_handle: str, collection: str = POST) -> list[JsonDict]:
        """The records of a repo collection, oldest first: ``{"uri", "cid", "value"}``."""
        with self._lock:
            did = self._account(did_or_handle).did
            stored = self._repos[did].get(collection, {})
            return [
                {"uri": r.uri, "cid": r.cid, "value": copy.deepcopy(r.value)}
                for _, r in sorted(stored.items())
            ]

    def notifications(self, did_or_handle: str) -> list[JsonDict]:
        """The notifications of an account, newest first, as listNotifications shows them."""
        with self._lock:
            account = self._account(did_or_handle)
            mine = [n for n in reversed(self._notifications) if n.recipient == account.did]
            return [self._notification_view(n, account) for n in mine]

    # ------------------------------------------------------------------ internals: state

    def _now(self) -> float:
        return time.time() + self._clock_offset

    def _next_tid(self) -> str:
        micros = max(int(self._now() * 1_000_000), self._last_tid_micros + 1)
        self._last_tid_micros = micros
        return make_tid(micros, self._clock_id)

    def _find_account(self, identifier: str) -> _Account | None:
        identifier = identifier.removeprefix("@")
        if identifier.startswith("did:"):
            return self._accounts.get(identifier)
        did = self._handles.get(identifier.lower())
        return self._accounts.get(did) if did else None

    def _account(self, identifier: str) -> _Account:
        account = self._find_account(identifier)
        if account is None:
            raise KeyError(f"no such account: {identifier}")
        return account

    def _lookup(self, uri: str) -> _Record | None:
        parts = _parse_at_uri(uri)
        if parts is None:
            return None
        account = self._find_account(parts[0])
        if account is None:
            return None
        return self._repos[account.did].get(parts[1], {}).get(parts[2])

    def _require_record(self, uri: str) -> _Record:
        record = self._lookup(uri)
        if record is None:
            raise KeyError(f"no such record: {uri}")
        return record

    def _facets(self, text: str, mentions: Sequence[str]) -> list[JsonDict]:
        data = text.encode("utf-8")
        facets: list[JsonDict] = []
        for name in mentions:
            needle = f"@{name}".encode()
            start = data.find(needle)
            account = self._find_account(name)
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(needle)},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#mention",
                            "did": account.did if account else did_for_handle(name),
                        }
                    ],
                }
            )
        for match in _URL_RE.finditer(text):
            start = len(text[: match.start()].encode("utf-8"))
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(match[0].encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match[0]}],
                }
            )
        return sorted(facets, key=lambda facet: int(facet["index"]["byteStart"]))

    def _subject_record_as(self, handle: str, collection: str, uri: str) -> str:
        with self._lock:
            author = self._account(handle)
            subject = self._require_record(uri)
            record = {
                "$type": collection,
                "subject": {"uri": subject.uri, "cid": subject.cid},
                "createdAt": _iso(self._now()),
            }
            return self._write(author.did, collection, record, rkey=None, validate=True).uri

    def _validate(self, collection: str, record: JsonDict) -> None:
        """Check the fields the lexicon requires, with the PDS's wording."""
        prefix = f"Invalid {collection} record: "

        def require(name: str, kind: type) -> Any:
            value = record.get(name)
            if value is None:
                raise _invalid(f'{prefix}Record must have the property "{name}"')
            if not isinstance(value, kind):
                raise _invalid(f"{prefix}Record/{name} must be {kind.__name__}")
            return value

        if record.get("$type") != collection:
            raise _invalid(f"Invalid $type: expected {collection}, got {record.get('$type')}")
        if collection == POST:
            text = require("text", str)
            require("createdAt", str)
            if len(text.encode("utf-8")) > _MAX_POST_BYTES:
                raise _invalid(f"{prefix}Record/text must not be longer than 3000 characters")
            if grapheme_length(text) > _MAX_POST_GRAPHEMES:
                raise _invalid(f"{prefix}Record/text must not be longer than 300 graphemes")
            langs = record.get("langs")
            if langs is not None and (not isinstance(langs, list) or len(langs) > 3):
                raise _invalid(f"{prefix}Record/langs must not have more than 3 elements")
            reply = record.get("reply")
            if reply is not None:
                for part in ("root", "parent"):
                    ref = reply.get(part) if isinstance(reply, dict) else None
                    if not (isinstance(ref, dict) and {"uri", "cid"} <= ref.keys()):
                        raise _invalid(f'{prefix}Record/reply must have the property "{part}"')
        elif collection in (LIKE, REPOST):
            subject = require("subject", dict)
            require("createdAt", str)
            if not {"uri", "cid"} <= subject.keys():
                raise _invalid(f'{prefix}Record/subject must have the property "cid"')
        elif collection == FOLLOW:
            require("subject", str)
            require("createdAt", str)

    def _commit(self, did: str) -> JsonDict:
        rev = self._next_tid()
        commit_cid = make_cid({"did": did, "rev": rev, "prev": self._revs.get(did)})
        self._revs[did] = (commit_cid, rev)
        return {"cid": commit_cid, "rev": rev}

    def _write(
        self, did: str, collection: str, value: JsonDict, *, rkey: str | None, validate: bool | None
    ) -> _Record:
        """Create a record (no existing rkey), index it and notify; the caller holds the lock."""
        value.setdefault("$type", collection)
        if validate is not False and collection in (POST, LIKE, REPOST, FOLLOW):
            self._validate(collection, value)
        rkey = rkey or self._next_tid()
        record = _Record(did, collection, rkey, make_cid(value), value, _iso(self._now()))
        self._repos[did].setdefault(collection, {})[rkey] = record
        self._by_uri[record.uri] = record
        self._index(record)
        self._notify(record)
        return record

    def _index(self, record: _Record) -> None:
        value = record.value
        if record.collection == POST:
            parent = _reply_parent_uri(value)
            if parent is not None:
                self._replies.setdefault(parent, []).append(record.uri)
            quoted = _quoted_uri(value)
            if quoted is not None:
                self._quotes.setdefault(quoted, set()).add(record.uri)
        elif record.collection in (LIKE, REPOST):
            subject = _strong_ref_uri(value.get("subject"))
            if subject is not None:
                table = self._likes if record.collection == LIKE else self._reposts
                table.setdefault(subject, {})[record.did] = record.uri
        elif record.collection == FOLLOW and isinstance(value.get("subject"), str):
            self._follows[(record.did, value["subject"])] = record.uri

    def _unindex(self, record: _Record) -> None:
        value = record.value
        if record.collection == POST:
            parent = _reply_parent_uri(value)
            if parent is not None and record.uri in self._replies.get(parent, []):
                self._replies[parent].remove(record.uri)
            quoted = _quoted_uri(value)
            if quoted is not None:
                self._quotes.get(quoted, set()).discard(record.uri)
        elif record.collection in (LIKE, REPOST):
            subject = _strong_ref_uri(value.get("subject"))
            table = self._likes if record.collection == LIKE else self._reposts
            if subject is not None and table.get(subject, {}).get(record.did) == record.uri:
                del table[subject][record.did]
        elif record.collection == FOLLOW:
            key = (record.did, str(value.get("subject")))
            if self._follows.get(key) == record.uri:
                del self._follows[key]

    def _notify(self, record: _Record) -> None:
        """Notifications the AppView derives from a new record (one per account, never self)."""
        notified = {record.did}

        def notify(recipient: str, reason: str, subject: str | None) -> None:
            if recipient in notified or recipient not in self._accounts:
                return
            notified.add(recipient)
            self._notification_seq += 1
            self._notifications.append(
                _Notification(
                    seq=self._notification_seq,
                    recipient=recipient,
                    author=record.did,
                    reason=reason,
                    uri=record.uri,
                    cid=record.cid,
                    record=record.value,
                    indexed_at=record.indexed_at,
                    reason_subject=subject,
                )
            )

        value = record.value
        if record.collection == POST:
            for did in _mentioned_dids(value):
                notify(did, "mention", None)
            quoted = _quoted_uri(value)
            quoted_parts = _parse_at_uri(quoted) if quoted else None
            if quoted and quoted_parts and quoted_parts[1] == POST:
                target = self._lookup(quoted)
                notify(target.did if target else quoted_parts[0], "quote", quoted)
            # The AppView walks ancestors-and-self with parentHeight 5 and notifies heights 1-4.
            ancestor_uri = _reply_parent_uri(value)
            for _ in range(_REPLY_NOTIF_DEPTH - 1):
                ancestor = self._lookup(ancestor_uri) if ancestor_uri else None
                if ancestor is None:
                    break
                notify(ancestor.did, "reply", ancestor.uri)
                ancestor_uri = _reply_parent_uri(ancestor.value)
        elif record.collection in (LIKE, REPOST):
            subject = self._lookup(_strong_ref_uri(value.get("subject")) or "")
            if subject is not None:
                notify(subject.did, "like" if record.collection == LIKE else "repost", subject.uri)
        elif record.collection == FOLLOW:
            notify(str(value.get("subject")), "follow", None)

    # ------------------------------------------------------------------ internals: views

    def _avatar_url(self, account: _Account) -> str | None:
        if account.avatar_cid is None or self._url is None:
            return None
        return f"{self.url}/img/avatar/plain/{account.did}/{account.avatar_cid}@jpeg"

    def _actor_viewer(self, did: str, viewer: str | None) -> JsonDict:
        state: JsonDict = {"muted": False, "blockedBy": False}
        if viewer is not None and viewer != did:
            following = self._follows.get((viewer, did))
            followed_by = self._follows.get((did, viewer))
            if following:
                state["following"] = following
            if followed_by:
                state["followedBy"] = followed_by
        return state

    def _profile_basic(self, did: str, viewer: str | None) -> JsonDict:
        account = self._accounts.get(did)
        if account is None:  # not ours: the AppView would still know a handle; invent one
            return {"did": did, "handle": "handle.invalid", "labels": []}
        view: JsonDict = {"did": did, "handle": account.handle}
        view["displayName"] = account.display_name
        avatar = self._avatar_url(account)
        if avatar:
            view["avatar"] = avatar
        view["associated"] = {"chat": {"allowIncoming": "all"}}
        view["viewer"] = self._actor_viewer(did, viewer)
        view["labels"] = []
        view["createdAt"] = account.created_at
        return view

    def _profile_view(self, did: str, viewer: str | None) -> JsonDict:
        view = self._profile_basic(did, viewer)
        account = self._accounts.get(did)
        if account is not None:
            if account.description is not None:
                view["description"] = account.description
            view["indexedAt"] = account.created_at
        return view

    def _profile_detailed(self, account: _Account, viewer: str | None) -> JsonDict:
        view = self._profile_view(account.did, viewer)
        view["associated"] = {
            "lists": 0,
            "feedgens": 0,
            "starterPacks": 0,
            "labeler": False,
            "chat": {"allowIncoming": "all"},
        }
        view["followersCount"] = sum(1 for _, s in self._follows if s == account.did)
        view["followsCount"] = sum(1 for f, _ in self._follows if f == account.did)
        view["postsCount"] = len(self._repos[account.did].get(POST, {}))
        return view

    def _embed_view(self, embed: object, viewer: str | None) -> JsonDict | None:
        """Views of record-quote and external-link embeds; media embeds are not modelled."""
        if not isinstance(embed, dict):
            return None
        if embed.get("$type") == "app.bsky.embed.external" and isinstance(
            embed.get("external"), dict
        ):
            external = embed["external"]
            return {
                "$type": "app.bsky.embed.external#view",
                "external": {
                    "uri": external.get("uri", ""),
                    "title": external.get("title", ""),
                    "description": external.get("description", ""),
                },
            }
        if embed.get("$type") != "app.bsky.embed.record":
            return None
        uri = _strong_ref_uri(embed.get("record")) or ""
        quoted = self._lookup(uri)
        if quoted is None:
            inner: JsonDict = {
                "$type": "app.bsky.embed.record#viewNotFound",
                "uri": uri,
                "notFound": True,
            }
        else:
            inner = {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": quoted.uri,
                "cid": quoted.cid,
                "author": self._profile_basic(quoted.did, viewer),
                "value": quoted.value,
                "labels": [],
                "likeCount": len(self._likes.get(quoted.uri, {})),
                "replyCount": len(self._replies.get(quoted.uri, [])),
                "repostCount": len(self._reposts.get(quoted.uri, {})),
                "quoteCount": len(self._quotes.get(quoted.uri, set())),
                "indexedAt": quoted.indexed_at,
                "embeds": [],
            }
        return {"$type": "app.bsky.embed.record#view", "record": inner}

    def _post_view(self, record: _Record, viewer: str | None) -> JsonDict:
        view: JsonDict = {
            "uri": record.uri,
            "cid": record.cid,
            "author": self._profile_basic(record.did, viewer),
            "record": record.value,
        }
        embed = self._embed_view(record.value.get("embed"), viewer)
        if embed is not None:
            view["embed"] = embed
        state: JsonDict = {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False}
        if viewer is not None:
            like = self._likes.get(record.uri, {}).get(viewer)
            repost = self._reposts.get(record.uri, {}).get(viewer)
            if like:
                state["like"] = like
            if repost:
                state["repost"] = repost
        view.update(
            {
                "bookmarkCount": 0,
                "replyCount": len(self._replies.get(record.uri, [])),
                "repostCount": len(self._reposts.get(record.uri, {})),
                "likeCount": len(self._likes.get(record.uri, {})),
                "quoteCount": len(self._quotes.get(record.uri, set())),
                "indexedAt": record.indexed_at,
                "viewer": state,
                "labels": [],
            }
        )
        return view

    def _notification_view(self, notification: _Notification, account: _Account) -> JsonDict:
        view: JsonDict = {
            "uri": notification.uri,
            "cid": notification.cid,
            "author": self._profile_view(notification.author, account.did),
            "reason": notification.reason,
        }
        if notification.reason_subject is not None:
            view["reasonSubject"] = notification.reason_subject
        view["record"] = copy.deepcopy(notification.record)
        view["isRead"] = account.seen_at is not None and notification.indexed_at <= account.seen_at
        view["indexedAt"] = notification.indexed_at
        view["labels"] = []
        return view

    def _thread_node(
        self, record: _Record, viewer: str | None, depth: int, parent_height: int
    ) -> JsonDict:
        node: JsonDict = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(record, viewer),
        }
        parent = self._parent_node(record, viewer, parent_height)
        if parent is not None:
            node["parent"] = parent
        node["replies"] = self._reply_nodes(record, viewer, depth)
        return node

    def _parent_node(self, record: _Record, viewer: str | None, height: int) -> JsonDict | None:
        parent_uri = _reply_parent_uri(record.value)
        if parent_uri is None or height <= 0:
            return None
        parent = self._lookup(parent_uri)
        if parent is None:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": parent_uri, "notFound": True}
        node: JsonDict = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(parent, viewer),
        }
        grandparent = self._parent_node(parent, viewer, height - 1)
        if grandparent is not None:
            node["parent"] = grandparent
        return node

    def _reply_nodes(self, record: _Record, viewer: str | None, depth: int) -> list[JsonDict]:
        nodes: list[JsonDict] = []
        if depth <= 0:
            return nodes
        for uri in self._replies.get(record.uri, []):
            child = self._by_uri[uri]
            node: JsonDict = {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self._post_view(child, viewer),
            }
            if depth > 1:
                node["replies"] = self._reply_nodes(child, viewer, depth - 1)
            nodes.append(node)
        return nodes

    # ------------------------------------------------------------------ internals: auth

    def _did_doc(self, account: _Account) -> JsonDict:
        digest = hashlib.sha256(account.did.encode()).digest()
        key = "zQ3sh" + "".join(_B58[byte % 58] for byte in digest) + _B58[digest[0] % 58] * 12
        return {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/suites/secp256k1-2019/v1",
            ],
            "id": account.did,
            "alsoKnownAs": [f"at://{account.handle}"],
            "verificationMethod": [
                {
                    "id": f"{account.did}#atproto",
                    "type": "Multikey",
                    "controller": account.did,
                    "publicKeyMultibase": key,
                }
            ],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": self.url,
                }
            ],
        }

    def _session_body(self, account: _Account, tokens: tuple[str, str] | None) -> JsonDict:
        body: JsonDict = {"did": account.did}
        if self.include_did_doc:
            body["didDoc"] = self._did_doc(account)
        body["handle"] = account.handle
        if account.email is not None:
            body["email"] = account.email
            body["emailConfirmed"] = True
            body["emailAuthFactor"] = False
        if tokens is not None:
            body["accessJwt"], body["refreshJwt"] = tokens
        body["active"] = True
        return body

    def _issue_tokens(self, did: str) -> tuple[str, str]:
        now = int(self._now())
        audience = f"did:web:{urllib.parse.quote(self.url.removeprefix('http://'), safe='')}"
        access = _jwt_encode(
            {"typ": "at+jwt", "alg": "HS256"},
            {
                "scope": ACCESS_SCOPE,
                "aud": audience,
                "sub": did,
                "iat": now,
                "exp": now + int(self.access_ttl_seconds),
            },
            self._secret,
        )
        jti = _b64url(secrets.token_bytes(24))
        refresh = _jwt_encode(
            {"typ": "refresh+jwt", "alg": "HS256"},
            {
                "scope": REFRESH_SCOPE,
                "aud": audience,
                "sub": did,
                "jti": jti,
                "iat": now,
                "exp": now + int(self.refresh_ttl_seconds),
            },
            self._secret,
        )
        self._refresh_tokens[jti] = _RefreshState(did)
        return access, refresh

    def _verify(self, token: str | None, scope: str) -> JsonDict:
        """Check a bearer token as the PDS does (errors and statuses as in its auth verifier)."""
        if not token:
            raise XrpcError(401, "AuthMissing", "Authentication Required")
        claims = _jwt_decode(token, self._secret)
        if claims is None:
            raise XrpcError(401, "InvalidToken", "Token could not be verified")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= self._now():
            raise _invalid("Token has expired", "ExpiredToken")
        if claims.get("scope") != scope:
            raise _invalid("Bad token scope", "InvalidToken")
        if claims.get("sub") not in self._accounts:
            raise XrpcError(401, "InvalidToken", "Token could not be verified")
        return claims

    def _token_subject(self, token: str | None) -> str | None:
        claims = _jwt_decode(token, self._secret) if token else None
        sub = claims.get("sub") if claims else None
        return sub if isinstance(sub, str) else None

    # ------------------------------------------------------------------ internals: HTTP

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _take_fault(self, nsid: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.nsid in (nsid, "*"):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _rate(self, key: str) -> tuple[dict[str, str], bool]:
        with self._lock:
            now = self._now()
            start, used = self._buckets.get(key, (now, 0))
            if now >= start + self._rate_window:
                start, used = now, 0
            allowed = used < self._rate_limit
            if allowed:
                used += 1
            self._buckets[key] = (start, used)
            headers = {
                "RateLimit-Limit": str(self._rate_limit),
                "RateLimit-Remaining": str(max(self._rate_limit - used, 0)),
                "RateLimit-Reset": str(math.ceil(start + self._rate_window)),
                "RateLimit-Policy": f"{self._rate_limit};w={math.ceil(self._rate_window)}",
            }
            return headers, allowed

    def _record_log(self, method: str, nsid: str, status: int) -> None:
        with self._lock:
            self._log.append(LoggedRequest(method, nsid, status))

    @staticmethod
    def _send(
        handler: _Handler, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        if body or content_type:
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()

    @staticmethod
    def _drop(handler: _Handler, *, reset: bool) -> None:
        """Close the connection without a response: a clean FIN, or a TCP RST."""
        handler.close_connection = True
        if not reset:
            return
        connection = handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.rfile.close()
        handler.wfile.close()
        connection.close()  # the last reference: the kernel answers with RST, not FIN
        handler.rfile = handler.wfile = io.BytesIO()  # http.server still flushes and closes them

    def _serve_image(self, handler: _Handler) -> None:
        digest = hashlib.sha256(handler.path.encode()).digest()
        self._send(handler, 200, _png_pixel(digest[:3]), "image/png", {})

    def _handle(self, handler: _Handler) -> None:
        method = handler.command
        split = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        if split.path.startswith("/img/") and method == "GET":
            self._serve_image(handler)
            return
        nsid = split.path.removeprefix("/xrpc/") if split.path.startswith("/xrpc/") else ""
        fault = self._take_fault(nsid) if nsid else None
        if fault is not None and fault.kind == "timeout":
            self._record_log(method, nsid, 0)
            self._stopping.wait(fault.delay)
            self._drop(handler, reset=False)
            return
        authorization = handler.headers.get("Authorization") or ""
        token = authorization[7:] if authorization[:7].lower() == "bearer " else None
        rate_key = self._token_subject(token) or f"ip:{handler.client_address[0]}"
        headers, allowed = self._rate(rate_key)
        result: JsonDict | None
        try:
            if not nsid:
                raise XrpcError(404, "NotFound", "Not Found")
            if fault is not None and fault.kind.startswith("status:"):
                status = int(fault.kind.removeprefix("status:"))
                if status == 429:
                    headers["RateLimit-Remaining"] = "0"
                    headers["RateLimit-Reset"] = str(math.ceil(self._now() + fault.delay))
                phrase = HTTPStatus(status).phrase
                error, message = _STATUS_ERRORS.get(status, (phrase.replace(" ", ""), phrase))
                raise XrpcError(status, error, message)
            if not allowed:
                raise XrpcError(429, "RateLimitExceeded", "Rate Limit Exceeded")
            result = self._call(method, nsid, split.query, raw, token)
            status = 200
        except XrpcError as error:
            status, result = error.status, {"error": error.error, "message": error.message}
        except Exception as error:  # a bug in the fake: answer like xrpc-server, keep it visible
            traceback.print_exc()
            with self._lock:
                self._errors.append(error)
            status, result = 500, {"error": "InternalServerError", "message": repr(error)}
        if fault is not None and fault.kind in ("drop_after_commit", "reset_after_commit"):
            self._record_log(method, nsid, 0)
            self._drop(handler, reset=fault.kind == "reset_after_commit")
            return
        self._record_log(method, nsid, status)
        if result is None:
            self._send(handler, status, b"", "", headers)
        else:
            body = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
            self._send(handler, status, body, "application/json; charset=utf-8", headers)

    def _call(
        self, method: str, nsid: str, query: str, raw: bytes, token: str | None
    ) -> JsonDict | None:
        route = self._routes.get(nsid)
        if route is None:
            raise XrpcError(501, "MethodNotImplemented", "Method Not Implemented")
        if method != route.method:
            raise _invalid(f"Incorrect HTTP method ({method}) expected {route.method}")
        body: JsonDict = {}
        if method == "POST" and raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise _invalid("Request body is not valid JSON") from None
            if not isinstance(parsed, dict):
                raise _invalid("Input must be an object")
            body = parsed
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        with self._lock:
            claims: JsonDict | None = None
            if route.auth == "access" or (route.auth == "optional" and token):
                claims = self._verify(token, ACCESS_SCOPE)
            elif route.auth == "refresh":
                claims = self._verify(token, REFRESH_SCOPE)
            viewer = str(claims["sub"]) if claims else None
            return route.handler(_Call(nsid, params, body, viewer, claims))

    # ------------------------------------------------------------------ endpoints

    def _create_session(self, call: _Call) -> JsonDict:
        identifier = _field(call.body, "identifier")
        password = _field(call.body, "password")
        account = self._find_account(identifier)
        if account is None or not hmac.compare_digest(account.password.encode(), password.encode()):
            raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        self._login_count += 1
        return self._session_body(account, self._issue_tokens(account.did))

    def _refresh_session(self, call: _Call) -> JsonDict:
        assert call.claims is not None and call.viewer is not None
        state = self._refresh_tokens.get(str(call.claims.get("jti")))
        now = self._now()
        if state is None or state.revoked:
            raise _invalid("Token has been revoked", "ExpiredToken")
        if state.used_at is not None and now - state.used_at > self.refresh_grace_seconds:
            state.revoked = True
            raise _invalid("Token has been revoked", "ExpiredToken")
        if state.used_at is None:
            state.used_at = now
        self._refresh_count += 1
        account = self._accounts[call.viewer]
        return self._session_body(account, self._issue_tokens(account.did))

    def _get_session(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        return self._session_body(self._accounts[call.viewer], None)

    def _delete_session(self, call: _Call) -> None:
        assert call.claims is not None
        state = self._refresh_tokens.get(str(call.claims.get("jti")))
        if state is not None:
            state.revoked = True

    def _resolve_handle(self, call: _Call) -> JsonDict:
        handle = _param(call, "handle").lower()
        account = None if handle.startswith("did:") else self._find_account(handle)
        if account is None:
            raise _invalid("Unable to resolve handle")
        return {"did": account.did}

    def _get_profile(self, call: _Call) -> JsonDict:
        account = self._find_account(_param(call, "actor"))
        if account is None:
            raise _invalid("Profile not found")
        return self._profile_detailed(account, call.viewer)

    def _get_profiles(self, call: _Call) -> JsonDict:
        actors = call.params.get("actors", [])
        if len(actors) > 25:
            raise _invalid("Error: actors must not have more than 25 elements")
        found = [self._find_account(actor) for actor in actors]
        return {"profiles": [self._profile_detailed(a, call.viewer) for a in found if a]}

    def _list_notifications(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        account = self._accounts[call.viewer]
        limit = _int_param(call, "limit", 50, 1, 100)
        reasons = set(call.params.get("reasons", []))
        cursor = call.params.get("cursor", [""])[0]
        if cursor and not cursor.isdigit():
            raise _invalid("Malformed cursor")
        page: list[_Notification] = []
        for notification in reversed(self._notifications):
            if notification.recipient != account.did:
                continue
            if cursor and notification.seq >= int(cursor):
                continue
            if reasons and notification.reason not in reasons:
                continue
            page.append(notification)
            if len(page) == limit:
                break
        body: JsonDict = {"notifications": [self._notification_view(n, account) for n in page]}
        # The AppView's keyset cursor is set whenever the page is not empty, so a client sees
        # one last empty page before the cursor disappears. Ours is opaque, as theirs should be.
        if page:
            body["cursor"] = str(page[-1].seq)
        body["priority"] = False
        if account.seen_at is not None:
            body["seenAt"] = account.seen_at
        return body

    def _unread_count(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        account = self._accounts[call.viewer]
        count = sum(
            1
            for n in self._notifications
            if n.recipient == account.did
            and (account.seen_at is None or n.indexed_at > account.seen_at)
        )
        return {"count": count}

    def _update_seen(self, call: _Call) -> None:
        assert call.viewer is not None
        self._accounts[call.viewer].seen_at = _field(call.body, "seenAt")

    def _writable_repo(self, call: _Call) -> str:
        repo = _field(call.body, "repo")
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        if account.did != call.viewer:
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        return account.did

    @staticmethod
    def _record_input(call: _Call) -> tuple[str, JsonDict, bool | None]:
        collection = _field(call.body, "collection")
        record = call.body.get("record")
        if not isinstance(record, dict):
            raise _invalid('Input must have the property "record"')
        validate = call.body.get("validate")
        return collection, record, validate if isinstance(validate, bool) else None

    @staticmethod
    def _check_rkey(rkey: object) -> str | None:
        if rkey is None:
            return None
        if not isinstance(rkey, str) or not _RKEY_RE.match(rkey) or rkey in (".", ".."):
            raise _invalid("Input/rkey must be a valid Record Key")
        return rkey

    def _write_response(self, record: _Record, commit: JsonDict, known: bool) -> JsonDict:
        return {
            "uri": record.uri,
            "cid": record.cid,
            "commit": commit,
            "validationStatus": "valid" if known else "unknown",
        }

    def _create_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection, value, validate = self._record_input(call)
        rkey = self._check_rkey(call.body.get("rkey"))
        if rkey is not None and rkey in self._repos[did].get(collection, {}):
            raise XrpcError(*self.duplicate_create_error)
        record = self._write(did, collection, value, rkey=rkey, validate=validate)
        known = validate is not False and collection in (POST, LIKE, REPOST, FOLLOW)
        return self._write_response(record, self._commit(did), known)

    def _put_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection, value, validate = self._record_input(call)
        rkey = self._check_rkey(call.body.get("rkey"))
        if rkey is None:
            raise _invalid('Input must have the property "rkey"')
        current = self._repos[did].get(collection, {}).get(rkey)
        value.setdefault("$type", collection)
        known = validate is not False and collection in (POST, LIKE, REPOST, FOLLOW)
        # As in the PDS: an identical record is a no-op (200, no commit) before any swap check;
        # otherwise swapRecord null means "must not exist" and a CID means "must be at this CID".
        if current is not None and current.cid == make_cid(value):
            return {"uri": current.uri, "cid": current.cid, "validationStatus": "valid"}
        if "swapRecord" in call.body:
            swap = call.body["swapRecord"]
            if (swap is None and current is not None) or (
                swap is not None and (current is None or current.cid != swap)
            ):
                at = current.cid if current else "null"
                raise _invalid(f"Record was at {at}", "InvalidSwap")
        if current is not None:
            if known:
                self._validate(collection, value)
            self._unindex(current)
            current.value, current.cid = value, make_cid(value)
            self._index(current)
            return self._write_response(current, self._commit(did), known)
        record = self._write(did, collection, value, rkey=rkey, validate=validate)
        return self._write_response(record, self._commit(did), known)

    def _delete_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection = _field(call.body, "collection")
        rkey = _field(call.body, "rkey")
        record = self._repos[did].get(collection, {}).get(rkey)
        swap = call.body.get("swapRecord")
        if swap is not None and (record is None or record.cid != swap):
            raise _invalid(f"Record was at {record.cid if record else 'null'}", "InvalidSwap")
        if record is None:  # deleting what is not there is a no-op without a commit
            return {}
        del self._repos[did][collection][rkey]
        del self._by_uri[record.uri]
        self._unindex(record)
        self._notifications = [n for n in self._notifications if n.uri != record.uri]
        return {"commit": self._commit(did)}

    def _get_record(self, call: _Call) -> JsonDict:
        repo = _param(call, "repo")
        collection = _param(call, "collection")
        rkey = _param(call, "rkey")
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        record = self._repos[account.did].get(collection, {}).get(rkey)
        wanted_cid = call.params.get("cid", [None])[0]
        if record is None or (wanted_cid and record.cid != wanted_cid):
            uri = f"at://{account.did}/{collection}/{rkey}"
            raise _invalid(f"Could not locate record: {uri}", "RecordNotFound")
        return {"uri": record.uri, "cid": record.cid, "value": record.value}

    def _list_records(self, call: _Call) -> JsonDict:
        repo = _param(call, "repo")
        collection = _param(call, "collection")
        limit = _int_param(call, "limit", 50, 1, 100)
        reverse = _bool_param(call, "reverse")
        cursor = call.params.get("cursor", [""])[0]
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        # The PDS lists by rkey, newest (highest TID) first unless reverse=true; the cursor is
        # the last rkey and is returned whenever the page is not empty.
        stored = sorted(self._repos[account.did].get(collection, {}).items(), reverse=not reverse)
        if cursor:
            stored = [(k, r) for k, r in stored if (k > cursor if reverse else k < cursor)]
        page = [r for _, r in stored[:limit]]
        body: JsonDict = {"records": [{"uri": r.uri, "cid": r.cid, "value": r.value} for r in page]}
        if page:
            body["cursor"] = page[-1].rkey
        return body

    def _get_posts(self, call: _Call) -> JsonDict:
        uris = call.params.get("uris", [])
        if len(uris) > 25:
            raise _invalid("Error: uris must not have more than 25 elements")
        found = [self._lookup(uri) for uri in uris]
        posts = [self._post_view(r, call.viewer) for r in found if r and r.collection == POST]
        return {"posts": posts}

    def _get_post_thread(self, call: _Call) -> JsonDict:
        uri = _param(call, "uri")
        depth = _int_param(call, "depth", 6, 0, 1000)
        parent_height = _int_param(call, "parentHeight", 80, 0, 1000)
        record = self._lookup(uri)
        if record is None or record.collection != POST:
            raise _invalid(f"Post not found: {uri}", "NotFound")
        return {"thread": self._thread_node(record, call.viewer, depth, parent_height)}
