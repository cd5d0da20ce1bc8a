"""The worker SIGKILLed again and again while it delivers webhooks: no event is lost, each
subject's events are first accepted in the order they happened.

The worker runs as a real process (`socialdesk worker`) on its own database (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL; there two workers run at once, are
killed together and finish the rest together). The receiver is a local server that answers
slowly and fails now and then; what arrived is counted there, not in our database. Deliveries are at least once: a delivery whose answer the
killed worker never recorded is sent again (same event id) when its claim runs out.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from socialdesk.webhooks.testpeer import Receiver
from tests.sites import ROOT, Site

EVENTS_PER_SUBJECT = 30
SUBJECTS = 10
KILLS = int(os.environ.get("CRASH_KILLS", "6"))
PENDING = "SELECT count(*) FROM webhooks_delivery WHERE state <> 'delivered'"


def _worker(site: Site) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "socialdesk.cli", "worker", "--channels-every", "600",
         "--sla-every", "600", "--interval", "0.2", "--publish-every", "0.3"],
        env=site.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.slow
def test_no_event_is_lost_when_the_worker_is_killed_while_delivering(tmp_path: Path) -> None:
    receiver = Receiver().start()
    site = Site(tmp_path, name="webhooks", WEBHOOK_LEASE_SECONDS="2", WEBHOOK_TIMEOUT_SECONDS="2")
    try:
        _crash_and_count(site, receiver)
    finally:
        receiver.stop()
        site.drop()


def _crash_and_count(site: Site, receiver: Receiver) -> None:
    site.command("migrate", "--no-input", "-v", "0")
    out = site.python(
        "import json\n"
        "from django.db import transaction\n"
        "from socialdesk.accounts.audit import Acting\n"
        "from socialdesk.core import events\n"
        "from socialdesk.webhooks import services\n"
        "from socialdesk.webhooks.models import Event\n"
        f"subscription, secret = services.subscription_create(by=Acting(user=None, label='test'),"
        f" name='Receiver', url={receiver.url!r}, kinds=['message.received'])\n"
        f"for n in range({EVENTS_PER_SUBJECT}):\n"
        "    with transaction.atomic():\n"
        f"        events.emit('message.received', [(f'conversation:{{c}}', {{'n': n}})"
        f" for c in range({SUBJECTS})])\n"
        "print(json.dumps({'secret': secret, 'events': [[str(e.uid), e.subject, e.pk]"
        " for e in Event.objects.order_by('pk')]}))\n"
    )
    made = json.loads(out.strip().splitlines()[-1])
    receiver.secret = made["secret"]
    expected: dict[str, list[str]] = defaultdict(list)
    for uid, subject, _pk in made["events"]:
        expected[subject].append(uid)
    assert sum(len(v) for v in expected.values()) == EVENTS_PER_SUBJECT * SUBJECTS

    receiver.delay = 0.03  # slow enough that a kill lands in the middle of sending
    receiver.fail(15, status=500)
    # Two workers at once on PostgreSQL, one on SQLite; each round kills every one of them.
    at_once = 2 if site.postgres else 1
    rng = random.Random(20261201)
    for _ in range(KILLS):
        before = receiver.count
        running = [_worker(site) for _ in range(at_once)]
        deadline = time.monotonic() + 30
        while receiver.count == before and time.monotonic() < deadline:
            time.sleep(0.02)
        for worker in running:
            time.sleep(rng.uniform(0.0, 0.4))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
    assert site.count(PENDING) > 0, "the kills came too late to test anything"

    # The rest: as many workers as above, not killed; retries are made due at once.
    finishing = [_worker(site) for _ in range(at_once)]
    try:
        deadline = time.monotonic() + 180
        while site.count(PENDING) and time.monotonic() < deadline:
            site.execute(
                "UPDATE webhooks_delivery SET next_attempt_at = CURRENT_TIMESTAMP "
                "WHERE state = 'pending' AND next_attempt_at > CURRENT_TIMESTAMP"
            )
            time.sleep(0.5)
        assert site.count(PENDING) == 0, "deliveries still waiting after three minutes"
    finally:
        for worker in finishing:
            worker.send_signal(signal.SIGKILL)
            worker.wait()

    accepted = receiver.accepted()
    assert all(a.signed for a in receiver.received), "a delivery was not signed right"
    first_seen: dict[str, list[str]] = defaultdict(list)
    for arrival in accepted:
        body = arrival.json
        assert body["id"] == arrival.event_id
        if body["id"] not in first_seen[body["subject"]]:
            first_seen[body["subject"]].append(body["id"])
    for subject, ids in expected.items():
        assert first_seen[subject] == ids, f"{subject}: events lost or out of order"
    repeats = len(accepted) - sum(len(v) for v in expected.values())
    print(f"{len(accepted)} accepted, {repeats} repeated after kills, {KILLS} kills")
