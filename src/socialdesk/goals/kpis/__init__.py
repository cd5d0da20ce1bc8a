"""The KPI registry (see `registry`): `from socialdesk.goals import kpis; kpis.get(name)`.

Importing this package registers every KPI family."""

from __future__ import annotations

from socialdesk.goals.kpis import conversations, feedback, listening, publishing, responses
from socialdesk.goals.kpis.registry import (
    REGISTRY,
    Change,
    Grain,
    Kpi,
    KpiError,
    Param,
    Period,
    Point,
    Query,
    Scope,
    Unit,
    all_kpis,
    available,
    format_value,
    get,
    one_moment,
)

__all__ = [
    "REGISTRY",
    "Change",
    "Grain",
    "Kpi",
    "KpiError",
    "Param",
    "Period",
    "Point",
    "Query",
    "Scope",
    "Unit",
    "all_kpis",
    "available",
    "conversations",
    "feedback",
    "format_value",
    "get",
    "listening",
    "one_moment",
    "publishing",
    "responses",
]
