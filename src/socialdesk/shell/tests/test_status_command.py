"""`socialdesk status`: the operator's figures in the terminal, as JSON for scripts, and an exit
code that says whether any worker is alive."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from socialdesk.core import heartbeats
from socialdesk.core.models import WorkerHeartbeat
from socialdesk.shell.tests import operations_data as data


def status(*args: str) -> str:
    out = StringIO()
    call_command("status", *args, stdout=out)
    return out.getvalue()


def rows(table: str) -> dict[str, str]:
    """Each label of the table with its value (the first, where a label comes twice)."""
    found: dict[str, str] = {}
    for line in table.splitlines():
        match = re.match(r"\s*(.+?)\s{2,}(.*)$", line)
        if match:
            found.setdefault(match[1], match[2])
    return found


def test_it_shows_the_figures_readably(db: None) -> None:
    expected = data.installation()
    DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                task_path=data.BETA,
                args_kwargs={"args": [], "kwargs": {}},
                backend_name="default",
                run_after=get_date_max(),  # as enqueued without a time (bulk skips pre_save)
            )
            for _ in range(1233)
        ]
    )
    account = data.channel("bluesky", "wartet.example")
    data.conversation(account, "open", timedelta(hours=2, minutes=14))  # now the longest wait
    table = rows(status())
    assert table["Workers"] == "1 alive of 2"
    seen = re.fullmatch(r"seen (\d+) s ago", table["worker-1:4242"])
    assert seen is not None and 10 <= int(seen[1]) < 40
    assert table["worker-2:7"] == "seen 10 min ago (silent)"  # ten minutes without a beat
    assert table["ready"] == "1,237"  # 3 + 1 + 1,233, thousands separated
    assert table[data.BETA] == "1,234"
    assert table["running"] == "1"
    assert table["waiting for a reply"] == str(expected["waiting"] + 1)
    assert table["oldest unanswered"] == "2 h 14 min"
    assert table["SLA check"] == "last finished 2 min ago"  # 90 s, rounded
    assert table["replies not sent (failed)"] == "1"
    assert (table["outgoing pending"], table["outgoing given up"]) == ("2", "1")
    [(mastodon, _network)] = [key for key in expected["channels"] if key[1] == "mastodon"]
    assert table[f"mastodon #{mastodon}"] == "5 min ago"
    assert table["Items set aside"] == "2"
    assert table["imported, not yet indexed"] == str(expected["search_backlog"])


def test_json_gives_the_raw_figures(db: None) -> None:
    expected = data.installation()
    figures = json.loads(status("--json"))
    assert figures["healthy"] is True
    assert figures["workers_alive"] == 1
    assert figures["tasks_ready"] == expected["ready"]
    assert figures["tasks_running"] == expected["running"]
    assert figures["waiting_for_reply"] == expected["waiting"]
    assert figures["oldest_unanswered_seconds"] == pytest.approx(expected["oldest"], abs=30)
    assert figures["sla_check_seconds"] == pytest.approx(expected["sla"], abs=30)
    assert figures["sends_failed"] == 1
    assert (figures["webhooks_pending"], figures["webhooks_given_up"]) == (2, 1)
    assert figures["set_aside"] == expected["set_aside"]
    assert figures["search_backlog"] == expected["search_backlog"]
    assert {w["name"]: w["fresh"] for w in figures["workers"]} == {
        "worker-1:4242": True,
        "worker-2:7": False,
    }
    assert {c["network"] for c in figures["channels"]} == {"mastodon", "webhook"}


@pytest.mark.parametrize("args", [(), ("--json",)])
def test_it_fails_when_no_worker_reported_lately(db: None, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError, match="no worker has reported") as failed:
        status(*args)
    assert failed.value.returncode == 1
    worker = heartbeats.Worker(host="worker-1", pid=1, started_at=timezone.now())
    heartbeats.beat(worker, now=timezone.now() - timedelta(minutes=3))  # hung or killed
    with pytest.raises(CommandError) as failed:
        status(*args)
    assert failed.value.returncode == 1
    heartbeats.beat(worker)
    status(*args)  # healthy: returns normally, so the command exits 0
    assert WorkerHeartbeat.objects.count() == 1


def test_a_new_installation_says_what_is_not_there_yet(db: None) -> None:
    heartbeats.beat(heartbeats.Worker(host="worker-1", pid=1, started_at=timezone.now()))
    table = rows(status())
    assert table["Channels"] == "none connected"
    assert table["Regular tasks"] == "none ran yet"
    assert table["SLA check"] == "last finished never"
    assert table["oldest unanswered"] == "–"
