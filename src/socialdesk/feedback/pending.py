# ruff: noqa: S608 - every name in these statements is a constant of this module; no value from outside
"""The inbound messages waiting to be classified (`models.PendingMessage`), kept by triggers
(`core.triggers`, on SQLite and PostgreSQL alike) whatever writes: the channels, webhooks,
imports, the API, a merge or a deletion.

- an inbound message stored: pending (a bulk insert, the history import's, lists its rows in
  one statement: `queue`);
- a classification stored (the worker's, a person's correction): no longer pending;
- a message deleted: gone; a classification deleted while its message stays: pending again.

`ensure()` runs after every `migrate`: it installs missing triggers (a SQLite migration that
rebuilds a table drops them) and then lists the pending messages again from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from socialdesk.core import triggers
from socialdesk.core.triggers import Trigger
from socialdesk.inbox import rollups

PREFIX = "feedback_pending_"
TABLE = "feedback_pendingmessage"
MESSAGES, CLASSIFIED = "inbox_message", "feedback_classification"
_TRIGGERS = (
    Trigger(
        "feedback_pending_message_added_v1",
        MESSAGES,
        "INSERT",
        "NEW.direction = 'in'",
        lambda: [f"INSERT INTO {TABLE} (message_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;"],
        bulk=lambda ids: queue(ids),
    ),
    Trigger(
        "feedback_pending_message_removed_v1",
        MESSAGES,
        "DELETE",
        "OLD.direction = 'in'",
        lambda: [f"DELETE FROM {TABLE} WHERE message_id = OLD.id;"],
    ),
    Trigger(
        "feedback_pending_classified_v1",
        CLASSIFIED,
        "INSERT",
        "1 = 1",
        lambda: [f"DELETE FROM {TABLE} WHERE message_id = NEW.message_id;"],
    ),
    Trigger(
        "feedback_pending_unclassified_v1",
        CLASSIFIED,
        "DELETE",
        "1 = 1",
        lambda: [
            f"INSERT INTO {TABLE} (message_id) SELECT m.id FROM {MESSAGES} m "
            "WHERE m.id = OLD.message_id AND m.direction = 'in' ON CONFLICT DO NOTHING;"
        ],
    ),
)


def queue(ids: Sequence[int]) -> int:
    """The inbound ones of these new messages (ids ascending) are pending: a bulk insert's
    one statement instead of the trigger's row by row (`core.triggers.bulk_insert`; 9 % of a
    100,000-row import on SQLite), choosing them as the rollup's count does."""
    chosen, values = rollups.inbound_among(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (message_id) SELECT m.id FROM {MESSAGES} m "
            f"WHERE {chosen} ON CONFLICT DO NOTHING",
            values,
        )
        return int(cursor.rowcount)


def rebuild() -> int:
    """List every inbound message without a classification as pending, and nothing else; how
    many are pending."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (message_id) SELECT m.id FROM {MESSAGES} m "
            f"WHERE m.direction = 'in' AND NOT EXISTS "
            f"(SELECT 1 FROM {CLASSIFIED} c WHERE c.message_id = m.id)"
        )
        return int(cursor.rowcount)


KEPT = triggers.Kept(PREFIX, _TRIGGERS, then=rebuild, needs=(TABLE, frozenset({"message_id"})))
TRIGGERS = KEPT.names
installed, ensure, drop = KEPT.installed, KEPT.ensure, KEPT.drop
