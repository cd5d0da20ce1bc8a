"""On PostgreSQL an import's search entries are written beside it (`core.changes.caught_up_beside`):
a forked process catches up what the import noted while the import goes on storing rows.

What a person notices: the same entries as when they were written after the import (and as a
reindex writes), found by the search; an import whose process beside fails still leaves every
entry written. (A killed import leaves no process behind: `core/tests/test_forked.py`.)
"""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pyphen
import pytest
from django.core.management import call_command
from django.db import connection

from socialdesk.accounts.models import User
from socialdesk.core import changes
from socialdesk.inbox.importing import pipeline
from socialdesk.search import compounds, indexing, staging
from socialdesk.search.models import SearchBacklog
from socialdesk.search.tests.test_backlog import ROWS, _csv, _entries, _found

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the process beside sees what is committed
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite: one writer at a time"),
]


def _import(path: Path) -> int:
    """`socialdesk import` of `path` a row per chunk; the search entries it says it wrote."""
    out = StringIO()
    call_command(
        "import", "--format", "twcs", "--chunk-size", "1", str(path), stdout=out, stderr=StringIO()
    )
    return int(out.getvalue().split("search entries written: ")[1].split()[0])


def _told(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The list the catch-up after the import appends what it was told was caught up beside."""
    told: list[int] = []
    catch_up = changes.catch_up

    def catch_up_after(**kwargs: Any) -> int:
        told.append(kwargs["before"])
        return catch_up(**kwargs)

    monkeypatch.setattr(changes, "catch_up", catch_up_after)
    return told


def _waiting_for_beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each stored chunk the import waits (at most 10 s) until the process beside has
    caught up everything noted."""
    monkeypatch.setattr(changes, "BESIDE_POLL", 0.02)
    store = pipeline.Importer._store

    def store_then_wait(self: Any, *args: Any, **kwargs: Any) -> Any:
        stored = store(self, *args, **kwargs)
        deadline = time.monotonic() + 10
        while SearchBacklog.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return stored

    monkeypatch.setattr(pipeline.Importer, "_store", store_then_wait)


def test_the_entries_are_written_beside_the_import_as_a_reindex_writes_them(
    people: dict[str, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = _told(monkeypatch)
    _waiting_for_beside(monkeypatch)
    monkeypatch.setattr(changes, "BESIDE_LEAST", 1)
    written = _import(_csv(tmp_path))
    assert told and told[0] >= len(ROWS), told  # every message's entry was caught up beside
    assert not SearchBacklog.objects.exists()
    beside = _entries()
    kinds = sorted(kind for kind, *_rest in beside)
    assert (kinds.count("message"), kinds.count("conversation"), kinds.count("contact")) == (
        len(ROWS), 2, 2,
    )  # fmt: skip
    assert written >= len(beside)
    assert {kind for kind, _pk in _found(people["admin"], "kaffeemaschine")} == {"message"}
    indexing.reindex()
    assert _entries() == beside


def test_below_the_least_round_nothing_is_caught_up_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    told = _told(monkeypatch)
    monkeypatch.setattr(changes, "BESIDE_LEAST", 1000)
    monkeypatch.setattr(changes, "BESIDE_POLL", 0.02)
    _import(_csv(tmp_path))
    assert told == [0]  # all of it after the import
    assert not SearchBacklog.objects.exists()
    assert sorted(kind for kind, *_rest in _entries()).count("message") == len(ROWS)


def test_a_failing_round_beside_leaves_its_objects_to_the_catch_up_after_the_import(
    people: dict[str, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes, "BESIDE_LEAST", 1)
    monkeypatch.setattr(changes, "BESIDE_POLL", 0.02)
    here, copy = os.getpid(), staging.copy_in_time_order

    def fails_beside(*args: Any, **kwargs: Any) -> int:
        if os.getpid() != here:  # in the process beside (forked: it has this patch too)
            raise RuntimeError("the disk is full")
        return copy(*args, **kwargs)

    monkeypatch.setattr(staging, "copy_in_time_order", fails_beside)
    _import(_csv(tmp_path))
    assert not SearchBacklog.objects.exists()
    assert sorted(kind for kind, *_rest in _entries()).count("message") == len(ROWS)
    assert {kind for kind, _pk in _found(people["admin"], "fahrkartenautomat")} == {"message"}


def test_the_process_beside_analyses_with_the_dictionary_loaded_before_it_was_forked(
    people: dict[str, User], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the German dictionary took a core 0.6–1.7 s in every process that analysed:
    the import loads it once, before it forks the process beside, which shares it."""
    monkeypatch.setattr(changes, "BESIDE_LEAST", 1)
    _waiting_for_beside(monkeypatch)
    loads = tmp_path / "loads"
    real = pyphen.Pyphen

    def loaded(*args: Any, **kwargs: Any) -> Any:
        with loads.open("a") as out:  # from whichever process loads it
            out.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyphen, "Pyphen", loaded)
    monkeypatch.setattr(compounds, "_dictionaries", [])  # as in a new process
    told = _told(monkeypatch)
    _import(_csv(tmp_path))
    assert told and told[0] >= len(ROWS)  # the process beside analysed the messages
    assert loads.read_text().split() == [str(os.getpid())]
    assert {kind for kind, _pk in _found(people["admin"], "kaffeemaschine")} == {"message"}
