"""Reading channels: each connected channel with its state and its last error in words (the
health page and the API show the same)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from socialdesk.channels.errors import Code, classify, explain
from socialdesk.channels.models import ChannelAccount


@dataclass(frozen=True)
class Row:
    """A channel as its row shows it: the account, its state and its error in words."""

    account: ChannelAccount
    error: str

    @property
    def state(self) -> str:
        if self.account.disconnected_at:
            return "disconnected"
        if self.account.paused_at:
            return "paused"
        return "failing" if self.account.last_error else "ok"


def account_ids(handles: Iterable[str]) -> list[int]:
    """The ids of the accounts with these handles (as typed: "@Name" finds "name"), one query.

    Figures narrowed to accounts filter by these ids rather than joining the accounts: the
    conversations' and messages' own account id is then read from their indexes."""
    normalised = {ChannelAccount.normalise_handle(h) for h in handles}
    return list(ChannelAccount.objects.filter(handle__in=normalised).values_list("pk", flat=True))


def error_text(account: ChannelAccount) -> str:
    """The channel's last error as a short sentence in the reader's language ("" for none)."""
    if not account.last_error:
        return ""
    code = account.last_error_code or classify(account.last_error)
    until = account.next_poll_at if code == Code.RATE_LIMITED else None
    return explain(code, account.network, until=until)


def connected_channels() -> list[Row]:
    accounts = (
        ChannelAccount.objects.exclude(handle="")
        .filter(~Q(credentials_encrypted="") | ~Q(url="") | Q(disconnected_at__isnull=False))
        .annotate(set_aside_count=Count("set_aside"))
        .order_by("network", "name")
    )
    return [Row(account, error_text(account)) for account in accounts]
