"""Hostile text in room names, purposes and posts shows as text: no element, attribute or link
a payload brings runs on the room pages."""

from __future__ import annotations

import re

from django.urls import reverse
from tests.xss_corpus import MARKDOWN, PAYLOADS

from socialdesk.spaces import post_services, room_services
from socialdesk.spaces.tests.helpers import by

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_QUOTED = re.compile(r'"[^"]*"')
_LINK = re.compile(r'\s(?:href|src|action)="([^"]*)"')
_EVENT = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _event_attributes(html: str) -> list[str]:
    """Tags with an on…= attribute (quoted values, where escaped text lives, left out)."""
    return [tag for tag in _TAG.findall(html) if _EVENT.search(_QUOTED.sub('""', tag))]


def test_it_shows_every_payload_as_text_on_the_room_pages(client_as, people):
    agent = by(people["agent"])
    room = room_services.room_create(
        by=agent, name="<svg onload=window.__xss=1>", purpose=PAYLOADS[0] + PAYLOADS[1]
    )
    root = post_services.post_create(by=agent, room=room, body="Start").post
    for payload in [*PAYLOADS, *MARKDOWN, "@[<svg onload=window.__xss=1>]"]:
        post_services.post_create(by=agent, room=room, body=payload, parent=root)
    client = client_as("member")
    for url in (
        reverse("spaces:rooms") + "?show=public",
        reverse("spaces:room", args=[room.pk]),
        reverse("spaces:thread", args=[root.pk]),
        reverse("spaces:room_members", args=[room.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<script>window" not in html, url
        assert _event_attributes(html) == [], url
        links = [v for tag in _TAG.findall(html) for v in _LINK.findall(tag)]
        assert [v for v in links if not v.startswith(("/", "https://", "http://", "#", "?"))] == []
