"""`GET /api/v1/search`: the caller's permissions, pages, and hostile values (never a 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from socialdesk.accounts.models import Department, User
from socialdesk.inbox.models import Message
from socialdesk.search import indexing
from socialdesk.search.tests.world import MARK, build

Api = Callable[..., Client]


@pytest.fixture
def world(people: dict[str, User], departments: dict[str, Department]) -> dict[str, User]:
    built = build(people, departments)
    message = Message.objects.filter(conversation=built.conversations["product"]).get()
    message.text += ' <script>alert(1)</script> <img src=x onerror="alert(2)">'
    message.save()
    indexing.reindex()
    return built.people


def _get(client: Client, **params: Any) -> Any:
    return client.get("/api/v1/search", params)


def test_it_answers_with_the_hits_the_caller_may_open(api_as: Api, world: dict[str, User]) -> None:
    admin = _get(api_as("admin"), q=MARK, type="conversation")
    assert admin.status_code == 200
    assert len(admin.json()["results"]) == 4
    member = _get(api_as("member"), q=MARK, type=["conversation", "message"], limit=100)
    body = member.json()
    assert {r["type"] for r in body["results"]} == {"conversation", "message"}
    assert len(body["results"]) == 2  # the one conversation of her department, its message
    assert body["more"] is False
    hit = next(r for r in body["results"] if r["type"] == "message")
    assert "&lt;script&gt;" in hit["snippet_html"]
    assert "<script" not in hit["snippet_html"] and "<img" not in hit["snippet_html"]
    assert f"<mark>{MARK}</mark>" in hit["snippet_html"]
    assert hit["url"].startswith("/inbox/")


def test_it_pages_through_the_hits(api_as: Api, world: dict[str, User]) -> None:
    client = api_as("admin")
    first = _get(client, q=MARK, limit=5).json()
    second = _get(client, q=MARK, limit=5, page=2).json()
    assert first["more"] and len(first["results"]) == 5
    ids = {(r["type"], r["id"]) for r in first["results"]}
    assert not ids & {(r["type"], r["id"]) for r in second["results"]}
    newest = _get(client, q=MARK, order="newest", type="message").json()["results"]
    assert [r["at"] for r in newest] == sorted((r["at"] for r in newest), reverse=True)


def test_it_says_what_is_wrong_with_a_query_in_german_and_english(
    api_as: Api, world: dict[str, User]
) -> None:
    english = _get(api_as("admin", **{"Accept-Language": "en"}), q='"QR code')
    assert english.status_code == 400
    assert english.json()["errors"]["q"] == ['The quote is not closed at position 1: “▸"QR code”']
    german = _get(api_as("admin", **{"Accept-Language": "de"}), q="-storno")
    assert german.status_code == 400
    assert "Eine Suche braucht mindestens ein Wort" in german.json()["detail"]


@pytest.mark.parametrize(
    "q",
    [
        'NEAR("a" "b")',
        "title_terms:geheim",
        "^x",
        '"',
        "a*b",
        "' OR 1=1 --",
        "x\x00y",
        "*",
        "((a",
        "a)",
        "a AND",
        "ä" * 600,
        "{title_terms}: x",
        "%s %%",
        "🚆",
    ],
)
def test_it_never_fails_on_hostile_queries(api_as: Api, world: dict[str, User], q: str) -> None:
    response = _get(api_as("member"), q=q)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["errors"]["q"]
    else:
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"page": 0},
        {"page": 10**12},
        {"type": "bogus"},
        {"from": "yesterday"},
        {"author": 2**70},
        {"order": "random"},
    ],
)
def test_it_refuses_wrong_values_by_name(
    api_as: Api, world: dict[str, User], params: dict[str, Any]
) -> None:
    response = _get(api_as("member"), q=MARK, **params)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_it_asks_to_narrow_the_search_beyond_500_hits(api_as: Api, world: dict[str, User]) -> None:
    response = _get(api_as("admin"), q=MARK, limit=100, page=7)
    assert response.status_code == 400
    assert response.json()["detail"] == "Please narrow your search down."


def test_it_needs_a_token(world: dict[str, User]) -> None:
    assert Client().get("/api/v1/search", {"q": MARK}).status_code == 401
