"""The response and SLA KPIs narrowed to a department (the department dashboards, goals of one
department) equal the recomputation over that department's conversations only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from socialdesk.accounts.models import Department, User
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Scope
from socialdesk.goals.tests import kpi_history
from socialdesk.goals.tests.kpi_history import NOW
from socialdesk.goals.tests.test_kpis_honest import EXPECTED, PERIODS, bounds

NAMES = [
    "first_response_within",
    "first_response_median",
    "first_response_p90",
    "sla_met_first_response",
    "sla_met_next_response",
    "sla_met_resolution",
    "next_response_median",
    "resolution_median",
]


@dataclass
class OnlyDepartment:
    """Stands in for a person who sees one department's conversations (and no assigned one)."""

    department: Department
    role: str = "member"
    pk: int = -1

    @property
    def departments(self) -> Any:
        department = self.department

        class Managed:
            @staticmethod
            def all() -> list[Department]:
                return [department]

        return Managed()


@pytest.fixture
def history(db: None, people: dict[str, User]) -> dict[str, Any]:
    return kpi_history.build()


@pytest.mark.parametrize("name", NAMES)
def test_a_response_kpi_narrowed_to_a_department_counts_only_its_conversations(
    history: dict[str, Any], name: str
) -> None:
    kpi = kpis.get(name)
    assert "departments" in kpi.scopes
    seen = []
    for department in history["departments"].values():
        scope = Scope(departments=(department.pk,))
        for period in PERIODS:
            value = kpi.value(period, scope=scope, now=NOW)
            expected = EXPECTED[name](*bounds(period), {}, OnlyDepartment(department))  # type: ignore[arg-type]
            assert value == pytest.approx(expected), (name, department.name, period)
            seen.append(value)
    assert any(v is not None for v in seen), f"{name}: the history never shows it by department"
