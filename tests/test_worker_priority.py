"""A real `socialdesk worker` lowers its CPU priority, so that on a busy machine the web
server's pages come first (WORKER_NICE; bench/bench_load.py measures what it changes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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


def _session_niceness(pid: int) -> int | None:
    """The niceness of the process's session (its autogroup: "/autogroup-42 nice 7"); None for
    a process in no automatic group (the file is empty: a container whose init never started a
    session of its own, as on the CI machine)."""
    text = Path(f"/proc/{pid}/autogroup").read_text().split()
    return int(text[-1]) if text else None


def _started(
    site: Site, *args: str, preexec: int = 0, own_session: bool = False
) -> tuple[subprocess.Popen[bytes], dict[int, int]]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "socialdesk.cli", "worker", "--channels-every", "600", *args],
        env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        preexec_fn=(lambda: os.nice(preexec)) if preexec else None,
        start_new_session=own_session,
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


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc/self/autogroup").is_file(), reason="the kernel has no automatic groups"
)
def test_a_worker_in_a_session_of_its_own_lowers_the_session_too(tmp_path: Path) -> None:
    """With automatic groups the CPUs are shared between sessions before niceness counts: a
    worker leading its own session (systemd, a supervisor, setsid) at nice 10 took as much CPU
    as the web server. It lowers its session; one in another's session leaves that alone."""
    site = Site(tmp_path, name="autogroup", WORKER_NICE="9")
    ours = _session_niceness(os.getpid())
    try:
        site.command("migrate", "--no-input", "-v", "0")
        worker, niceness = _started(site, own_session=True)
        session = _session_niceness(worker.pid)
        stop(worker, 30)
        assert set(niceness.values()) == {9}, niceness
        assert session == 9

        worker, niceness = _started(site)  # in the session of the test (as under `serve`)
        session = _session_niceness(worker.pid)
        stop(worker, 30)
        assert set(niceness.values()) == {9}, niceness
        assert session == ours == _session_niceness(os.getpid())
    finally:
        site.drop()


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc/self/autogroup").is_file(), reason="the kernel has no automatic groups"
)
def test_the_webhook_intake_server_runs_lowered_and_still_takes_deliveries(
    tmp_path: Path,
) -> None:
    """`serve --nice N` (deploy/socialdesk-intake.service): gunicorn's processes and their
    session at nice N, and the server answers as any other."""
    site = Site(tmp_path, name="intake")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "socialdesk.cli", "serve", "--no-worker", "--web-workers", "1",
         "--host", "127.0.0.1", "--port", str(port), "--nice", "8"],
        env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        site.command("migrate", "--no-input", "-v", "0")
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, "the server stopped"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "no answer within 90 s"
                time.sleep(0.3)
        processes = [
            int(p) for p in os.listdir("/proc") if p.isdigit() and _in_session(int(p), server.pid)
        ]
        assert len(processes) >= 3  # serve, gunicorn's arbiter and its worker
        assert {pid: os.getpriority(os.PRIO_PROCESS, pid) for pid in processes} == dict.fromkeys(
            processes, 8
        )
        assert _session_niceness(server.pid) == 8
    finally:
        stop(server, 30)
        site.drop()


def _in_session(pid: int, session: int) -> bool:
    try:
        return os.getsid(pid) == session
    except OSError:  # ended meanwhile
        return False
