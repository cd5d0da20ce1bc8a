"""A pool of forked processes for CPU-bound work beside a process that writes.

The work (text analysis) is loaded once in the parent and shared by the forked processes.
Each process gets database connections of its own: the inherited ones are the parent's, and
closing them in a child would end the parent's session. A process that dies (killed, out of
memory) ends the work with `ProcessLost` instead of leaving the parent waiting for ever
(multiprocessing.Pool's way).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import util
from typing import Any

from django.db import connections

logger = logging.getLogger(__name__)


class ProcessLost(RuntimeError):
    """A forked process ended before its work was done."""


@contextmanager
def forked_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """`jobs` forked processes; on the way out the tasks not started are dropped and the
    started ones end first (their connections close as they exit)."""
    pool = ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_on_start,
        initargs=(os.getpid(),),
    )  # fmt: skip
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def submit[A, T](
    pool: ProcessPoolExecutor, work: Callable[[A], T], task: A, doing: str
) -> Future[T]:
    """Hand `task` to the pool; `ProcessLost` if a process already died (the pool takes no
    more work then: the next task handed to it found that out before any result did)."""
    try:
        return pool.submit(work, task)
    except BrokenProcessPool as lost:
        raise _lost(doing) from lost


def result[T](future: Future[T], doing: str) -> T:
    """The future's result; `ProcessLost` naming what the process was `doing` if it died."""
    try:
        return future.result()
    except BrokenProcessPool as lost:
        raise _lost(doing) from lost


def _lost(doing: str) -> ProcessLost:
    return ProcessLost(f"A process {doing} ended abruptly (killed, or out of memory?).")


_inherited: list[Any] = []  # the parent's connections, never used or closed in a child


def _on_start(parent: int) -> None:
    """In a forked process: SIGTERM ends it again, also when `parent` ends, and it opens
    connections of its own.

    The parent may handle SIGTERM by finishing its work first (`socialdesk worker`, whose task
    runner does; a test that ran it in-process): a forked process inherits that handler, and
    when one process is lost the pool terminates the others and waits for them, for ever. A
    parent killed outright (an import stopped with SIGKILL) left its pool's processes waiting
    for work for ever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(parent)
    _own_connections()


PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent ends


def _end_with(parent: int) -> None:
    """Linux: SIGTERM when the parent ends (elsewhere nothing); a parent already gone ends
    this process now."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl here
        return
    if os.getppid() != parent:
        os._exit(1)


def _own_connections() -> None:
    """In a forked process: connections of its own, closed when the process ends."""
    for alias in connections:
        _inherited.append(connections[alias])
        connections[alias] = connections.create_connection(alias)
    util.Finalize(None, connections.close_all, exitpriority=10)


Stopping = Callable[[], bool]  # whether the work beside should end now
Add = Callable[[int], None]  # counts what the work beside did so far


@contextmanager
def beside(work: Callable[[Stopping, Add], None]) -> Iterator[Callable[[], int]]:
    """Run `work(stopping, add)` in a forked process beside this block, with connections of its
    own: it ends when `stopping()` says so (the block is over, or this process is gone: on
    Linux SIGTERM ends it at once, elsewhere after the work's current step) and counts
    what it did with `add(n)`. Yields the function giving that count (read it after the
    block). Work that fails is logged and counts what it did until then; the block never
    fails for it. Fork before this process starts threads (a forked thread's locks stay held)."""
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    done = context.Value("q", 0)
    process = context.Process(target=_run_beside, args=(work, stop, done, os.getpid()), daemon=True)
    process.start()
    try:
        yield lambda: int(done.value)
    finally:
        stop.set()
        process.join()


def _run_beside(work: Callable[[Stopping, Add], None], stop: Any, done: Any, parent: int) -> None:
    _on_start(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends it

    def add(count: int) -> None:
        with done.get_lock():
            done.value += count

    try:
        work(lambda: stop.is_set() or os.getppid() != parent, add)
    except Exception:
        logger.exception("the work beside stopped; what it left is done after the block")
