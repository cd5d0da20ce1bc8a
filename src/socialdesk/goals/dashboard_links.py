"""Drill-down: the address of the list behind a dashboard number, filtered to exactly the
counted items (the inbox, the feedback items, the posts, the story ideas).

Periods go into the lists as `since`/`until` (both days included, the organisation's days).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from socialdesk.goals.kpis import Period

# kind: (URL name, fixed parameters, takes a period)
TARGETS: dict[str, tuple[str, dict[str, str], bool]] = {
    "questions": ("inbox:list", {"status": "all", "questions": "1"}, True),
    "messages": ("inbox:list", {"status": "all"}, True),
    "backlog": ("inbox:list", {"status": "all", "needs_reply": "yes"}, False),
    "sla": ("inbox:list", {"sort": "due"}, False),  # an SLA queue: the most overdue first
    "feedback_opened": ("feedback:items", {"status": "all", "event": "opened"}, True),
    "feedback_closed": ("feedback:items", {"status": "all", "event": "closed"}, True),
    "feedback_due": ("feedback:items", {"status": "all", "event": "due"}, True),
    "feedback_overdue": ("feedback:items", {"status": "all", "overdue": "1"}, False),
    "posts": ("publishing:posts", {}, True),
    "posts_failed": ("publishing:posts", {"status": "failed_any"}, False),
    "ideas": ("publishing:ideas", {}, True),
}
# Lists that cannot be narrowed by a parameter leave it out (feedback has no channel).
ACCEPTS = {
    "inbox:list": {"account", "department", "sla"},
    "feedback:items": {"department"},
    "publishing:posts": {"account"},
    "publishing:ideas": {"department"},
}


def drill(kind: str, period: Period | None, extra: dict[str, str]) -> str:
    name, fixed, dated = TARGETS[kind]
    params = dict(fixed)
    params |= {k: v for k, v in extra.items() if k in ACCEPTS[name]}
    if dated and period is not None:
        params |= {"since": period.start.isoformat(), "until": period.last_day.isoformat()}
    return f"{reverse(name)}?{urlencode(params)}" if params else reverse(name)
