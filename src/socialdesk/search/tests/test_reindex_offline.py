"""`search reindex --offline`: on PostgreSQL the indexes and the (kind, object_id) key are set
aside and made again, and a reindex of every kind empties the table first. What an operator
relies on: every index is back as it was, entries of objects that are gone are removed and
counted, kinds not reindexed keep their entries, and a reindex that fails changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from socialdesk.accounts.models import Department, User
from socialdesk.search import indexing
from socialdesk.search.models import SearchEntry
from socialdesk.search.tests.world import build
from socialdesk.spaces.models import RoomPost
from socialdesk.wiki.models import WikiPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(people: dict[str, User], departments: dict[str, Department]) -> None:
    build(people, departments)
    indexing.reindex()


def _entries() -> dict[tuple[str, int], tuple[Any, ...]]:
    """Every entry by (kind, object_id): its id and what it holds."""
    rows = SearchEntry.objects.values_list(
        "kind", "object_id", "id", "at", "title_terms", "body_terms", "parts", "conversation_id"
    )
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def _schema() -> set[tuple[str, str]]:
    """PostgreSQL: the table's indexes and constraints with their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchentry' "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST('search_searchentry' AS regclass)"
        )
        return set(cursor.fetchall())


@pytest.mark.usefixtures("indexed")
def test_every_index_and_key_is_back_after_an_offline_reindex() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes")
    schema = _schema()
    names = {name for name, _definition in schema}
    assert {"search_entry_vector", "search_entry_unique", "search_entry_kind_at"} <= names
    before = _entries()
    indexing.reindex(offline=True)
    assert _schema() == schema
    after = _entries()
    assert after.keys() == before.keys()
    assert {k: v[1:] for k, v in after.items()} == {k: v[1:] for k, v in before.items()}
    indexing.reindex(kinds=["wiki_page"], offline=True)
    assert _schema() == schema


@pytest.mark.usefixtures("indexed")
def test_an_offline_reindex_removes_and_counts_the_entries_of_objects_gone() -> None:
    post = RoomPost.objects.order_by("pk").first()
    page = WikiPage.objects.order_by("pk").first()
    assert post is not None and page is not None
    # removed behind the index's back (no change announced): their entries stay until now
    RoomPost.objects.filter(pk=post.pk).delete()
    WikiPage.objects.filter(pk=page.pk).delete()
    before = _entries()
    assert ("room_post", post.pk) in before and ("wiki_page", page.pk) in before

    result = indexing.reindex(offline=True)

    after = _entries()
    assert result.removed == 2
    assert after.keys() == before.keys() - {("room_post", post.pk), ("wiki_page", page.pk)}
    assert result.documents == len(after)


@pytest.mark.usefixtures("indexed")
def test_an_offline_reindex_of_some_kinds_keeps_every_other_entry() -> None:
    post = RoomPost.objects.order_by("pk").first()
    page = WikiPage.objects.order_by("pk").first()
    assert post is not None and page is not None
    RoomPost.objects.filter(pk=post.pk).delete()  # behind the index's back, as above
    WikiPage.objects.filter(pk=page.pk).delete()
    before = _entries()
    others = {key: value for key, value in before.items() if key[0] != "wiki_page"}
    assert others and len(others) < len(before)

    result = indexing.reindex(kinds=["wiki_page"], offline=True)

    after = _entries()
    assert result.removed == 1  # the page's entry; the room post's waits for its own kind
    assert {k: v for k, v in after.items() if k[0] != "wiki_page"} == others  # ids too
    pages = {k for k in before if k[0] == "wiki_page"}
    assert {k for k in after if k[0] == "wiki_page"} == pages - {("wiki_page", page.pk)}


@pytest.mark.usefixtures("indexed")
def test_an_offline_reindex_that_fails_leaves_the_index_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _entries()
    schema = _schema() if connection.vendor == "postgresql" else set()
    made = indexing._rows
    calls: list[int] = []

    def failing(*args: Any) -> list[indexing.Row]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return made(*args)

    monkeypatch.setattr(indexing, "_rows", failing)
    with pytest.raises(RuntimeError):
        indexing.reindex(offline=True)

    assert _entries() == before
    if connection.vendor == "postgresql":
        assert _schema() == schema
