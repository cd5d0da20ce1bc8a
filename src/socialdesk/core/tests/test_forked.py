"""Forked processes (`core.forked`) never outlive the process that forked them: an import or a
reindex stopped with SIGKILL leaves no process behind waiting for work (Linux), and the work
beside a block counts what it did even when it fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from socialdesk.core import forked

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")

KILLED = """
import os, sys, time, django
django.setup()
from socialdesk.core import forked
if sys.argv[1] == "pool":
    with forked.forked_pool(2) as pool:
        list(pool.map(abs, [-1, -2, -3]))  # the processes are up
        print(*(p.pid for p in pool._processes.values()), flush=True)
        os._exit(9)  # as if killed: the pool is never shut down
def work(stopping, add):
    while not stopping():
        time.sleep(0.05)
with forked.beside(work):
    import multiprocessing
    print(multiprocessing.active_children()[0].pid, flush=True)
    os._exit(9)  # as if killed: the block never ends
"""


@pytest.mark.parametrize("what", ["pool", "beside"])
def test_a_killed_parent_leaves_no_forked_process_behind(what: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED, what], capture_output=True, text=True, timeout=60,
        check=False, env={**os.environ, "DJANGO_SETTINGS_MODULE": "socialdesk.settings"},
    )  # fmt: skip
    assert done.returncode == 9, done.stderr[-2000:]
    pids = [int(pid) for pid in done.stdout.split()]
    assert pids
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie is gone too
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_work_beside_counts_what_it_did_even_when_it_fails() -> None:
    def work(stopping: forked.Stopping, add: forked.Add) -> None:
        add(3)
        add(4)
        raise RuntimeError("lost its connection")

    with forked.beside(work) as counted:
        pass
    assert counted() == 7
