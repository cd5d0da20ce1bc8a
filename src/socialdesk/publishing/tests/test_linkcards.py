"""Bluesky link cards from the page's Open Graph data, fetched like feeds (public addresses)."""

from __future__ import annotations

import base64
import io
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from socialdesk.channels.fetch import FetchError, UnsafeAddress
from socialdesk.publishing import linkcards

POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"


def _big_photo() -> bytes:
    rng = random.Random(3)
    image = Image.new("RGB", (1400, 1000))
    image.putdata(
        [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(1400 * 1000)]
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class Site:
    """A small web site on 127.0.0.1: pages and an image; it records every request."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]) -> None:
        self.pages = pages
        self.seen: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                site.seen.append(self.path)
                kind, body = site.pages.get(self.path, ("text/plain", b"nothing here"))
                self.send_response(200 if self.path in site.pages else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


PAGE = """<!doctype html><html><head><meta charset="iso-8859-1">
<title>Fallback title</title>
<meta property="og:title" content="Nachtschicht im Stellwerk &amp; mehr">
<meta property="og:description" content="Wie  unsere   Weichen im Winter frei bleiben.">
<meta property="og:image" content="/bild.png">
</head><body>Gr\xfc\xdfe</body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    server = Site(
        {
            "/artikel": ("text/html", PAGE.encode("latin-1")),
            "/ohne-og": (
                "text/html; charset=utf-8",
                "<html><head><title>Nur ein Titel – schön</title></head></html>".encode(),
            ),
            "/bild.png": ("image/png", _big_photo()),
        }
    )
    yield server
    server.stop()


def test_it_builds_a_card_from_open_graph_data_with_a_shrunk_image(
    site: Site, settings: Any
) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    card = linkcards.card(site.url + "/artikel")
    assert card["title"] == "Nachtschicht im Stellwerk & mehr"
    assert card["description"] == "Wie unsere Weichen im Winter frei bleiben."
    assert card["uri"] == site.url + "/artikel"
    thumb = base64.b64decode(card["thumb"])
    assert len(site.pages["/bild.png"][1]) > 1_000_000 >= len(thumb)
    assert card["thumb_mime"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb)).format == "JPEG"


def test_a_page_without_open_graph_data_gives_its_title(site: Site, settings: Any) -> None:
    settings.FEED_ADDRESS_POLICY = POLICY
    card = linkcards.card(site.url + "/ohne-og")
    assert (card["title"], card["description"], card["thumb"]) == ("Nur ein Titel – schön", "", "")


def test_an_address_inside_a_network_is_refused_before_any_connection(
    site: Site, settings: Any
) -> None:
    settings.FEED_ADDRESS_POLICY = ""  # the product's own policy: public addresses only
    before = len(site.seen)
    with pytest.raises(UnsafeAddress, match="inside a network"):
        linkcards.card(site.url + "/artikel")
    with pytest.raises(FetchError):
        linkcards.card("file:///etc/passwd")
    assert len(site.seen) == before  # nothing reached the local server


def test_an_og_image_inside_a_network_is_not_fetched(site: Site, settings: Any) -> None:
    """A public page cannot steer the image fetch to an inside address either."""
    settings.FEED_ADDRESS_POLICY = POLICY
    page = '<meta property="og:title" content="T"><meta property="og:image" content="http://10.0.0.1/x.png">'
    site.pages["/steer"] = ("text/html", page.encode())
    card = linkcards.card(site.url + "/steer")
    assert (card["title"], card["thumb"]) == ("T", "")
