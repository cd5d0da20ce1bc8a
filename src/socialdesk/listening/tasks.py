"""Background work of listening: match new items to monitors, alert on spikes."""

from __future__ import annotations

from django.tasks import task


@task()
def match_monitors() -> int:
    from socialdesk.listening.services import match_all

    return match_all()
