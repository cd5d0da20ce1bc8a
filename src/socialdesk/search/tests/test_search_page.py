"""The search page as a person uses it: one box, hits they may open, errors at the field."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.models import Department, User
from socialdesk.inbox import selectors as inbox
from socialdesk.search import indexing
from socialdesk.search.tests.world import MARK, build

pytestmark = pytest.mark.django_db
PAGE = reverse("search:results")


@pytest.fixture
def world(people: dict[str, User], departments: dict[str, Department]) -> dict[str, User]:
    built = build(people, departments)
    indexing.reindex()
    for person in built.people.values():
        person.language = "de"
        person.save()
    return built.people


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<p class="hit-head">.*?<a href="([^"]+)"', html)


def _heads(html: str) -> list[tuple[str, str, str]]:
    """(type, link, title) of each hit: a contact links to its conversation too."""
    pattern = r'<p class="hit-head"><span class="badge">([^<]*)</span> <a href="([^"]+)">([^<]*)'
    return re.findall(pattern, html)


def test_it_finds_a_german_compound_by_its_part_and_marks_it(world, client_as):
    page = client_as("agent").get(PAGE, {"q": "Ticket", "type": "message"}).content.decode()
    messages = inbox.messages_for_user(world["agent"]).filter(text__contains="Ticketkauf")
    assert len(_hrefs(page)) == messages.count() == 4
    assert "<mark>Ticketkauf</mark>" in page
    assert "4 Treffer" in page


def test_it_never_lists_a_conversation_the_member_may_not_open(world, client_as):
    member = world["member"]
    page = client_as("member").get(PAGE, {"q": MARK, "type": "conversation"}).content.decode()
    allowed = {
        reverse("inbox:conversation", args=[c.pk])
        for c in inbox.conversations_for_user(member).filter(preview__contains=MARK)
    }
    assert set(_hrefs(page)) == allowed and len(allowed) == 1  # only Product Development's


def test_it_says_what_is_wrong_with_a_query_at_the_field_and_keeps_it(world, client_as):
    page = client_as("agent").get(PAGE, {"q": '"Ticket kauf'}).content.decode()
    assert 'id="id_q-errors"' in page and 'aria-invalid="true"' in page
    assert "Position" in page  # German, naming where
    assert 'value="&quot;Ticket kauf"' in page  # what was typed stays in the box
    assert _hrefs(page) == []


def test_it_checks_the_filters_at_their_fields(world, client_as):
    response = client_as("agent").get(
        PAGE, {"q": MARK, "since": "2026-11-30", "until": "2026-11-01"}
    )
    page = response.content.decode()
    assert 'id="id_until-errors"' in page and "Das Enddatum liegt vor dem Startdatum." in page
    assert _hrefs(page) == []
    page = client_as("agent").get(PAGE, {"q": MARK, "since": "30.13.2026"}).content.decode()
    assert 'id="id_since-errors"' in page


def test_it_answers_typing_with_the_results_only(world, client_as):
    response = client_as("agent").get(PAGE, {"q": MARK}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and "search-hit" in page


def test_it_explains_the_search_before_anything_is_typed(world, client_as):
    page = client_as("viewer").get(PAGE).content.decode()
    assert 'id="search-empty"' in page and "Drücken Sie /" in page
    page = client_as("viewer").get(PAGE, {"q": "gibtsnichtwort"}).content.decode()
    assert 'id="search-none"' in page and "„gibtsnichtwort“" in page


def test_it_offers_the_box_on_every_page_with_slash_as_shortcut(
    world, client_as: Callable[[str], Client]
):
    home = client_as("member").get(reverse("shell:home")).content.decode()
    assert 'data-shortcut="/"' in home and f'action="{PAGE}"' in home
    search_page = client_as("member").get(PAGE).content.decode()
    assert 'id="top-search"' not in search_page  # the page's own box is the one


def test_it_pages_through_many_hits(world, client_as):
    first = client_as("admin").get(PAGE, {"q": MARK, "order": "newest"}).content.decode()
    hrefs = _hrefs(first)
    assert len(hrefs) == 20 and 'rel="next"' in first
    second = client_as("admin").get(PAGE, {"q": MARK, "order": "newest", "page": 2})
    assert not set(_heads(second.content.decode())) & set(_heads(first))


def test_it_lists_a_wiki_page_with_a_link_that_opens_it(world, client_as):
    client = client_as("member")
    page = client.get(PAGE, {"q": MARK, "type": "wiki_page"}).content.decode()
    hrefs = _hrefs(page)
    assert len(hrefs) == 2  # the organisation's page and its draft, not the private room's
    assert {head[0] for head in _heads(page)} == {"Wiki-Seiten"}
    assert "Entwurf" in page
    for href in hrefs:
        assert client.get(href).status_code == 200
