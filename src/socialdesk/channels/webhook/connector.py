"""The backfill poll of a webhook channel: deliveries that never arrived are fetched.

Networks that push usually also offer a listing of recent items. When the channel has a
backfill address (`url`), the worker reads it on the channel's interval — over http(s) from
public addresses only, with the same JSON mapping as the pushed deliveries — and stores what
is missing; items already delivered are recognised by their id and skipped.

It declares no capability besides polling: replies go out through the network that pushes
(not through socialdesk), and there are no credentials at a network to check — the network
proves itself by signing each delivery (receiver.py).
"""

from __future__ import annotations

from typing import Any

from socialdesk.channels.base import store_batch
from socialdesk.channels.fetch import fetch_if_changed
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import Capability
from socialdesk.channels.webhook.receiver import read_items

CAPABILITIES: frozenset[Capability] = frozenset()


def poll(account: ChannelAccount) -> int:
    cursor = dict(account.cursor or {})
    result = fetch_if_changed(account.address, cursor)
    if result is None:
        return 0
    rows, refused = read_items(account, result.body)
    items: list[Any] = list(rows)
    items += [
        (r.external_id or str(r.index), f"backfill item {r.index}: {r.reason}", r.raw)
        for r in refused
    ]
    return store_batch(account, items, cursor)
