"""A real `socialdesk worker` lowers its CPU priority, so that on a busy machine the web
server's pages come first (WORKER_NICE; bench/bench_load.py measures what it changes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sites import ROOT, Site, stop

BEATS = "SELECT pid FROM core_workerheartbeat"


def _threads_niceness(pid: int) -> dict[int, int]:
    """Each thread's niceness (Linux keeps one per thread)."""
    return {
        int(tid): os.getpriority(os.PRIO_PROCESS, int(tid))
        for tid in os.listdir(f"/proc/{pid}/task")
    }


def _started(
    site: Site, *args: str, preexec: int = 0
) -> tuple[subprocess.Popen[bytes], dict[int, int]]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "socialdesk.cli", "worker", "--channels-every", "600", *args],
        env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(preexec)) if preexec else None,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not site.query(BEATS):  # running: its schedule thread and task threads are started
        assert worker.poll() is None, "the worker stopped"
        assert time.monotonic() < deadline, "no heartbeat within 60 s"
        time.sleep(0.3)
    return worker, _threads_niceness(worker.pid)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_the_worker_runs_every_thread_at_its_lower_priority(tmp_path: Path) -> None:
    site = Site(tmp_path, name="priority", WORKER_NICE="7")
    try:
        site.command("migrate", "--no-input", "-v", "0")
        worker, niceness = _started(site)
        stop(worker, 30)
        assert len(niceness) > 1  # the schedule thread and the heartbeat's are there too
        assert set(niceness.values()) == {7}, niceness

        # --nice overrides the setting; a worker started lower than asked is never raised
        worker, niceness = _started(site, "--nice", "12")
        stop(worker, 30)
        assert set(niceness.values()) == {12}, niceness
        worker, niceness = _started(site, "--nice", "0", preexec=3)
        stop(worker, 30)
        assert set(niceness.values()) == {3}, niceness
    finally:
        site.drop()
