"""The worker queues every app's recurring work, registered by the apps themselves."""

from __future__ import annotations

from typing import Any

from socialdesk.core import schedule


def _names(rhythm: schedule.Rhythm) -> set[str]:
    return {task.name for task in schedule.due(rhythm)}


def test_it_queues_every_apps_recurring_work_on_its_rhythm() -> None:
    # Every ten seconds: channel polls, webhook batches, sending, listening, classifying.
    assert _names(schedule.FREQUENT) == {
        "poll_channels",
        "process_webhooks",
        "send_replies",
        "match_monitors",
        "classify_new_messages",
    }
    # Every minute: SLA clocks, feedback rounds, retention, the instances' post limits (each
    # channel's once a day), published posts' figures,
    # the one reminder to confirm the guidelines, the goals' figures, the reports by e-mail.
    assert _names(schedule.REGULAR) == {
        "check_slas",
        "feedback_rounds",
        "apply_retention",
        "refresh_channel_limits",
        "read_post_metrics",
        "remind_to_confirm",
        "refresh_goals",  # each open goal's figures (on main since the goal core)
        "warm_kept_figures",  # issue 16: the KPI page's and dashboards' past periods
        "take_follower_snapshots",  # each Mastodon/Bluesky account's followers once a day
        "send_reports",
        "send_digests",  # issue 14: the daily e-mail of unread room mentions
        "remind_reviews",  # issue 14: owners of wiki pages whose review date has come
        "prune_recent",  # issue 14: the search's recent index kept small (SQLite)
        "catch_up_search",  # issue 16: entries an import left for later (search.backlog)
        "prune_webhook_log",  # issue 15: delivered webhooks older than 30 days
        "prune_task_results",  # issue 16: the queue's finished tasks, once an hour
        "compact_figure_log",  # issue 16: the changes kept figures can no longer need
        "compact_waiting",  # issue 16: the rows counting the conversations waiting, added up
    }
    # Every second, when something is due: posts to publish, webhooks to deliver.
    assert _names(schedule.PROMPT) == {"publish_posts", "deliver_webhooks"}


def test_it_queues_a_prompt_task_only_when_it_has_work(monkeypatch: Any) -> None:
    publish, deliver = schedule.due(schedule.PROMPT)
    monkeypatch.setitem(schedule._when, publish, lambda: False)
    monkeypatch.setitem(schedule._when, deliver, lambda: False)
    assert schedule.wanted(schedule.PROMPT) == []
    monkeypatch.setitem(schedule._when, publish, lambda: True)
    assert [t.name for t in schedule.wanted(schedule.PROMPT)] == ["publish_posts"]
    monkeypatch.setitem(schedule._when, deliver, lambda: True)
    assert [t.name for t in schedule.wanted(schedule.PROMPT)] == [
        "publish_posts",
        "deliver_webhooks",
    ]


def test_it_queues_a_task_registered_twice_only_once() -> None:
    before = schedule.due(schedule.REGULAR)
    schedule.every(schedule.REGULAR, *before)
    assert schedule.due(schedule.REGULAR) == before


def test_the_worker_queues_a_regular_task_only_when_it_has_work(monkeypatch: Any) -> None:
    """A REGULAR or FREQUENT task with a `when` (the search's catch-up, the digests, the
    prune of the queue) is not queued every round for nothing; one whose `when` fails is
    queued all the same."""
    import threading

    from socialdesk.core.management.commands import worker

    queued: list[str] = []
    rounds = threading.Event()
    tasks = schedule.due(schedule.REGULAR) + schedule.due(schedule.FREQUENT)
    monkeypatch.setattr(type(tasks[0]), "enqueue", lambda task: queued.append(task.name))
    for task in tasks:
        monkeypatch.setitem(schedule._when, task, lambda: False)
    catch_up = next(t for t in tasks if t.name == "catch_up_search")
    monkeypatch.setitem(schedule._when, catch_up, lambda: True)
    digests = next(t for t in tasks if t.name == "send_digests")

    def broken() -> bool:
        raise RuntimeError("database restarting")

    monkeypatch.setitem(schedule._when, digests, broken)
    monkeypatch.setattr("socialdesk.core.heartbeats.prune", lambda: rounds.set())
    runner = threading.Thread(
        target=worker._schedule, args=(0.1, 0.1, 100.0), kwargs={"stop": rounds}
    )
    runner.start()
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert set(queued) == {"catch_up_search", "send_digests"}
