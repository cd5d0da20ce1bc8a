"""The inbox's store for channel items, registered with `channels.ingest` when Django starts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from socialdesk.channels.ingest import Sink
from socialdesk.channels.items.readers import ImportRow, Rejection, RowError
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import Importer
from socialdesk.inbox.models import Conversation, Message
from socialdesk.inbox.signals import conversations_changed


def store(
    account: ChannelAccount,
    rows: Sequence[tuple[int, ImportRow | RowError]],
    *,
    company_handles: set[str],
    listening: bool,
    on_rejection: Callable[[Rejection], None],
) -> int:
    importer = Importer(
        network=account.network,
        company_handles=company_handles,
        listening=listening,
        fixed_account=account,
        on_rejection=on_rejection,
        settle_live=not listening,  # feeds are read, not answered: their status stays
        announce=not listening,  # other tools hear of customers' messages, not of feed articles
    )
    importer.feed(account.name or account.handle, rows)
    if importer.touched:  # the SLA clocks of what came in start (or stop) now
        conversations_changed.send(sender=Conversation, conversation_ids=sorted(importer.touched))
    return importer.stats.created


def known_ids(account: ChannelAccount, external_ids: Sequence[str]) -> set[str]:
    return set(
        Message.objects.filter(
            channel_account=account, external_id__in=list(external_ids)
        ).values_list("external_id", flat=True)
    )


SINK = Sink(store=store, known_ids=known_ids)
