"""The test receiver counts only requests that arrived whole: a sender killed mid-request
delivered nothing, as a real receiver's framework would refuse the cut-off body."""

from __future__ import annotations

import socket
import time

from socialdesk.webhooks import signing
from socialdesk.webhooks.testpeer import Receiver


def _raw_post(receiver: Receiver, body: bytes, *, cut: int = 0) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    stamp = int(time.time())
    head = (
        f"POST /hooks/socialdesk HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{signing.TIMESTAMP}: {stamp}\r\n"
        f"{signing.SIGNATURE}: {signing.signature(receiver.secret, stamp, body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head + (body[:-cut] if cut else body))
        if cut:
            sock.shutdown(socket.SHUT_WR)  # the sender dies before the rest is sent
        else:
            sock.recv(4096)  # the answer


def test_a_cut_off_request_is_not_counted_and_a_whole_one_is_signed() -> None:
    with Receiver("whsec_test") as receiver:
        body = b'{"id": "e1", "subject": "conversation:1"}'
        _raw_post(receiver, body, cut=10)
        _raw_post(receiver, body)
        deadline = time.monotonic() + 5
        while receiver.count < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        assert [a.body for a in receiver.received] == [body]
        assert receiver.received[0].signed
