"""`socialdesk search reindex --jobs 2` as an operator runs it: forked processes read, analyse
and make the rows, each with its own connection, on a SQLite file or a PostgreSQL database.

The suite's own database cannot show this (SQLite in memory, or a test's open transaction,
which no other process sees; the reindex then works in one process): here a site in a
temporary folder gets the demo data and an imported history, and the index built with two
processes must be the one built with one, entry for entry and in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from bench import twcs_corpus

from tests.sites import Site

ROWS = 6_000  # more messages than one process reads at once (indexing.CHUNK)
COLUMNS = (
    "kind, object_id, conversation_id, room_id, space_id, author_id, language, at, "
    "title_terms, body_terms, parts"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("reindex-site")
    site = Site(folder, name="reindex")
    try:
        site.command("migrate", "--no-input", timeout=300)
        site.command("demo", timeout=300)
        history = folder / "history.csv"
        twcs_corpus.write_csv(history, ROWS, seed=3, start=datetime(2026, 1, 5, tzinfo=UTC))
        site.command("import", str(history), "--format", "twcs", timeout=600)
        yield site
    finally:
        site.drop()


def _entries(site: Site) -> list[tuple[Any, ...]]:
    """Every entry in id order (ids themselves differ from one reindex to the next)."""
    rows = site.query(f"SELECT {COLUMNS} FROM search_searchentry ORDER BY id")
    return [tuple(str(value) for value in row) for row in rows]


def _reindexed(site: Site, processes: int, *options: str) -> list[tuple[Any, ...]]:
    site.execute("DELETE FROM search_searchentry")
    assert site.count("SELECT count(*) FROM search_searchentry") == 0
    out = site.command("search", "reindex", "--jobs", str(processes), *options, timeout=600)
    assert f"{processes} process" in out
    return _entries(site)


@pytest.mark.slow
def test_two_processes_build_the_index_one_process_builds(site: Site) -> None:
    alone = _reindexed(site, 1)
    kinds = {row[0] for row in alone}
    assert {"message", "conversation", "contact", "wiki_page", "room_post", "person"} <= kinds
    assert sum(row[0] == "message" for row in alone) > 5_000
    assert [row[7] for row in alone] == sorted(row[7] for row in alone)  # ids follow time

    # one transaction, the full-text table (SQLite) or GIN index (PostgreSQL) built once
    assert _reindexed(site, 2, "--offline") == alone
    assert _reindexed(site, 2) == alone

    # and what they indexed is found
    page_id, terms = site.query(
        "SELECT object_id, title_terms FROM search_searchentry WHERE kind = 'wiki_page' "
        "ORDER BY id DESC LIMIT 1"
    )[0]
    word = max(str(terms).split(), key=len)
    found = json.loads(site.command("search", word, "--type", "wiki_page", "--json"))
    assert int(page_id) in [hit["id"] for hit in found]
