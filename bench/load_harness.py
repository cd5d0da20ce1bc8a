"""What `bench_load.py` measures with: the processes it starts (web server, workers) and their
CPU time, the paced webhook sender, waiting for what was stored, and locust's results."""

from __future__ import annotations

import http.client
import json
import math
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_workers import (  # noqa: E402
    _count,
    percentile,
)
from bench.webhook_harness import (  # noqa: E402
    Call,
    Phase,
    _send,
)

PORTS = range(18100, 18200)
SENDERS = 16  # keep-alive connections of the webhook sender

# Seed the inbox (Django set up by bench_workers._python); argv: messages, people, setup file.
SEED = """
import json, random, sys
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from bench.goals_history import fill
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox import rollups, waiting
from socialdesk.inbox.models import Tag

messages, people, path, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rollups.drop()  # the history is written without its triggers; the rollup is counted after
waiting.drop()  # and the conversations waiting
history = fill(messages, now=timezone.now(), log=lambda text: print(text, file=sys.stderr))
rollups.ensure()
waiting.ensure()
departments = list(Department.objects.order_by("pk"))
hashed = make_password(password)  # one hash for all: signing in still checks it
team = []
for n in range(people):
    user = User.objects.create(
        email=f"member{n}@example.com", full_name=f"Member {n:02d}", password=hashed,
        role=Role.MANAGER if n < 2 else Role.AGENT,
    )
    user.departments.add(departments[n % len(departments)])
    team.append(user)
ids = [u.pk for u in team]
with connection.cursor() as cursor:
    cursor.execute(
        "UPDATE inbox_conversation SET assignee_id = (%s::bigint[])[1 + id %% %s] "
        "WHERE id %% 3 = 0", [ids, len(ids)],
    )
    # A year of history is settled: its breaches were warned about and its overdue feedback
    # reminded of when they happened (the history leaves both undone; the worker's first
    # rounds would then notify every breach of the year, one e-mail task per person and
    # conversation, ahead of the webhook batches in the queue).
    cursor.execute(
        "UPDATE inbox_conversation SET sla_warned = sla_state "
        "WHERE sla_state IN ('at_risk', 'breached')"
    )
    cursor.execute(
        "UPDATE feedback_feedbackitem SET reminded_at = due_at "
        "WHERE reminded_at IS NULL AND due_at < now()"
    )
# ... and its messages were classified as they came in (the history leaves four in five
# inbound messages waiting: the workers would classify that year, 2,000 a round, all through
# the measurement, beside the items arriving).
from socialdesk.feedback.understanding import classify_new
classified = 0
while done := classify_new(limit=20_000):
    classified += done
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
setup = {
    "people": [[u.email, password] for u in team],
    "assignees": ids,
    "departments": [d.pk for d in departments],
    "accounts": list(ChannelAccount.objects.order_by("pk").values_list("pk", flat=True)),
    "webhook": ChannelAccount.objects.get(network="webhook").pk,
    "tags": list(Tag.objects.order_by("name").values_list("name", flat=True)),
    "words": json.loads(sys.argv[5]),
    "conversations": history["conversations"],
    "messages": history["messages"],
    "classified": classified,
}
with open(path, "w") as out:
    json.dump(setup, out)
"""


@dataclass
class Page:
    name: str
    times: list[float]  # ms
    errors: int

    def p(self, share: float) -> float:
        return percentile(self.times, share) if self.times else math.nan


@dataclass
class LocustRun:
    seconds: float
    pages: dict[str, Page]
    failures: dict[str, int]
    succeeded: Counter[str]
    attempted: Counter[str]
    signed_in: int

    @property
    def requests(self) -> int:
        return sum(len(p.times) for p in self.pages.values())

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.pages.values())


def free_port() -> int:
    """A free port of 18100–18199 on 127.0.0.1 (the range this benchmark uses)."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


def start_workers(
    count: int, env: dict[str, str], work: Path, nice: int | None = None
) -> list[subprocess.Popen[bytes]]:
    """K `socialdesk worker` processes as deploy/socialdesk-worker@.service runs them (at the
    CPU priority they lower themselves to, WORKER_NICE, unless `nice` says otherwise)."""
    started = []
    asked = [] if nice is None else ["--nice", str(nice)]
    for number in range(1, count + 1):
        with (work / f"worker{number}.log").open("wb") as log:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "socialdesk", "worker", *asked], env=env, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )
            )  # fmt: skip
    return started


def wait_stored(url: str, prefix: str, expected: int, seconds: float) -> None:
    """Until `expected` messages with ids starting with `prefix` are stored, or time is up."""
    deadline = time.monotonic() + seconds
    count = f"SELECT count(*) FROM inbox_message WHERE external_id LIKE '{prefix}%%'"
    while _count(url, count) < expected and time.monotonic() < deadline:
        time.sleep(0.5)
    pending = "SELECT count(*) FROM channels_webhookdelivery WHERE processed_at IS NULL"
    while _count(url, pending) and time.monotonic() < deadline:
        time.sleep(0.5)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state first), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU time (user + system, with reaped children's) of each process still there."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            times[pid] = sum(int(n) for n in fields[11:15]) / tick
    return times


def session(leader: int) -> list[int]:
    """The processes of the session `leader` started (a server and its children)."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [pid for pid in pids if (fields := _stat(pid)) is not None and fields[3] == str(leader)]


def serve_pid(port: int) -> int:
    """The `socialdesk serve` process listening on `port` (the leader of its session)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and str(port).encode() in argv and b"socialdesk" in argv:
            return int(entry.name)
    sys.exit(f"no `socialdesk serve` process on port {port}")


@dataclass
class Cpu:
    """CPU seconds used by each part between `start` and `stop` (snapshots of /proc)."""

    parts: dict[str, Callable[[], list[int]]]
    before: dict[str, dict[int, float]] = field(default_factory=dict)

    def start(self) -> None:
        self.before = {name: cpu_seconds(pids()) for name, pids in self.parts.items()}

    def stop(self) -> dict[str, float]:
        used = {}
        for name, pids in self.parts.items():
            after = cpu_seconds(pids())
            used[name] = sum(t - self.before[name].get(pid, 0.0) for pid, t in after.items())
        return used


def machine_busy() -> float:
    """CPU seconds all CPUs of the machine have been busy since boot (/proc/stat)."""
    values = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # not idle, iowait


def own_cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def send_paced(
    port: int, calls: list[Call], rate: float, stop: threading.Event, begin: Path
) -> Phase:
    """Once the file `begin` exists (the measurement began), send the calls at `rate` per
    second (delivery i at start + i / rate) from SENDERS keep-alive connections until they run
    out or `stop` is set; time each one."""
    while not begin.exists():
        if stop.wait(0.05):
            return Phase("webhook", 0, 1.0, [], [], [], 0)
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    indexes = iter(range(len(calls)))
    retries = [0]
    start = time.perf_counter()

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            with lock:
                index = next(indexes, None)
            if index is None:
                break
            pause = start + index / rate - time.perf_counter()
            if pause > 0 and stop.wait(pause):
                break
            began = time.perf_counter()
            try:
                status, _answer = _send(connection, calls[index])
            except (http.client.HTTPException, OSError):
                connection.close()  # closed by the server: once more on a new connection
                with lock:
                    retries[0] += 1
                try:
                    status, _answer = _send(connection, calls[index])
                except (http.client.HTTPException, OSError):
                    connection.close()
                    status = 0
            with lock:
                latencies.append(time.perf_counter() - began)
                statuses.append(status)
        connection.close()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    return Phase("webhook", len(statuses), seconds, latencies, statuses, [], retries[0])


def run_locust(
    label: str, port: int, setup: Path, work: Path, *, users: int, seconds: float, wait: str
) -> LocustRun:
    out = work / f"locust-{label}.json"
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "-u", str(users), "-r", str(min(users, 10)),
        "-t", f"{seconds + 300:.0f}s",  # a safety net: the locustfile quits after `seconds`
        "--host", f"http://127.0.0.1:{port}", "--csv", str(work / f"locust-{label}"),
        "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    env = {
        **os.environ,
        "SOCIALDESK_LOAD": str(setup),
        "SOCIALDESK_LOAD_OUT": str(out),
        "SOCIALDESK_LOAD_SECONDS": str(seconds),
        "SOCIALDESK_LOAD_WAIT": wait,
    }
    with (work / f"locust-{label}.log").open("wb") as log:
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    if done.returncode not in (0, 1) or not out.exists():  # 1: some requests failed
        tail = (work / f"locust-{label}.log").read_text(errors="replace")[-3000:]
        sys.exit(f"locust ({label}) stopped with exit {done.returncode}:\n{tail}")
    data: dict[str, Any] = json.loads(out.read_text())
    pages = {
        name: Page(name, [float(t) for t in page["times"]], int(page["errors"]))
        for name, page in data["pages"].items()
    }
    return LocustRun(
        float(data["seconds"]), pages, data["failures"], Counter(data["succeeded"]),
        Counter(data["attempted"]), int(data["signed_in"]),
    )  # fmt: skip
