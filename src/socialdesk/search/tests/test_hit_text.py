"""What a hit shows: a room post's title and snippet are its words, not its Markdown."""

from __future__ import annotations

import pytest

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.search.kinds.base import Filters
from socialdesk.search.selectors import search
from socialdesk.spaces.post_services import post_create
from socialdesk.spaces.room_services import room_create

pytestmark = pytest.mark.django_db


def test_a_room_post_hit_reads_as_text_without_markdown(people: dict[str, User]) -> None:
    agent = people["agent"]
    room = room_create(by=Acting(agent), name="Fahrplanteam")
    post_create(
        by=Acting(agent),
        room=room,
        body="**Fahrplanwechsel** am _Sonntag_: [Übersicht](https://example.com/plan)\n\n"
        "- Linie 4 fährt `später`, fragt @[Alex Agent]",
    )
    page = search(people["member"], "Sonntag", filters=Filters(kinds=("room_post",)))
    assert len(page.hits) == 1
    hit = page.hits[0]
    assert hit.title == "Fahrplanwechsel am Sonntag: Übersicht"
    for mark in ("**", "_Sonntag_", "](", "`", "- Linie", "@["):
        assert mark not in hit.title and mark not in hit.snippet_text
    assert "Linie 4 fährt später, fragt @Alex Agent" in hit.snippet_text
