"""An import's search entries are written in bulk after its rows (`search.backlog`).

What a person notices: after `socialdesk import` every imported message, conversation and
contact is findable exactly as if each had been indexed when it was stored; an import that
stopped early leaves its entries to the worker, not lost; an edit made while the entries are
being written is not overwritten by the older text.
"""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from socialdesk.accounts import services as accounts
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.core import changes
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.importing.sources import parsed_rows
from socialdesk.search import backlog, indexing, staging, tasks
from socialdesk.search.kinds.base import Filters
from socialdesk.search.models import SearchBacklog, SearchEntry
from socialdesk.search.selectors import search

HEADER = [
    "tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
    "in_response_to_tweet_id",
]  # fmt: skip
# Two threads; replies often come before their parents (as in the real file), so with one row
# per chunk conversations are made and then merged, and the merged ones must lose their entries.
ROWS = [
    ["12", "Nord", "False", "Tue Mar 03 09:40:00 +0000 2026", "@602 Ersatzteil unterwegs", "", "11"],
    ["2", "Nord", "False", "Mon Mar 02 08:30:00 +0000 2026", "@501 Wir helfen gern", "3", "1"],
    ["3", "501", "True", "Mon Mar 02 08:45:00 +0000 2026", "@Nord Fahrkartenautomat hakt", "4", "2"],
    ["11", "602", "True", "Tue Mar 03 09:00:00 +0000 2026", "@Nord Kaffeemaschine tropft", "12", ""],
    ["1", "501", "True", "Mon Mar 02 08:00:00 +0000 2026", "@Nord Ticketkauf kaputt", "2", ""],
    ["4", "Nord", "False", "Mon Mar 02 09:00:00 +0000 2026", "@501 Techniker kommt", "", "3"],
]  # fmt: skip
ENTRY = [
    "kind", "object_id", "conversation_id", "room_id", "space_id", "author_id", "language", "at",
    "title_terms", "body_terms", "parts",
]  # fmt: skip


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "history.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def _entries() -> set[tuple[Any, ...]]:
    """The entries of what an import writes (people made by the fixtures have none yet)."""
    imported = SearchEntry.objects.filter(kind__in=["message", "conversation", "contact"])
    return set(imported.values_list(*ENTRY))


def _found(user: User, query: str) -> set[tuple[str, int]]:
    page = search(user, query, filters=Filters(), limit=100)
    assert page.problem is None, page.problem
    return {(hit.kind, hit.object_id) for hit in page.hits}


@pytest.mark.django_db(transaction=True)  # PostgreSQL: the catch-up's processes see the rows
def test_after_an_import_every_entry_is_what_a_reindex_writes(
    people: dict[str, User], tmp_path: Path
) -> None:
    out = StringIO()
    call_command(
        "import", "--format", "twcs", "--chunk-size", "1", str(_csv(tmp_path)),
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    after_import = _entries()
    assert not SearchBacklog.objects.exists()
    kinds = sorted(kind for kind, *_rest in after_import)
    assert kinds.count("message") == len(ROWS)
    assert kinds.count("conversation") == 2  # the merged ones lost theirs
    assert kinds.count("contact") == 2
    written = int(out.getvalue().split("search entries written: ")[1].split()[0])
    assert written >= len(after_import)  # and the merged conversations, whose entries went
    indexing.reindex()
    assert _entries() == after_import
    assert {kind for kind, _pk in _found(people["admin"], "fahrkartenautomat")} >= {"message"}


def test_an_import_that_stops_before_its_entries_leaves_them_to_the_worker(
    people: dict[str, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backlog, "ROUND", 4)  # several rounds, each row once
    importer = Importer(network="twitter", company_handles={"Nord"}, thread_start_needs_reply=True)
    with changes.deferred():  # the process dies before it catches up
        importer.feed("history.csv", parsed_rows("twcs", _csv(tmp_path), mapping={}, account=""))
    admin = people["admin"]
    assert _found(admin, "kaffeemaschine") == set()
    assert SearchBacklog.objects.filter(kind="message").count() == len(ROWS)
    waiting = SearchBacklog.objects.count()
    assert tasks.catch_up_search.call() == waiting
    assert not SearchBacklog.objects.exists()
    assert {kind for kind, _pk in _found(admin, "kaffeemaschine")} == {"message"}
    caught_up = _entries()
    indexing.reindex()
    assert _entries() == caught_up


def test_an_edit_made_while_the_entries_are_written_is_not_overwritten(
    people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    mia, admin = people["member"], people["admin"]

    def rename(name: str) -> None:
        accounts.user_update_preferences(
            by=Acting(user=mia), user=mia, full_name=name, language="de", time_zone="UTC"
        )

    with transaction.atomic(), changes.deferred():
        rename("Mia Altname")
    assert SearchBacklog.objects.filter(kind="person", object_id=mia.pk).exists()
    copy = staging.copy_in_time_order

    def edit_then_copy(*args: Any, **kwargs: Any) -> int:
        rename("Mia Neuname")  # a live edit after the catch-up read "Altname": written at once
        return copy(*args, **kwargs)

    monkeypatch.setattr(staging, "copy_in_time_order", edit_then_copy)
    backlog.catch_up()
    assert _found(admin, "neuname") == {("person", mia.pk)}
    assert _found(admin, "altname") == set()


def test_an_object_noted_again_while_the_entries_are_written_waits_for_the_next_catch_up(
    people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    mia, admin = people["member"], people["admin"]

    def rename(name: str) -> None:
        with transaction.atomic(), changes.deferred():
            accounts.user_update_preferences(
                by=Acting(user=mia), user=mia, full_name=name, language="de", time_zone="UTC"
            )

    rename("Mia Erstname")
    copy = staging.copy_in_time_order

    def note_again_then_copy(*args: Any, **kwargs: Any) -> int:
        rename("Mia Zweitname")  # another import touches her while the first catch-up runs
        return copy(*args, **kwargs)

    monkeypatch.setattr(staging, "copy_in_time_order", note_again_then_copy)
    backlog.catch_up()
    assert SearchBacklog.objects.filter(kind="person", object_id=mia.pk).exists()
    monkeypatch.setattr(staging, "copy_in_time_order", copy)
    backlog.catch_up()
    assert not SearchBacklog.objects.exists()
    assert _found(admin, "zweitname") == {("person", mia.pk)}
    assert _found(admin, "erstname") == set()
