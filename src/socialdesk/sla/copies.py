# ruff: noqa: S608 - every name in these statements is a constant of this module; no value from outside
"""The conversation's department and assignee on its SLA outcomes, kept by a trigger.

A department's and a member's SLA figures count outcomes by these copies
(`outcome_kpi.counted_outcomes`), from the KPI's index alone. A conversation moves to another
department or person through many paths (the inbox, bulk actions, routing, a handover,
Django's SET_NULL when a department or person is deleted), so the database moves the copies:
a trigger on the conversation, on SQLite and PostgreSQL alike (`core.triggers`).

New outcomes take the conversation's values where they are made (`sla.services`), and a
refresh of the clocks mends any that differ (an outcome written while its conversation moved).
`ensure()` runs after every `migrate`: it installs a missing trigger (a SQLite migration that
rebuilds the conversations drops it) and then copies the values again.
"""

from __future__ import annotations

from django.db import connection

from socialdesk.core import triggers
from socialdesk.core.triggers import Trigger

PREFIX = "sla_outcome_copies_"
OUTCOMES = "sla_slaoutcome"
_TRIGGERS = (
    Trigger(
        "sla_outcome_copies_moved_v1",
        "inbox_conversation",
        "UPDATE OF department_id, assignee_id",
        "OLD.department_id IS NOT NEW.department_id OR OLD.assignee_id IS NOT NEW.assignee_id",
        lambda: [
            f"UPDATE {OUTCOMES} SET department_id = NEW.department_id, "
            "assignee_id = NEW.assignee_id WHERE conversation_id = NEW.id;"
        ],
    ),
)


def copy_all() -> int:
    """Give every outcome whose copies differ its conversation's values; returns how many."""
    differ = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {OUTCOMES} AS o SET department_id = c.department_id, "
            "assignee_id = c.assignee_id FROM inbox_conversation c "
            f"WHERE c.id = o.conversation_id AND (o.department_id {differ} c.department_id "
            f"OR o.assignee_id {differ} c.assignee_id)"
        )
        return int(cursor.rowcount)


KEPT = triggers.Kept(
    PREFIX, _TRIGGERS, then=copy_all, needs=(OUTCOMES, frozenset({"department_id", "assignee_id"}))
)
TRIGGERS = KEPT.names
installed, ensure, drop = KEPT.installed, KEPT.ensure, KEPT.drop
