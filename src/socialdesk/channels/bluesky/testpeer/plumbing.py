"""The fake Bluesky server's HTTP plumbing: every request goes to `FakeBluesky._handle`."""

from __future__ import annotations

import http.server
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialdesk.channels.bluesky.testpeer.server import FakeBluesky


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
