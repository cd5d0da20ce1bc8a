"""`socialdesk search reindex` and `socialdesk search QUERY`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialdesk.accounts.models import Department, User
from socialdesk.search.models import SearchEntry
from socialdesk.search.tests.world import MARK, build


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("search", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def world(people: dict[str, User], departments: dict[str, Department]) -> dict[str, User]:
    return build(people, departments).people


def test_it_reindexes_with_progress_lines_without_a_terminal(world: dict[str, User]) -> None:
    SearchEntry.objects.all().delete()
    out, err = _run("reindex")
    entries = SearchEntry.objects.count()
    assert entries > 20
    assert f"{entries:,} documents indexed" in out
    lines = err.strip().splitlines()
    assert lines[0].startswith("analysing [--------------------]   0% 0/")
    assert any(line.startswith("analysing [####################] 100%") for line in lines)
    assert lines[-1].startswith(f"writing [####################] 100% {entries:,}/{entries:,}")
    assert "\r" not in err  # plain lines, no terminal control


def test_it_searches_as_a_person_and_prints_json(world: dict[str, User]) -> None:
    _run("reindex")
    out, _err = _run(MARK, "--type", "conversation", "--json")
    as_admin = json.loads(out)
    assert len(as_admin) == 4
    assert {"type", "id", "title", "url", "snippet", "score"} <= set(as_admin[0])
    assert "<mark>" in as_admin[0]["snippet_html"]
    out, _err = _run(MARK, "--type", "conversation", "--as", "mia@example.com", "--json")
    assert [hit["id"] for hit in json.loads(out)] == [
        c["id"] for c in as_admin if "product" in c["snippet"]
    ]
    out, _err = _run(MARK, "--as", "mia@example.com", "--limit", "3")
    assert out.count("score") == 3
    assert "more than 3 hits" in out


def test_it_exits_with_2_and_the_position_on_an_unreadable_query(
    world: dict[str, User],
) -> None:
    with pytest.raises(CommandError) as caught:
        _run('"QR code')
    assert caught.value.returncode == 2
    assert "The quote is not closed at position 1" in str(caught.value)
    with pytest.raises(CommandError) as caught:
        _run("x", "--as", "nobody@example.com")
    assert caught.value.returncode == 2


def test_it_searches_for_the_word_reindex_with_query(world: dict[str, User]) -> None:
    out, _err = _run("--query", "reindex")
    assert "No hits for “reindex”." in out
