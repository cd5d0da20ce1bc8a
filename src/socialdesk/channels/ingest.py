"""Where a channel's items go once read: the store the inbox registers here.

The channels layer sits below the inbox, so it never imports it. The inbox registers its
store when Django starts (`InboxConfig.ready`); a channel hands its rows to `store` and learns
which ids it already holds from `known_ids`. Without a registered store nothing is
acknowledged: `sink()` raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from socialdesk.channels.items.readers import ImportRow, Rejection, RowError
from socialdesk.channels.models import ChannelAccount


class Store(Protocol):
    def __call__(
        self,
        account: ChannelAccount,
        rows: Sequence[tuple[int, ImportRow | RowError]],
        *,
        company_handles: set[str],
        listening: bool,
        on_rejection: Callable[[Rejection], None],
    ) -> int:
        """Store the rows of one channel; call `on_rejection` for each row refused; return how
        many were new."""
        ...


class KnownIds(Protocol):
    def __call__(self, account: ChannelAccount, external_ids: Sequence[str]) -> set[str]:
        """Return which of these ids the channel's stored items already have."""
        ...


@dataclass(frozen=True)
class Sink:
    store: Store
    known_ids: KnownIds


_registered: list[Sink] = []


def register(sink: Sink) -> None:
    """Make `sink` the one place channel items are stored (the last registration counts)."""
    _registered[:] = [sink]


def sink() -> Sink:
    if not _registered:
        raise ImproperlyConfigured(
            "no store for channel items is registered (is the inbox app installed?)"
        )
    return _registered[0]
