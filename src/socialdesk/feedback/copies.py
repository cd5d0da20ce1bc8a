# ruff: noqa: S608 - every name in these statements is a constant of this module; no value from outside
"""A classification carries its message's conversation's department and assignee, kept by
triggers (`core.triggers`, on SQLite and PostgreSQL alike).

A department member's sentiment shares count the period's classifications by these copies,
from the index `classification_kpi_written` alone, instead of joining the period's inbound
messages with every conversation the person may see (10 million messages, four weeks:
460 ms per period). What moves them:
- a conversation handed to another department or person (the inbox, bulk actions, routing,
  a handover, Django's SET_NULL when a department or person is deleted);
- a message moved to another conversation (a merge);
- a classification stored without them (every writer: `feedback.understanding` writes none).

`ensure()` runs after every `migrate`: it installs missing triggers (a SQLite migration that
rebuilds a table drops them) and then copies the values again.
"""

from __future__ import annotations

from django.db import connection

from socialdesk.core import triggers
from socialdesk.core.triggers import Trigger

PREFIX = "feedback_copies_"
TABLE = "feedback_classification"
_OF_MESSAGE = (  # the value of the classification's message's conversation (NEW: the row)
    "(SELECT c.{0} FROM inbox_message m JOIN inbox_conversation c ON c.id = m.conversation_id "
    "WHERE m.id = NEW.message_id)"
)
_OF_CONVERSATION = "(SELECT c.{0} FROM inbox_conversation c WHERE c.id = NEW.conversation_id)"
_TRIGGERS = (
    Trigger(
        "feedback_copies_conversation_moved_v1",
        "inbox_conversation",
        "UPDATE OF department_id, assignee_id",
        "OLD.department_id IS NOT NEW.department_id OR OLD.assignee_id IS NOT NEW.assignee_id",
        lambda: [
            f"UPDATE {TABLE} SET department_id = NEW.department_id, "
            "assignee_id = NEW.assignee_id WHERE message_id IN "
            "(SELECT m.id FROM inbox_message m WHERE m.conversation_id = NEW.id);"
        ],
    ),
    Trigger(
        "feedback_copies_message_moved_v1",
        "inbox_message",
        "UPDATE OF conversation_id",
        "OLD.conversation_id IS NOT NEW.conversation_id",
        lambda: [
            f"UPDATE {TABLE} SET department_id = {_OF_CONVERSATION.format('department_id')}, "
            f"assignee_id = {_OF_CONVERSATION.format('assignee_id')} WHERE message_id = NEW.id;"
        ],
    ),
    Trigger(  # a row stored with copies (a bulk writer that knows them) is left as it is
        "feedback_copies_classified_v1",
        TABLE,
        "INSERT",
        "NEW.department_id IS NULL AND NEW.assignee_id IS NULL",
        lambda: [
            f"UPDATE {TABLE} SET department_id = {_OF_MESSAGE.format('department_id')}, "
            f"assignee_id = {_OF_MESSAGE.format('assignee_id')} WHERE id = NEW.id;"
        ],
    ),
)


def copy_all() -> int:
    """Give every classification whose copies differ its conversation's values."""
    differ = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} AS f SET department_id = c.department_id, "
            "assignee_id = c.assignee_id FROM inbox_message m "
            "JOIN inbox_conversation c ON c.id = m.conversation_id "
            f"WHERE m.id = f.message_id AND (f.department_id {differ} c.department_id "
            f"OR f.assignee_id {differ} c.assignee_id)"
        )
        return int(cursor.rowcount)


KEPT = triggers.Kept(
    PREFIX, _TRIGGERS, then=copy_all, needs=(TABLE, frozenset({"department_id", "assignee_id"}))
)
TRIGGERS = KEPT.names
installed, ensure, drop = KEPT.installed, KEPT.ensure, KEPT.drop
