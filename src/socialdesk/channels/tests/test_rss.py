"""RSS and Atom feeds as listening sources, polled from a local server speaking real feeds."""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from socialdesk.channels.base import ChannelError, poll
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.rss.connector import check, parse, plain_text
from socialdesk.inbox.models import Conversation, Message

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bahnblog Nord</title><link>https://bahnblog.example/</link>
<item><guid>https://bahnblog.example/1</guid><title>Neue Nachtzüge nach Kopenhagen</title>
<link>https://bahnblog.example/1</link><pubDate>Mon, 02 Mar 2026 08:00:00 +0000</pubDate>
<description>&lt;p&gt;Die &lt;b&gt;Nordlicht Bahn&lt;/b&gt; fährt ab Mai.&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&lt;/p&gt;</description>
<author>redaktion@bahnblog.example (Redaktion)</author></item>
<item><guid>https://bahnblog.example/2</guid><title>Kritik am WLAN</title><link>https://bahnblog.example/2</link>
<pubDate>Tue, 03 Mar 2026 09:30:00 +0000</pubDate><description>Fahrgäste klagen.</description></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Forum Nahverkehr</title><id>urn:forum</id>
<updated>2026-03-04T10:00:00Z</updated>
<entry><id>urn:forum:post:77</id><title>Ticket-App zeigt QR-Code nicht</title><updated>2026-03-04T10:00:00Z</updated>
<author><name>zugfan</name></author><link href="https://forum.example/77"/>
<content type="html">&lt;a href="javascript:alert(3)"&gt;hier&lt;/a&gt; klicken</content></entry></feed>"""


class _Handler(BaseHTTPRequestHandler):
    feeds: dict[str, bytes] = {}
    hits: list[dict[str, str]] = []
    answers: dict[str, tuple[int, dict[str, str]]] = {}  # path: (status, headers), once

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits.append({"path": self.path, "etag": self.headers.get("If-None-Match", "")})
        answer = type(self).answers.pop(self.path, None)
        if answer is not None:
            self.send_response(answer[0])
            for name, value in answer[1].items():
                self.send_header(name, value)
            self.end_headers()
            return
        body = type(self).feeds.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        tag = f'"{hash(body)}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)


def loopback_only(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return str(address) == "127.0.0.1"


@pytest.fixture
def feeds(settings) -> Iterator[str]:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.tests.test_rss.loopback_only"
    _Handler.feeds = {"/rss": RSS, "/atom": ATOM, "/broken": b"<html>not a feed"}
    _Handler.hits = []
    _Handler.answers = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _add(url: str, name: str) -> ChannelAccount:
    call_command("channels", "add", "rss", "--url", url, "--name", name, stdout=StringIO())
    return ChannelAccount.objects.get(name=name)


def test_it_stores_each_new_entry_as_an_item_that_needs_no_reply(db, feeds):
    account = _add(feeds + "/rss", "Bahnblog")
    assert poll(account) == 2
    messages = Message.objects.order_by("created_at")
    assert [m.external_id for m in messages] == [
        "https://bahnblog.example/1",
        "https://bahnblog.example/2",
    ]
    assert not any(m.needs_reply for m in messages)
    assert all(c.channel_account == account for c in Conversation.objects.all())
    first = messages[0].text
    assert first.startswith("Neue Nachtzüge nach Kopenhagen\n\nDie Nordlicht Bahn fährt ab Mai.")
    assert "<" not in first and "alert" not in first


def test_it_asks_conditionally_and_stores_nothing_twice(db, feeds):
    account = _add(feeds + "/rss", "Bahnblog")
    poll(account)
    account.refresh_from_db()
    assert poll(account) == 0
    assert _Handler.hits[-1]["etag"]  # the second poll sent If-None-Match
    _Handler.feeds["/rss"] = RSS.replace(
        b"</channel>", b"<item><guid>3</guid><title>Neu</title></item></channel>"
    )
    account.refresh_from_db()
    assert poll(account) == 1
    assert Message.objects.count() == 3


def test_it_reads_atom_and_removes_script_links(db, feeds):
    account = _add(feeds + "/atom", "Forum")
    assert poll(account) == 1
    message = Message.objects.get()
    assert message.author_handle == "zugfan"
    assert "javascript" not in message.text and "hier klicken" in message.text


def test_a_broken_feed_backs_off_and_shows_its_error(db, feeds):
    account = _add(feeds + "/broken", "Kaputt")
    with pytest.raises(FetchError, match="not a readable RSS or Atom feed"):
        poll(account)
    account.refresh_from_db()
    assert account.failures == 1 and "not a readable" in account.last_error
    assert account.next_poll_at and account.last_polled_at
    first_delay = account.next_poll_at - account.last_polled_at
    with pytest.raises(FetchError):
        poll(account)
    account.refresh_from_db()
    assert account.next_poll_at and account.last_polled_at
    assert account.next_poll_at - account.last_polled_at == 2 * first_delay


def test_check_reads_the_feed_and_names_it_or_says_why_not_and_stores_nothing(db, feeds):
    account = _add(feeds + "/rss", "Bahnblog")
    assert check(account) == account.handle
    broken = _add(feeds + "/broken", "Kaputt")
    with pytest.raises(ChannelError, match="not a readable RSS or Atom feed"):
        check(broken)
    missing = _add(feeds + "/gone", "Weg")
    with pytest.raises(ChannelError, match="HTTP 404"):
        check(missing)
    assert Message.objects.count() == 0
    account.refresh_from_db()
    assert account.cursor == {} and account.failures == 0


def test_it_refuses_feeds_inside_the_network_in_production(db):
    account = _add("http://10.0.0.7/feed.xml", "Intranet")
    with pytest.raises(FetchError, match="inside a network"):
        poll(account)
    assert not Message.objects.exists()


def test_the_command_line_adds_lists_and_polls(db, feeds):
    out = StringIO()
    call_command(
        "channels", "add", "rss", "--url", feeds + "/rss", "--name", "Bahnblog", stdout=out
    )
    assert "polled every 300 s" in out.getvalue()
    with pytest.raises(CommandError, match="connected already"):
        call_command("channels", "add", "rss", "--url", feeds + "/rss")
    with pytest.raises(CommandError, match="not an http"):
        call_command("channels", "add", "rss", "--url", "ftp://example.org/feed")
    out = StringIO()
    call_command("channels", "poll", "Bahnblog", stdout=out)
    assert "stored 2 new item(s)" in out.getvalue()
    out = StringIO()
    call_command("channels", "list", "--json", stdout=out)
    listed = json.loads(out.getvalue())
    assert listed[0]["name"] == "Bahnblog" and listed[0]["last_error"] == ""
    with pytest.raises(CommandError, match="no channel named"):
        call_command("channels", "poll", "Unbekannt")


def test_plain_text_keeps_words_and_drops_markup():
    assert (
        plain_text('<p>Hallo <a href="javascript:x()">Welt</a> &amp; Co</p><script>bad()</script>')
        == "Hallo Welt & Co"
    )


SHARED = Path(__file__).resolve().parents[5] / "shared/data/rss-atom-feeds"


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is absent")
@pytest.mark.parametrize(
    "name",
    [
        "heise.atom",
        "guardian.rss",
        "reddit.rss",
        "craigslist.rss",
        "feedburner.atom",
        "gulp-atom.atom",
    ],
)
def test_it_parses_real_feeds(name):
    title, entries = parse((SHARED / name).read_bytes())
    assert title and entries
    from socialdesk.channels.rss.connector import _entry_row

    rows = [_entry_row(e, title) for e in entries]
    assert len({r.external_id for r in rows}) == len(rows)
    assert all("<script" not in r.text for r in rows)


def test_the_worker_polls_due_channels_and_a_failing_one_does_not_stop_the_rest(db, feeds):
    from datetime import timedelta

    from django.utils import timezone

    from socialdesk.channels.tasks import poll_due

    broken = _add(feeds + "/broken", "Kaputt")
    good = _add(feeds + "/rss", "Bahnblog")
    later = _add(feeds + "/atom", "Forum")
    later.next_poll_at = timezone.now() + timedelta(minutes=5)
    later.save()
    assert poll_due() == 2  # the blog's two entries; the forum is not due, the broken feed failed
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.failures == 1 and good.last_success_at is not None
    assert not Message.objects.filter(channel_account=later).exists()


def test_the_health_page_shows_errors_and_adds_a_feed(client_as, feeds):
    account = _add(feeds + "/broken", "Kaputt")
    with pytest.raises(FetchError):
        poll(account)
    client = client_as("manager")
    page = client.get("/settings/channels/").content.decode()
    assert "Kaputt" in page and "1 failure" in page and "not a readable RSS or Atom feed" in page
    response = client.post("/settings/channels/", {"url": feeds + "/rss", "name": "Bahnblog"})
    assert response.status_code == 302
    assert ChannelAccount.objects.filter(name="Bahnblog", url=feeds + "/rss").exists()
    again = client.post("/settings/channels/", {"url": feeds + "/rss"})
    assert "connected already" in again.content.decode()
    assert client_as("agent").get("/settings/channels/").status_code == 403


def test_a_second_feed_with_the_same_guids_stores_its_own_entries(db, feeds):
    _Handler.feeds["/mirror"] = RSS
    first, second = _add(feeds + "/rss", "Bahnblog"), _add(feeds + "/mirror", "Spiegel")
    assert poll(first) == 2
    assert poll(second) == 2
    assert Message.objects.filter(channel_account=second).count() == 2
    second.refresh_from_db()
    assert poll(second) == 0  # and nothing twice within one feed


def test_hostile_entries_are_cleaned_or_kept_apart_and_the_rest_is_stored(db, feeds):
    long_guid = "https://forum.example/" + "x" * 300
    _Handler.feeds["/hostile"] = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title>'
        b"<item><guid>" + long_guid.encode() + b"</guid><title>Lang A</title></item>"
        b"<item><guid>" + long_guid.encode() + b"y</guid><title>Lang B</title></item>"
        b"<item><guid>nul</guid><title>Wo&#0;her?</title><author>"
        + b"N" * 10_000
        + b"</author></item></channel></rss>"
    )
    account = _add(feeds + "/hostile", "Forum")
    assert poll(account) == 3
    texts = set(Message.objects.values_list("text", flat=True))
    assert {"Lang A", "Lang B", "Woher?"} <= {t.split("\n")[0] for t in texts}
    assert all(len(i) <= 255 for i in Message.objects.values_list("external_id", flat=True))
    assert not account.set_aside.exists()
