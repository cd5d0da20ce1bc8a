"""`search reindex --offline`: the indexes (PostgreSQL: also the (kind, object_id) key) are set
aside and made again; on PostgreSQL a reindex of every kind empties the table first, on SQLite
kinds not indexed yet are written with plain inserts. What an operator relies on: every index
is back as it was, entries of objects that are gone are removed and counted, kinds not
reindexed keep their entries, and a reindex that fails changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from socialdesk.accounts.models import Department, User
from socialdesk.search import indexing
from socialdesk.search.models import SearchEntry
from socialdesk.search.selectors import search
from socialdesk.search.tests.world import MARK, build
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
    """The table's indexes and constraints with their definitions."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE tbl_name = 'search_searchentry' AND type IN ('table', 'index')"
            )
            return set(cursor.fetchall())
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_searchentry' "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST('search_searchentry' AS regclass)"
        )
        return set(cursor.fetchall())


@pytest.mark.usefixtures("indexed")
def test_every_index_and_key_is_back_after_an_offline_reindex() -> None:
    schema = _schema()
    names = {name for name, _definition in schema}
    assert {"search_entry_conversation", "search_entry_kind_at", "search_stale"} <= names
    if connection.vendor == "postgresql":
        assert {"search_entry_vector", "search_entry_unique"} <= names
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
    schema = _schema()
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
    assert _schema() == schema


def test_an_offline_reindex_into_an_empty_index_writes_what_a_live_reindex_writes(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    build(people, departments)
    indexing.reindex()
    live = _entries()
    found = _found(people["admin"])
    assert found
    SearchEntry.objects.all().delete()

    result = indexing.reindex(offline=True)

    after = _entries()
    assert result.documents == len(after) and result.removed == 0
    assert {k: v[1:] for k, v in after.items()} == {k: v[1:] for k, v in live.items()}
    in_time_order = sorted(after.items(), key=lambda kv: (kv[1][1], *kv[0]))
    ids = [values[0] for _key, values in in_time_order]
    assert ids == sorted(ids)  # as a live reindex gives them
    assert _found(people["admin"]) == found  # the full-text index was built from them


def _found(user: User) -> set[tuple[str, int]]:
    page = search(user, MARK, limit=100)
    return {(hit.kind, hit.object_id) for hit in page.hits}
