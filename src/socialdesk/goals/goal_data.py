"""Goals as plain data and targets as people type them: shared by `socialdesk goals` and the
REST API (`api/goals.py`), so both read and write a goal the same way.

A target is given in the KPI's own unit: a share as `95%`, `95 %`, `87,5 %` or `0.95`; a
duration as `24h`, `90m`, `1h30m` or seconds; a count or number as a plain number.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext

from socialdesk.goals import kpis
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.kpis import KpiError, Unit
from socialdesk.sla.kpi import parse_duration

TARGET_TEXT_LIMIT = 40


def parse_target(raw: str | float | int, kpi_name: str) -> float:
    """The target as the goal stores it (a share 0…1, a duration in seconds); ValueError with
    a sentence for people when it is not a finite number in the KPI's unit."""
    if isinstance(raw, bool):
        raise ValueError(gettext("Enter a target that is a real number."))
    unit = _unit(kpi_name)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip()
        if not text or len(text) > TARGET_TEXT_LIMIT or "\x00" in text:
            raise ValueError(gettext("Enter a target that is a real number."))
        value = _from_text(text.replace("\u00a0", " "), unit)
    if not math.isfinite(value):
        raise ValueError(gettext("Enter a target that is a real number."))
    return value


def _unit(kpi_name: str) -> Unit | None:
    try:
        return kpis.get(kpi_name).unit
    except KpiError:
        return None


def _from_text(text: str, unit: Unit | None) -> float:
    if text.endswith("%"):
        if unit not in (Unit.SHARE, None):
            raise ValueError(gettext("A percentage fits only a KPI that is a share."))
        return _number(text[:-1].strip()) / 100
    if unit == Unit.DURATION and not _looks_numeric(text):
        try:
            return parse_duration(text).total_seconds()
        except ValueError:
            raise ValueError(gettext("Enter a duration such as 24h, 90m or 1h30m.")) from None
    return _number(text)


def _looks_numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").isdigit()


def _number(text: str) -> float:
    cleaned = text.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # 87,5
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(gettext("Enter a target that is a real number.")) from None
    if not math.isfinite(value):  # "inf", "nan", "1e999"
        raise ValueError(gettext("Enter a target that is a real number."))
    return value


def goal_as_data(goal: Goal) -> dict[str, Any]:
    """The goal with raw numbers (shares 0…1, durations in seconds) and ISO dates."""
    return {
        "id": goal.pk,
        "name": goal.name,
        "kpi": goal.kpi,
        "params": dict(goal.params),
        "target": goal.target,
        "comparison": goal.comparison,
        "baseline": goal.baseline,
        "current": goal.current,
        "forecast": goal.forecast,
        "status": goal.status,
        "start": goal.start.isoformat(),
        "deadline": goal.deadline.isoformat(),
        "accounts": list(goal.accounts),
        "departments": sorted(d.name for d in goal.departments.all()),
        "tags": list(goal.tags),
        "business_hours": goal.business_hours,
        "owner": goal.owner.email if goal.owner else None,
        "objective": goal.objective.title if goal.objective else None,
        "archived": goal.archived_at is not None,
        "evaluated_at": goal.evaluated_at.isoformat() if goal.evaluated_at else None,
    }
