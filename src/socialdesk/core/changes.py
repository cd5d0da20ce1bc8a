"""The kernel hook for "these objects changed": services below tell, the search above listens.

A service that creates, edits or deletes an object the search indexes calls
`changed("inbox.message", [pk, …])` inside its own transaction; `search.indexing` registers
with `listen(...)` in its `AppConfig.ready()` and updates its entries in the same transaction,
so the index never shows what was rolled back and never misses what was committed. A listener's
error rolls the writer's transaction back, like any other error inside it.

The apps below the search never import it (layers point down); this module is all they know.
`muted()` switches the hook off for bulk work that rebuilds the index afterwards (the bench).

A listener may also offer to catch up later (`listen(refresh, later=note, catch_up=drain)`):
inside `deferred()` (a history import) it hears of changes through `later`, which notes what
changed in the same transaction, cheaply and durably; `catch_up()` (after the block, or a
background task if the process died first) then does the work in bulk. Listeners without
these hooks hear every change at once, deferred or not.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.db import connection

from socialdesk.core import forked

Listener = Callable[[str, tuple[int, ...]], None]
Progress = Callable[[int, int], None]  # (done, total)
# (jobs=…, progress=…, least=…, before=…) -> objects brought up to date
CatchUp = Callable[..., int]

SOURCES = frozenset(
    {
        "accounts.user",
        "inbox.conversation",
        "inbox.message",
        "inbox.note",
        "inbox.contact",
        "feedback.item",
        "publishing.post",
        "publishing.idea",
        "spaces.room",
        "spaces.post",
        "wiki.page",
    }
)
"""What may change: `<app>.<model>`. A new source is added here first (a typo fails loudly)."""

_listeners: list[Listener] = []
_later: dict[Listener, Listener] = {}
_catch_ups: list[CatchUp] = []
_warms: list[Callable[[], None]] = []
_muted: ContextVar[int] = ContextVar("socialdesk_changes_muted", default=0)
_deferring: ContextVar[int] = ContextVar("socialdesk_changes_deferring", default=0)


class OutsideTransaction(RuntimeError):
    """`changed()` was called outside the writer's transaction (tests and DEBUG only)."""


def listen(
    listener: Listener,
    *,
    later: Listener | None = None,
    catch_up: CatchUp | None = None,
    warm: Callable[[], None] | None = None,
) -> None:
    """Call `listener(source, ids)` for every change from now on (once, however often added);
    inside `deferred()`, `later(source, ids)` instead, when given, and `catch_up` is what
    `catch_up()` calls. `warm`: loads once what catching up needs (dictionaries), called before
    a process is forked to catch up beside a bulk write, so that it shares what was loaded."""
    if listener not in _listeners:
        _listeners.append(listener)
    if later is not None:
        _later[listener] = later
    if catch_up is not None and catch_up not in _catch_ups:
        _catch_ups.append(catch_up)
    if warm is not None and warm not in _warms:
        _warms.append(warm)


def changed(source: str, ids: Iterable[int]) -> None:
    """Tell every listener, now, that the objects `ids` of `source` were created, edited or
    deleted. Call it inside the service's transaction (checked in tests and with DEBUG)."""
    if source not in SOURCES:
        raise ValueError(f"unknown source of changes: {source!r}")
    unique = tuple(dict.fromkeys(int(pk) for pk in ids))
    if _require_transaction() and not connection.in_atomic_block:
        raise OutsideTransaction(
            f"core.changes.changed({source!r}, …) outside a transaction: call it inside the "
            "service's transaction.atomic(), so the index and the data commit together"
        )
    if not unique or _muted.get():
        return
    deferring = _deferring.get() > 0
    for listener in list(_listeners):
        hook = _later.get(listener) if deferring else None
        (hook or listener)(source, unique)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No listener hears anything inside this block (bulk loads that reindex afterwards)."""
    token = _muted.set(_muted.get() + 1)
    try:
        yield
    finally:
        _muted.reset(token)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Listeners that can catch up later only note what changes inside this block; call
    `catch_up()` after it (bulk work such as a history import)."""
    token = _deferring.set(_deferring.get() + 1)
    try:
        yield
    finally:
        _deferring.reset(token)


def catch_up(*, jobs: int = 1, progress: Progress | None = None, before: int = 0) -> int:
    """Let every listener that noted changes for later do that work now (`jobs` processes
    where it can use them); returns how many objects were brought up to date. `before`: how
    many of the same bulk write were caught up beside it (`caught_up_beside`)."""
    return sum(hook(jobs=jobs, progress=progress, before=before) for hook in list(_catch_ups))


BESIDE_LEAST = 20_000  # objects noted before a round beside a bulk write catches them up
BESIDE_POLL = 0.5  # seconds between looks at what is noted


def caught_up_beside(*, least: int | None = None) -> AbstractContextManager[Callable[[], int]]:
    """Inside `deferred()`: while the block writes, a forked process catches up what it noted
    (`core.forked.beside`), a round whenever `least` (default BESIDE_LEAST) or more objects
    wait, so that writing and catching up use a core each: a history import of 100,000 rows
    on PostgreSQL took 30–35 s one after the other and 23–24 s so. Yields the function
    giving how many objects it caught up (read it after the block); `catch_up(before=…)`
    after the block does what it left. PostgreSQL only, outside a transaction: SQLite lets
    one writer in at a time, and the process sees only what is committed."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or not _catch_ups:
        return nullcontext(lambda: 0)
    for warm in _warms:  # loaded here, where the block's own catch-up needs it afterwards too
        warm()
    return forked.beside(partial(_rounds_beside, BESIDE_LEAST if least is None else least))


def _rounds_beside(least: int, stopping: forked.Stopping, add: forked.Add) -> None:
    while not stopping():
        caught = sum(hook(jobs=1, least=least) for hook in list(_catch_ups))
        add(caught)
        if not caught:
            time.sleep(BESIDE_POLL)


def _require_transaction() -> bool:
    return bool(settings.CHANGES_REQUIRE_TRANSACTION)


def _forget_listeners() -> list[Listener]:
    """Remove and return every listener (tests that need a quiet hook put them back)."""
    removed = list(_listeners)
    _listeners.clear()
    return removed
