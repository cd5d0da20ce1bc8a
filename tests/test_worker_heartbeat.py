"""A real `socialdesk worker` reports a heartbeat and the SLA check's runs while it runs, and
takes its heartbeat away when it is stopped cleanly (SIGTERM, as systemd stops it)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.sites import ROOT, Site

BEATS = "SELECT name, pid FROM core_workerheartbeat"
SLA_RUN = "SELECT count(*) FROM core_taskrun WHERE task = 'socialdesk.sla.tasks.check_slas'"


def _until(check: Callable[[], Any], seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds} s")


def _status(site: Site) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "socialdesk.cli", "status"],
        env=site.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_a_running_worker_is_seen_and_a_stopped_one_is_gone(tmp_path: Path) -> None:
    site = Site(tmp_path, name="heartbeat")
    worker = None
    try:
        site.command("migrate", "--no-input", "-v", "0")
        worker = subprocess.Popen(
            [sys.executable, "-m", "socialdesk.cli", "worker", "--sla-every", "1",
             "--channels-every", "600", "--interval", "0.2"],
            env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        [(name, pid)] = _until(lambda: site.query(BEATS))
        assert pid == worker.pid and name.endswith(f":{worker.pid}")
        _until(lambda: site.count(SLA_RUN))  # the SLA check ran and was noted
        status = _status(site)
        assert status.returncode == 0, status.stderr
        assert name in status.stdout

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert site.query(BEATS) == []  # so `socialdesk status` fails (its own tests)
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
            worker.wait()
        site.drop()
