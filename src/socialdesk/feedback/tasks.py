"""Background work of feedback: reminders at a department's deadline, the daily digest."""

from __future__ import annotations

from django.tasks import task


@task()
def feedback_rounds() -> int:
    from socialdesk.feedback.services import send_digests, send_reminders

    return send_reminders() + send_digests()


@task()
def retrain_model(task_name: str) -> str:
    from socialdesk.feedback.understanding import retrain

    return retrain(task_name)


@task()
def classify_new_messages() -> int:
    from socialdesk.feedback.understanding import classify_new

    return classify_new()
