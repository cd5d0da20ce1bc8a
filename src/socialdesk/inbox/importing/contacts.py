"""The contacts of imported customer messages: one per handle and network, made when new."""

from __future__ import annotations

from django.utils import timezone

from socialdesk.channels.items.normalise import NAME_LENGTH
from socialdesk.channels.items.readers import ImportRow
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.db import insert_returning_ids, insert_rows
from socialdesk.inbox.models import Contact, ContactHandle


def contacts_for(network: str, rows: list[ImportRow]) -> dict[str, int]:
    """The contact id per handle (as `ChannelAccount.normalise_handle` writes it) of these
    customers' rows, making the new ones (named by the row's author name, else the handle), in
    three queries whatever the count."""
    handles = {
        ChannelAccount.normalise_handle(row.author): (row.author_name or row.author)[:NAME_LENGTH]
        for row in rows
    }
    known = dict(
        ContactHandle.objects.filter(network=network, handle__among=list(handles)).values_list(
            "handle", "contact_id"
        )
    )
    missing = [h for h in handles if h not in known]
    now = timezone.now()
    ids = insert_returning_ids(
        Contact, ["display_name", "created_at"], [(handles[h], now) for h in missing]
    )
    insert_rows(
        ContactHandle,
        ["contact", "network", "handle"],
        [(pk, network, h) for h, pk in zip(missing, ids, strict=True)],
        ignore_conflicts=True,
    )
    if missing:
        # Another import may have added the same customer a moment ago: use its contact.
        known.update(
            ContactHandle.objects.filter(network=network, handle__among=missing).values_list(
                "handle", "contact_id"
            )
        )
        unused = set(ids) - set(known.values())
        if unused:
            Contact.objects.filter(pk__in=unused).delete()
    return known
