"""How the SLA app follows the inbox: recompute the clocks of conversations a service changed."""

from __future__ import annotations

from typing import Any

from socialdesk.sla.services import refresh_sla


def refresh_changed(sender: Any, *, conversation_ids: list[int], **kwargs: Any) -> None:
    refresh_sla(conversation_ids)
