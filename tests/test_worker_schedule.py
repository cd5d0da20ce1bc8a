"""The worker queues every app's recurring work, registered by the apps themselves."""

from __future__ import annotations

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
    # channel's once a day), published posts' figures.
    assert _names(schedule.REGULAR) == {
        "check_slas",
        "feedback_rounds",
        "apply_retention",
        "refresh_channel_limits",
        "read_post_metrics",
    }


def test_it_queues_a_task_registered_twice_only_once() -> None:
    before = schedule.due(schedule.REGULAR)
    schedule.every(schedule.REGULAR, *before)
    assert schedule.due(schedule.REGULAR) == before
