"""`core.priority.lower_to` lowers the threads a process already runs, not only the caller: a
library that starts threads on import (numpy's OpenBLAS pool) left one at nice 0 beside a worker
at 7. Run in a child process: a lowered niceness cannot be raised again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHILD = """
import os, threading
from socialdesk.core import priority
ready, done = threading.Event(), threading.Event()
tids = []
def wait():
    tids.append(threading.get_native_id()); ready.set(); done.wait()
early = threading.Thread(target=wait); early.start(); ready.wait()
high = threading.Thread(target=lambda: (os.setpriority(os.PRIO_PROCESS, 0, 12), done.wait()))
high.start()
priority.lower_to(5)
ids = [int(t) for t in os.listdir("/proc/self/task")]
print(sorted(os.getpriority(os.PRIO_PROCESS, t) for t in ids))
done.set(); early.join(); high.join()
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_threads_started_before_are_lowered_and_none_is_raised() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    # the caller and the early thread at 5; the one already at 12 stays there
    assert ran.stdout.split("\n")[0] == "[5, 5, 12]", ran.stdout + ran.stderr
