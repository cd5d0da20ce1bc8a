"""Link cards for Bluesky: the linked page's Open Graph data, fetched like a feed.

The page (and then its image) is fetched with `channels.fetch.fetch` and the address policy
of feeds (`channels.net.allowed`): public addresses only (and the operator's
SOCIALDESK_PRIVATE_NETWORKS), checked before any connection, for every redirect too. The page
is read with the standard library's HTML parser: `og:title`, `og:description`, `og:image`,
with `<title>` and `<meta name="description">` as fallbacks. The image is shrunk to Bluesky's
1,000,000 bytes (`images.prepare`). The card as stored in `Post.link_card`:
`{"uri", "title", "description", "thumb": base64 of the image or "", "thumb_mime"}`.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError

from socialdesk.channels.fetch import FetchError, fetch
from socialdesk.channels.items.normalise import clean_text
from socialdesk.channels.net import allowed
from socialdesk.publishing import images

PAGE_BYTES = 2 * 1024 * 1024
IMAGE_BYTES = 10 * 1024 * 1024
THUMB_BYTES = 1_000_000  # Bluesky's limit for a blob
MAX_TITLE = 300
MAX_DESCRIPTION = 1000

__all__ = ["FetchError", "card"]


class _OpenGraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and key not in self.meta and values.get("content"):
                self.meta[key] = values["content"]
        elif tag == "title" and not self.title:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _text(value: str, limit: int) -> str:
    return clean_text(" ".join(value.split()))[:limit]


def _charset(content_type: str, body: bytes) -> str:
    found = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:4096], re.IGNORECASE
    )
    if not found:
        return "utf-8"
    name = found.group(1)
    return name.decode("ascii", "replace") if isinstance(name, bytes) else name


def parse(html: str) -> dict[str, str]:
    """Title, description and image address of a page (empty where it has none)."""
    parser = _OpenGraph()
    parser.feed(html)
    parser.close()
    meta = parser.meta
    return {
        "title": _text(
            meta.get("og:title") or parser.title or meta.get("twitter:title", ""), MAX_TITLE
        ),
        "description": _text(
            meta.get("og:description")
            or meta.get("description")
            or meta.get("twitter:description", ""),
            MAX_DESCRIPTION,
        ),
        "image": (
            meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image", "")
        ).strip(),
    }


def card(url: str) -> dict[str, Any]:
    """The link card of `url`; FetchError (UnsafeAddress for an address inside a network)
    when the page cannot be read. An image that cannot be fetched or used leaves the card
    without a thumbnail."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError("only http and https addresses can have a card")
    page = fetch(url, allowed=allowed(), max_bytes=PAGE_BYTES)
    found = parse(page.body.decode(_charset(page.content_type, page.body), "replace"))
    out: dict[str, Any] = {
        "uri": url,
        "title": found["title"] or urlsplit(page.url).hostname or url,
        "description": found["description"],
        "thumb": "",
        "thumb_mime": "",
    }
    if found["image"]:
        address = urljoin(page.url, found["image"])
        try:
            if urlsplit(address).scheme not in ("http", "https"):
                raise FetchError("not an http(s) image")
            picture = fetch(address, allowed=allowed(), max_bytes=IMAGE_BYTES)
            prepared = images.prepare(picture.body, max_bytes=THUMB_BYTES)
        except (FetchError, ValidationError):
            return out
        out["thumb"] = base64.b64encode(prepared.content).decode("ascii")
        out["thumb_mime"] = prepared.mime
    return out
