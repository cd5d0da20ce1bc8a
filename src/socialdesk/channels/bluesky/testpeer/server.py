"""The fake Bluesky server itself: HTTP plumbing, lifecycle, test controls and routing."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import socket
import struct
import threading
import traceback
import urllib.parse
from http import HTTPStatus
from types import TracebackType
from typing import Self

from socialdesk.channels.bluesky.testpeer.actors import _Actors
from socialdesk.channels.bluesky.testpeer.plumbing import _Handler, _HttpServer
from socialdesk.channels.bluesky.testpeer.records import (
    _STATUS_ERRORS,
    ACCESS_SCOPE,
    FAULT_KINDS,
    REFRESH_SCOPE,
    JsonDict,
    LoggedRequest,
    XrpcError,
    _Call,
    _Fault,
    _invalid,
    _png_pixel,
    _Route,
)

# --------------------------------------------------------------------------- the fake


class FakeBluesky(_Actors):
    """Fake PDS + AppView on 127.0.0.1 (port chosen by the OS). Thread-safe; use as a context manager.

    Attributes you may set at any time: ``access_ttl_seconds`` (default 7200, as bsky.social),
    ``refresh_ttl_seconds`` (90 days), ``refresh_grace_seconds`` (how long a rotated refresh
    token keeps working, 7200 as on the real PDS), ``timeout_delay`` (default sleep of the
    ``"timeout"`` fault), ``include_did_doc`` (sessions carry a didDoc naming ``url`` as the PDS;
    the SDK then switches its base URL to it) and ``duplicate_create_error``.
    """

    def __init__(
        self,
        *,
        access_ttl_seconds: int = 7200,
        rate_limit: int = 3000,
        rate_window_seconds: float = 300.0,
    ) -> None:
        super().__init__(
            access_ttl_seconds=access_ttl_seconds,
            rate_limit=rate_limit,
            rate_window_seconds=rate_window_seconds,
        )
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
            "com.atproto.repo.uploadBlob": _Route("POST", "access", self._upload_blob, raw=True),
            "app.bsky.feed.getPosts": _Route("GET", "optional", self._get_posts),
            "app.bsky.feed.getPostThread": _Route("GET", "optional", self._get_post_thread),
        }

    # ------------------------------------------------------------------ lifecycle

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
            content_type = handler.headers.get("Content-Type") or ""
            result = self._call(method, nsid, split.query, raw, token, content_type)
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
        self,
        method: str,
        nsid: str,
        query: str,
        raw: bytes,
        token: str | None,
        content_type: str = "",
    ) -> JsonDict | None:
        route = self._routes.get(nsid)
        if route is None:
            raise XrpcError(501, "MethodNotImplemented", "Method Not Implemented")
        if method != route.method:
            raise _invalid(f"Incorrect HTTP method ({method}) expected {route.method}")
        body: JsonDict = {}
        if method == "POST" and raw and not route.raw:
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
            data = raw if route.raw else b""
            return route.handler(_Call(nsid, params, body, viewer, claims, data, content_type))
