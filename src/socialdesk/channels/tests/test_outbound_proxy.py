"""Behind a company proxy (HTTP_PROXY/HTTPS_PROXY) every outbound path still checks where it goes.

A recording proxy on 127.0.0.1 stands in for the company's proxy: it writes down every
request line it receives (CONNECT or absolute-form GET/POST) and answers 200 itself, so
nothing leaves this machine. Targets inside a network must be refused before anything is
sent — to them or to the proxy — and a public name must reach the proxy only as the address
that was checked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department
from socialdesk.channels import base, net, services
from socialdesk.channels.fetch import FetchError, UnsafeAddress, fetch
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.feedback import handoff
from socialdesk.feedback import services as feedback
from socialdesk.inbox.models import Contact, Conversation, Direction, Message

BY = Acting(user=None, label="test")
INSIDE = ["10.0.0.1", "169.254.169.254", "127.0.0.2"]


class RecordingProxy:
    """An HTTP proxy that forwards nothing: it records each request and answers 200."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self) -> None:
                proxy.seen.append(f"{self.command} {self.path} Host={self.headers.get('Host')}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.command == "CONNECT":
                    self.send_response(403)  # no tunnels: nothing may leave through us
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_CONNECT = do_PUT = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[RecordingProxy]:
    settings.FEED_ADDRESS_POLICY = ""  # the product's own policy: public addresses only
    settings.CHANNEL_TIMEOUT_SECONDS = 5
    server = RecordingProxy()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, server.url)
    yield server
    server.stop()


def _targets(scheme: str = "http") -> list[str]:
    return [f"{scheme}://{address}/path" for address in INSIDE]


@pytest.mark.parametrize("address", INSIDE)
def test_it_refuses_an_issue_tracker_inside_the_network_through_the_proxy(
    proxy: RecordingProxy, address: str, db: None, departments: Any
) -> None:
    department: Department = departments["Product Development"]
    department.issue_tracker_url = f"http://{address}/hooks/issues"
    department.save()
    item = feedback.item_create(by=BY, title="QR code", message=_message())
    feedback.item_forward(by=BY, item=item, department=department)
    with pytest.raises(ValidationError, match=f"points at {address}, an address inside a network"):
        handoff.hand_off(by=BY, item=item)
    item.refresh_from_db()
    assert item.handed_off_at is None and item.handoff_result.startswith("not delivered")
    assert proxy.seen == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_it_refuses_a_mastodon_instance_inside_the_network_through_the_proxy(
    proxy: RecordingProxy, scheme: str, db: None
) -> None:
    for target in _targets(scheme):
        with pytest.raises(ValidationError, match="Mastodon instance is on an internal network"):
            services.mastodon_connect(by=BY, instance_url=target, access_token="token")
        with pytest.raises(ValidationError, match="Mastodon instance is on an internal network"):
            services.mastodon_app(target, "http://127.0.0.1:8000/callback")
    assert ChannelAccount.objects.count() == 0
    assert proxy.seen == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_it_refuses_a_bluesky_server_inside_the_network_through_the_proxy(
    proxy: RecordingProxy, scheme: str, db: None
) -> None:
    for target in _targets(scheme):
        with pytest.raises(CommandError, match="an address inside a network"):
            call_command(
                "channels", "add", "bluesky", "--handle", "nordlicht.test",
                "--app-password", "pass", "--service", target, stdout=StringIO(),
            )  # fmt: skip
    assert ChannelAccount.objects.count() == 0
    assert proxy.seen == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_it_refuses_a_feed_inside_the_network_through_the_proxy(
    proxy: RecordingProxy, scheme: str, db: None
) -> None:
    for target in _targets(scheme):
        account = services.rss_add(by=BY, url=target + "/feed.xml")
        with pytest.raises(UnsafeAddress, match="an address inside a network"):
            base.poll(account)
        account.refresh_from_db()
        assert "an address inside a network" in account.last_error
    assert proxy.seen == []


def test_it_refuses_a_webhook_backfill_inside_the_network_through_the_proxy(
    proxy: RecordingProxy, db: None
) -> None:
    for n, target in enumerate(_targets()):
        account, _secret = services.webhook_add(by=BY, name=f"shop {n}", backfill_url=target)
        with pytest.raises(UnsafeAddress, match="an address inside a network"):
            base.poll(account)
    assert proxy.seen == []


def test_a_name_that_resolves_inside_is_refused_before_the_proxy_is_asked(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(net, "system_resolver", lambda host, port: ["10.0.0.1"])
    with pytest.raises(UnsafeAddress, match=r"intranet\.example points at 10\.0\.0\.1"):
        fetch("http://intranet.example/feed")
    with pytest.raises(UnsafeAddress):
        net.public_session().get("https://intranet.example/", timeout=2)
    assert proxy.seen == []


def test_a_public_name_goes_through_the_proxy_as_the_checked_address(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proxy is the operator's, so it may be reached; it is told the address we checked."""
    looked_up: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["93.184.216.34"]  # a public address; only our local proxy is ever contacted

    monkeypatch.setattr(net, "system_resolver", resolver)
    response = net.public_session().post("http://tracker.example/issues", data=b"{}", timeout=2)
    assert response.status_code == 200
    assert response.url == "http://tracker.example/issues"
    assert proxy.seen == ["POST http://93.184.216.34:80/issues Host=tracker.example"]
    with pytest.raises(FetchError):  # https: a tunnel to the checked address (refused here)
        fetch("https://feeds.example/feed.xml")
    assert proxy.seen[-1] == "CONNECT 93.184.216.34:443 Host=93.184.216.34:443"
    assert looked_up == ["tracker.example", "feeds.example"]


def test_it_reaches_a_network_the_operator_named_and_no_other_inside_address(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """SOCIALDESK_PRIVATE_NETWORKS opens the company's own networks, e.g. for a tracker there."""
    settings.PRIVATE_NETWORKS = ["10.20.0.0/16"]
    addresses = {"tracker.corp.example": "10.20.1.2", "billing.corp.example": "10.30.0.5"}
    monkeypatch.setattr(net, "system_resolver", lambda host, port: [addresses[host]])
    response = net.public_session().post("http://tracker.corp.example/issues", timeout=2)
    assert response.status_code == 200  # answered by our local proxy, told the checked address
    assert proxy.seen == ["POST http://10.20.1.2:80/issues Host=tracker.corp.example"]
    with pytest.raises(UnsafeAddress, match=r"10\.30\.0\.5"):
        net.public_session().get("http://billing.corp.example/", timeout=2)
    for address in INSIDE:  # still refused: not in the named network
        with pytest.raises(UnsafeAddress):
            net.public_session().get(f"http://{address}/", timeout=2)
    assert len(proxy.seen) == 1


def _message() -> Message:
    account = ChannelAccount.objects.create(network=Network.WEBHOOK, handle="shop")
    contact = Contact.objects.create(display_name="Kim")
    conversation = Conversation.objects.create(channel_account=account, contact=contact)
    return Message.objects.create(
        conversation=conversation, channel_account=account, external_id="1",
        direction=Direction.INBOUND, author_handle="kim", contact=contact, text="QR geht nicht",
        created_at=timezone.now(),
    )  # fmt: skip


def _certificates(folder: Any, name: str) -> tuple[str, str, str]:
    """A throw-away CA and a certificate for `name` signed by it: (ca, cert, key) paths."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def build(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> Any:
        now = datetime.now(UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("socialdesk test CA", ca_key, "socialdesk test CA", ca_key, True)
    leaf = build(name, key, "socialdesk test CA", ca_key, False)
    paths = [str(folder / f) for f in ("ca.pem", "cert.pem", "key.pem")]
    pem = serialization.Encoding.PEM
    with open(paths[0], "wb") as out:
        out.write(ca.public_bytes(pem))
    with open(paths[1], "wb") as out:
        out.write(leaf.public_bytes(pem))
    with open(paths[2], "wb") as out:
        out.write(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
    return paths[0], paths[1], paths[2]


class TunnellingProxy(RecordingProxy):
    """A proxy that opens CONNECT tunnels, and only to 127.0.0.1 (nothing leaves the machine)."""

    def __init__(self) -> None:
        import select
        import socket

        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_CONNECT(self) -> None:
                proxy.seen.append(f"CONNECT {self.path}")
                host, _, port = self.path.rpartition(":")
                if host != "127.0.0.1":
                    self.send_error(403)
                    return
                upstream = socket.create_connection((host, int(port)), timeout=5)
                self.send_response(200)
                self.end_headers()
                sockets = [self.connection, upstream]
                while True:
                    readable, _, _ = select.select(sockets, [], [], 5)
                    if not readable:
                        break
                    for sock in readable:
                        data = sock.recv(65536)
                        if not data:
                            upstream.close()
                            return
                        (upstream if sock is self.connection else self.connection).sendall(data)
                upstream.close()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def test_https_through_the_proxy_reaches_the_checked_address_and_checks_the_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The tunnel goes to the address the name was checked as; TLS verifies the name."""
    import ssl

    ca, cert, key = _certificates(tmp_path, "feeds.test")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    served: list[str] = []

    class Feed(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            served.append(f"{self.path} Host={self.headers.get('Host')}")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = TunnellingProxy()
    port = server.server_address[1]
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    try:
        session = net.public_session(
            resolver=lambda host, _port: ["127.0.0.1"],
            policy=lambda address: str(address) == "127.0.0.1",  # stands in for "public"
        )
        response = session.get(f"https://feeds.test:{port}/feed", verify=ca, timeout=5)
        assert (response.status_code, response.text) == (200, "ok")
        assert proxy.seen == [f"CONNECT 127.0.0.1:{port}"]
        assert served == [f"/feed Host=feeds.test:{port}"]
        # A certificate for another name is refused even though the address is right.
        with pytest.raises(requests.exceptions.SSLError):
            session.get(f"https://other.test:{port}/feed", verify=ca, timeout=5)
        monkeypatch.delenv("HTTPS_PROXY")  # and directly, without a proxy: the same checks
        assert session.get(f"https://feeds.test:{port}/feed", verify=ca, timeout=5).text == "ok"
        assert len(proxy.seen) == 2 and len(served) == 2
    finally:
        proxy.stop()
        server.shutdown()
