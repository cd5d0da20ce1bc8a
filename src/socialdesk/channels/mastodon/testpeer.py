"""A real Mastodon API peer for tests: the `mastodon-mock` server, plus a proxy that drops.

`MastodonPeer` runs mastodon-mock on 127.0.0.1 (seeded accounts alice, bob, carol; bob plays
the company). `DroppingProxy` sits in front of any HTTP server and, for requests that match
a rule, forwards the request, lets the server act on it, and then closes the client's
connection without an answer: the "post accepted, connection lost" case. It can also make
media look as an instance that processes uploads in the background shows them
(`slow_media`): the upload answers 202 with `url: null`, the next questions 206 with `url: null`.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from mastodon import Mastodon
from mastodon_mock.testing import MockServer

COMPANY = "bob"
COMPANY_TOKEN = "bob_token"


def loopback_only(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Address policy for tests: the local peers, and nothing else."""
    return str(address) == "127.0.0.1"


class MastodonPeer:
    def __init__(self) -> None:
        self.server = MockServer()

    def start(self) -> MastodonPeer:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return str(self.server.base_url)

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/api/v1/_mock/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()
        self.clear_faults()

    def client(self, username: str) -> Mastodon:
        client: Mastodon = self.server.client(username)
        return client

    def fault(self, **kwargs: Any) -> Any:
        return self.server.fault(**kwargs)

    def clear_faults(self) -> None:
        with urllib.request.urlopen(f"{self.url}/api/v1/_mock/faults", timeout=10) as response:
            rules = json.loads(response.read() or b"[]")
        for rule in rules if isinstance(rules, list) else rules.get("rules", []):
            request = urllib.request.Request(
                f"{self.url}/api/v1/_mock/faults/{rule['id']}", method="DELETE"
            )
            urllib.request.urlopen(request, timeout=10).close()

    def company_replies(self, in_reply_to: str | int) -> list[Any]:
        """The company's posts that answer the given status, as the server has them."""
        bob = self.client(COMPANY)
        me = bob.me()
        statuses = bob.account_statuses(me.id, limit=40)
        return [s for s in statuses if str(s.in_reply_to_id) == str(in_reply_to)]


class DroppingProxy:
    """HTTP proxy to `upstream`; `drop(method, path_prefix, count)` loses the answers."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.rules: list[list[Any]] = []
        self.dropped = 0
        self.processing = 0  # media questions still answered "processing" (206, url null)
        self.slow = False
        self.seen: list[tuple[str, str, int]] = []  # (method, path, status) answered
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(
                    proxy.upstream.hostname or "127.0.0.1", proxy.upstream.port, timeout=30
                )
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                if proxy._should_drop(self.command, self.path):
                    self.close_connection = True
                    self.connection.close()
                    return
                status, data = proxy._processing(self.command, self.path, response.status, data)
                proxy.seen.append((self.command, self.path, status))
                self.send_response(status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def drop(self, method: str, path_prefix: str, count: int = 1) -> None:
        self.rules.append([method.upper(), path_prefix, count])

    def slow_media(self, questions: int) -> None:
        """Uploads answer 202 (`url: null`); the next `questions` GETs of a media 206."""
        self.slow, self.processing = True, questions

    def _processing(self, method: str, path: str, status: int, data: bytes) -> tuple[int, bytes]:
        if not self.slow or status != 200 or "/media" not in path:
            return status, data
        if method == "POST" and path.startswith("/api/v2/media"):
            answer = 202
        elif method == "GET" and path.startswith("/api/v1/media/") and self.processing > 0:
            self.processing -= 1
            answer = 206
        else:
            return status, data
        body = json.loads(data)
        body["url"] = None
        return answer, json.dumps(body).encode()

    def _should_drop(self, method: str, path: str) -> bool:
        for rule in self.rules:
            if rule[2] > 0 and rule[0] == method and path.startswith(rule[1]):
                rule[2] -= 1
                self.dropped += 1
                return True
        return False

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
