"""A process's CPU priority: background work yields to the pages people wait for.

A niceness alone yields only to processes of the same *session* on Linux with automatic
process groups (`kernel.sched_autogroup_enabled`, on by default on most distributions): the
scheduler first shares the CPUs equally between sessions, then by niceness within each. A worker
started in a session of its own (as systemd, a supervisor or a shell's `setsid` start it) took
as much CPU at nice 10 as at nice 0, as much as the web server (bench/bench_load.py). So a process
that leads its own session lowers its session's share too (`/proc/self/autogroup`). One that
does not (a worker `socialdesk serve` started beside gunicorn) leaves it: the web server's
session would be lowered with it. Under systemd with CPU accounting each unit's cgroup has a
share of its own: `CPUWeight=` in deploy/socialdesk-worker@.service sets it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")  # "/autogroup-123 nice 0"


def lower_to(niceness: int) -> int:
    """Lower this process's CPU priority to `niceness` (never raise it: that needs privileges
    socialdesk should not have), and its session's when it leads one (`lower_session_to`);
    return the niceness it now runs at. On Linux each thread has its own: the threads already
    running are lowered too, and those started later take the caller's."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
        except OSError as error:  # a sandbox that refuses it: the work still runs
            logger.warning("could not lower the CPU priority to %d: %s", niceness, error)
    now = os.getpriority(os.PRIO_PROCESS, 0)
    _lower_other_threads_to(now)
    if os.getsid(0) == os.getpid():
        lower_session_to(now)
    return now


def _lower_other_threads_to(niceness: int) -> None:
    """Lower the threads this process already runs (a library may start some on import: numpy's
    OpenBLAS pool ran at nice 0 beside a worker at 7), never raising one. Linux only: elsewhere
    a niceness is the whole process's."""
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return
    for tid in threads:
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) < niceness:
                os.setpriority(os.PRIO_PROCESS, tid, niceness)
        except OSError:  # ended meanwhile, or refused: the work still runs
            continue


def session_niceness() -> int | None:
    """The niceness of this process's session (its autogroup); None where there is none."""
    try:
        return int(AUTOGROUP.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def lower_session_to(niceness: int) -> int | None:
    """Lower the CPU share of this process's session to that of `niceness` (never raise it);
    return the session's niceness now, None where the kernel has no automatic groups."""
    current = session_niceness()
    if current is None or niceness <= current:
        return current
    try:
        AUTOGROUP.write_text(str(niceness))
    except OSError as error:
        logger.warning("could not lower the session's CPU priority to %d: %s", niceness, error)
    return session_niceness()
