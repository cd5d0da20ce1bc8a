"""What the inbox tells the apps above it, without importing them.

`conversations_changed` is sent (synchronously, inside the service's transaction) after a
service changed conversations in a way their clocks depend on: a reply, a status, a tag, an
assignment. The SLA app listens and recomputes the due times of those conversations.
"""

from __future__ import annotations

from django.dispatch import Signal

conversations_changed = Signal()  # keyword argument: conversation_ids (list[int])
