"""A webhook receiver on 127.0.0.1 for tests and the bench: records what arrives, checks the
signature as a real receiver would, and misbehaves on request (errors, slow answers).

    with Receiver(secret) as receiver:
        receiver.fail(2, status=500)    # the next two requests get a 500
        receiver.stall(1, seconds=3)    # the one after answers only after 3 s
        ... receiver.url, receiver.received ...
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from socialdesk.webhooks import signing


@dataclass
class Arrival:
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered
    signed: bool  # the signature matched the receiver's secret
    at: float = field(default_factory=time.monotonic)
    at_wall: float = field(default_factory=time.time)

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def event_id(self) -> str:
        return self.headers.get(signing.EVENT_ID.lower(), "")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender that hung up (killed, timed out) is part of the tests, not an error."""


class Receiver:
    def __init__(self, secret: str = "", *, keep_bodies: bool = True, port: int = 0) -> None:
        self.secret = secret
        self.keep_bodies = keep_bodies
        self.received: list[Arrival] = []
        self.count = 0
        self.delay = 0.0  # seconds every answer takes (a slow receiver)
        self._script: list[tuple[int, float]] = []  # (status, delay) for the next requests
        self._failing: dict[str, tuple[int, int]] = {}  # subject -> (status, times left)
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # answer at once (no 40 ms wait for an ACK)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing was delivered
                    self.close_connection = True
                    return
                status, delay = receiver._next(body)
                headers = {k.lower(): v for k, v in self.headers.items()}
                signed = bool(receiver.secret) and signing.verify(
                    receiver.secret,
                    body,
                    headers.get(signing.TIMESTAMP.lower(), ""),
                    headers.get(signing.SIGNATURE.lower(), ""),
                )
                receiver._arrived(
                    Arrival(headers, body if receiver.keep_bodies else b"", status, signed)
                )
                if delay:  # recorded as it arrived; answered late (a timeout for the sender)
                    time.sleep(delay)
                answer = b'{"ok":true}' if status < 300 else b'{"error":"on purpose"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the client gave up waiting (a timeout test)
                    pass

            def do_GET(self) -> None:  # the bench reads what arrived in another process
                answer = json.dumps(receiver.stats()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/socialdesk"

    def fail(self, times: int, *, status: int = 500, subject: str = "") -> None:
        """The next `times` requests fail (only those about `subject`, when given: deliveries
        are sent side by side, so "the next request" of one subject is otherwise a race)."""
        with self._lock:
            if subject:
                self._failing[subject] = (status, self._failing.get(subject, (0, 0))[1] + times)
            else:
                self._script.extend([(status, 0.0)] * times)

    def stall(self, times: int, *, seconds: float) -> None:
        with self._lock:
            self._script.extend([(200, seconds)] * times)

    def _next(self, body: bytes) -> tuple[int, float]:
        with self._lock:
            if self._failing:
                try:
                    subject = str(json.loads(body).get("subject", ""))
                except (ValueError, AttributeError):
                    subject = ""
                status, left = self._failing.get(subject, (0, 0))
                if left:
                    self._failing[subject] = (status, left - 1)
                    return status, 0.0
            return self._script.pop(0) if self._script else (200, self.delay)

    def _arrived(self, arrival: Arrival) -> None:
        with self._lock:
            self.count += 1
            self.received.append(arrival)

    def accepted(self) -> list[Arrival]:
        with self._lock:
            return [a for a in self.received if 200 <= a.status < 300]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "received": len(self.received),
                "unsigned": sum(1 for a in self.received if not a.signed),
                "accepted": [[a.event_id, a.at_wall] for a in self.received if a.status < 300],
            }

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def main() -> None:
    """`python -m socialdesk.webhooks.testpeer [--delay=S] PORT:SECRET …`: receivers in their own process
    (the bench's, so that the sender's CPU is measured apart from theirs); Ctrl-C ends them."""
    import sys

    receivers = []
    delay = 0.0
    for spec in sys.argv[1:]:
        if spec.startswith("--delay="):
            delay = float(spec.split("=", 1)[1])
            continue
        port, _sep, secret = spec.partition(":")
        receiver = Receiver(secret, keep_bodies=False, port=int(port))
        receiver.delay = delay
        receivers.append(receiver.start())
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for receiver in receivers:
            receiver.stop()


if __name__ == "__main__":
    main()
