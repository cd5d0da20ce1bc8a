"""Ready-made goals: a template fills the goal form so a common goal is set in three clicks
(Goals → "New goal" → "Use" → "Create goal"). The seed's example comes first."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class GoalTemplate:
    key: str
    name: str | Promise  # the goal's name, prefilled
    description: str | Promise  # why one would choose it
    kpi: str
    target: float  # in the KPI's unit (a share 0…1, seconds, a count)
    comparison: str = "ge"
    params: dict[str, str] = field(default_factory=dict)
    months: int = 3  # the deadline: this many calendar months after the start


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day where it is shorter:
    30.11. + 3 months = 28.02.)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


TEMPLATES: tuple[GoalTemplate, ...] = (
    GoalTemplate(
        "answer_within_24h",
        _("Answer every question within 24 hours"),
        _("Within three months, every conversation gets its first answer within 24 hours (100 %)."),
        "first_response_within",
        1.0,
        params={"within": "24h"},
    ),
    GoalTemplate(
        "median_first_response_1h",
        _("Half of all questions answered within an hour"),
        _("The median first response time is at most one hour, within three months."),
        "first_response_median",
        3600.0,
        comparison="le",
    ),
    GoalTemplate(
        "sla_first_response_95",
        _("Keep 95 % of the first-response promises"),
        _("At least 95 % of the SLA first-response deadlines are met, within three months."),
        "sla_met_first_response",
        0.95,
    ),
    GoalTemplate(
        "posts_three_a_week",
        _("Publish three posts a week"),
        _("39 posts published in the next three months: three a week."),
        "posts_published",
        39.0,
    ),
    GoalTemplate(
        "feedback_deadlines_90",
        _("Departments keep 90 % of their feedback deadlines"),
        _("At least 90 % of the feedback items are handled by their department in time."),
        "feedback_deadlines_kept",
        0.90,
    ),
    GoalTemplate(
        "ideas_20_a_quarter",
        _("20 story ideas in a quarter"),
        _("Colleagues submit at least 20 story ideas within three months."),
        "ideas_submitted",
        20.0,
    ),
)


def get(key: str) -> GoalTemplate | None:
    return next((t for t in TEMPLATES if t.key == key), None)


def prefill(template: GoalTemplate, *, today: date) -> dict[str, Any]:
    """The goal form's initial values (in the service's units) for a template."""
    return {
        "name": str(template.name),
        "kpi": template.kpi,
        "params": dict(template.params),
        "target": template.target,
        "comparison": template.comparison,
        "start": today,
        "deadline": add_months(today, template.months),
    }
