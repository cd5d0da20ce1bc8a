"""The processes of a reindex (`indexing.processes`): every task's result arrives once, and a
process that dies (killed by the operator or for want of memory) stops the work with an
error the command shows, instead of leaving the reindex waiting for that result for ever."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from socialdesk.search import indexing


def _range_of(task: int) -> indexing.Built:
    return "message", (task,), []


def _dies_at_three(task: int) -> indexing.Built:
    if task == 3:
        os._exit(9)  # as a process the kernel kills: no exception, no result
    return _range_of(task)


@contextmanager
def _at_most(seconds: int) -> Iterator[None]:
    def waited_too_long(*_args: Any) -> None:
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_two_processes_give_every_task_s_result_once() -> None:
    with _at_most(120), indexing.processes(_range_of, 2) as run:
        results = list(run(range(25)))
    assert sorted(ids[0] for _key, ids, _rows in results) == list(range(25))


def test_a_process_that_dies_stops_the_work_with_an_error_instead_of_a_wait() -> None:
    seen: list[int] = []
    lost = pytest.raises(indexing.ProcessLost, match="ended abruptly")
    with _at_most(120), lost, indexing.processes(_dies_at_three, 2) as run:
        for _key, ids, _rows in run(range(25)):
            seen.append(ids[0])
    assert 3 not in seen and len(seen) < 25


def test_a_lost_process_ends_the_work_under_a_parent_that_finishes_before_it_stops() -> None:
    """The worker (`socialdesk worker`) handles SIGTERM by finishing its task first. Processes
    forked from it took that handler along: when one was lost, the pool terminated the others
    and waited for them for ever (a CI run hung here until the alarm)."""
    previous = signal.signal(signal.SIGTERM, lambda *_args: None)
    try:
        lost = pytest.raises(indexing.ProcessLost, match="ended abruptly")
        with _at_most(60), lost, indexing.processes(_dies_at_three, 2) as run:
            for _result in run(range(25)):
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_work_handed_to_the_processes_after_one_died_ends_with_the_same_error() -> None:
    """The pool takes no more work once a process died: the next task handed to it (here one
    second after the loss, long after the pool noticed it) ends the work with `ProcessLost`
    too, not with the pool's own error (a CI run saw it there)."""
    import time

    def tasks() -> Iterator[int]:
        yield 3  # its process dies
        time.sleep(1)
        yield from range(4, 25)

    lost = pytest.raises(indexing.ProcessLost, match="ended abruptly")
    with _at_most(60), lost, indexing.processes(_dies_at_three, 2) as run:
        for _result in run(tasks()):
            pass
