"""The kernel hook for "this happened": services below tell, the outgoing webhooks above listen.

A service that does something another company tool may want to hear about (a message came in,
a reply went out, a conversation was resolved, a feedback item was forwarded) calls
`emit("conversation.resolved", [(subject, data), …])` inside its own transaction. The
`webhooks` app registers with `listen(...)` in its `AppConfig.ready()` and stores one event
and its deliveries in that same transaction: what was rolled back is never announced, and
what was committed is never lost (the worker sends it later, at least once).

`subject` names the object the event is about, `"conversation:42"` or `"feedback:7"`: the
events of one subject reach each subscriber in the order they happened. `data` is a JSON-able
dict the emitter builds; build it only when `wanted(kind)` says someone listens (a cheap
query), so the inbox does not describe every message for nobody.

The apps below never import the webhooks (layers point down); this module is all they know.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Item = tuple[str, dict[str, Any]]
"""One occurrence: (subject, data)."""


@dataclass(frozen=True)
class Kind:
    name: str
    label: Promise
    group: Promise


_INBOX, _SLA, _FEEDBACK, _PUBLISHING = _("Inbox"), _("SLA"), _("Feedback"), _("Publishing")

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("conversation.created", _("Conversation created"), _INBOX),
        Kind("message.received", _("Message received"), _INBOX),
        Kind("reply.sent", _("Reply sent"), _INBOX),
        Kind("reply.failed", _("Reply could not be sent"), _INBOX),
        Kind("conversation.assigned", _("Conversation assigned"), _INBOX),
        Kind("conversation.resolved", _("Conversation resolved"), _INBOX),
        Kind("conversation.reopened", _("Conversation reopened"), _INBOX),
        Kind("sla.warning", _("Response-time deadline near"), _SLA),
        Kind("sla.breached", _("Response-time deadline missed"), _SLA),
        Kind("feedback.created", _("Feedback item created"), _FEEDBACK),
        Kind("feedback.forwarded", _("Feedback item forwarded"), _FEEDBACK),
        Kind("feedback.status_changed", _("Feedback item status changed"), _FEEDBACK),
        Kind("post.published", _("Post published"), _PUBLISHING),
        Kind("post.failed", _("Post could not be published"), _PUBLISHING),
    )
}
"""Every event there is. A new one is added here first (a typo in `emit` fails loudly)."""

Wants = Callable[[str], bool]
Deliver = Callable[[str, Sequence[Item]], object]


@dataclass(frozen=True)
class _Listener:
    wants: Wants
    deliver: Deliver


_listeners: list[_Listener] = []


class OutsideTransaction(RuntimeError):
    """`emit()` was called outside the writer's transaction (tests and DEBUG only)."""


def listen(wants: Wants, deliver: Deliver) -> None:
    """From now on, `deliver(kind, items)` hears every event for which `wants(kind)` is true."""
    listener = _Listener(wants, deliver)
    if listener not in _listeners:
        _listeners.append(listener)


def wanted(kind: str) -> bool:
    """Does anyone listen to `kind` now? Ask before building the data of many items."""
    _known(kind)
    return any(listener.wants(kind) for listener in _listeners)


def emit(kind: str, items: Sequence[Item]) -> None:
    """Tell every listener that wants it that `kind` happened to each subject in `items`.

    Call it inside the service's transaction (checked in tests and with DEBUG)."""
    _known(kind)
    if settings.CHANGES_REQUIRE_TRANSACTION and not connection.in_atomic_block:
        raise OutsideTransaction(
            f"core.events.emit({kind!r}, …) outside a transaction: call it inside the "
            "service's transaction.atomic(), so the event and the change commit together"
        )
    if not items:
        return
    for listener in list(_listeners):
        if listener.wants(kind):
            listener.deliver(kind, items)


def _known(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown event: {kind!r}")


def _forget_listeners() -> list[_Listener]:
    """Remove and return every listener (tests that need a quiet hook put them back)."""
    removed = list(_listeners)
    _listeners.clear()
    return removed


def _restore_listeners(listeners: list[_Listener]) -> None:
    _listeners[:] = listeners
