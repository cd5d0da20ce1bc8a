"""The message rollup: inbound messages counted per hour, kept current by the database itself.

One row per UTC hour, channel account, department and assignee of the conversation (0: none)
holds how many inbound messages were written in that hour and how many of them need a reply.
Triggers on `inbox_message` and `inbox_conversation` (see `inbox/rollups.py`) keep it current
on every write, whichever path makes it: a reply, a webhook, a poll, a bulk import, a merge, a
routing decision, an erasure or the retention purge. The KPIs read it instead of counting
messages (`goals/kpis/scoping.py`).
"""

from __future__ import annotations

from django.db import models


class MessageRollup(models.Model):
    hour = models.DateTimeField()  # the hour's start, UTC
    account_id = models.BigIntegerField()  # the conversation's channel account
    department_id = models.BigIntegerField(default=0)  # 0: no department
    assignee_id = models.BigIntegerField(default=0)  # 0: nobody
    inbound = models.BigIntegerField(default=0)
    needs_reply = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "account_id", "department_id", "assignee_id"],
                name="message_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.account_id}/{self.department_id}: {self.inbound}"


class HeldMessages(models.Model):
    """Ids of messages a bulk insert counts into the rollup itself, in one statement, instead
    of the per-row trigger (`rollups.counted_together`). A row lives only inside the inserting
    transaction and is deleted before it commits: no other connection ever sees one, so every
    other writer's messages are counted by the trigger as always."""

    low = models.BigIntegerField()
    high = models.BigIntegerField()

    def __str__(self) -> str:
        return f"held {self.low}–{self.high}"


class WaitingCount(models.Model):
    """Conversations waiting for the team's reply (`waiting_for_us_since` set), counted per
    channel account, department and assignee (0: none) by the database (`inbox/waiting.py`).

    Triggers on `inbox_conversation` only ever insert rows here, +1 or −1: concurrent writers
    never wait for one another on a shared row. The worker adds them up every minute
    (`waiting.compact`), so a count reads a handful of rows however many conversations wait."""

    account_id = models.BigIntegerField()
    department_id = models.BigIntegerField(default=0)  # 0: no department
    assignee_id = models.BigIntegerField(default=0)  # 0: nobody
    change = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.account_id}/{self.department_id}/{self.assignee_id}: {self.change:+d}"
