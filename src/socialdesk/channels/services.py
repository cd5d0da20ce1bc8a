"""Adding channel accounts (one door for the CLI, the pages and the API)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.models import ChannelAccount, Network


def rss_add(
    *, by: Acting, url: str, name: str = "", poll_interval_seconds: int = 300
) -> ChannelAccount:
    """Add a feed as a listening source."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": f"{url!r} is not an http(s) address of a feed"})
    handle = (parts.hostname + parts.path + (f"?{parts.query}" if parts.query else "")).lower()[
        :255
    ]
    if ChannelAccount.objects.filter(network=Network.RSS, handle=handle).exists():
        raise ValidationError({"url": f"the feed {url} is connected already"})
    with transaction.atomic():
        account = ChannelAccount.objects.create(
            network=Network.RSS,
            handle=handle,
            name=(name or parts.hostname)[:120],
            url=url,
            poll_interval_seconds=max(60, poll_interval_seconds),
        )
        record(
            by, "channel.added", account, after={"network": "rss", "url": url, "name": account.name}
        )
    return account


def webhook_add(*, by: Acting, name: str, secret: str = "") -> tuple[ChannelAccount, str]:
    """Add an inbound webhook; return it and its signing secret (shown once)."""
    import secrets as secrets_module

    name = name.strip()
    if not name:
        raise ValidationError({"name": "give the webhook a name"})
    handle = name.lower().replace(" ", "-")[:255]
    if ChannelAccount.objects.filter(network=Network.WEBHOOK, handle=handle).exists():
        raise ValidationError({"name": f"a webhook named {name!r} exists already"})
    secret = secret or secrets_module.token_urlsafe(32)
    with transaction.atomic():
        account = ChannelAccount(network=Network.WEBHOOK, handle=handle, name=name[:120])
        account.set_credentials({"secret": secret})
        account.save()
        record(
            by,
            "channel.added",
            account,
            after={"network": "webhook", "name": name, "secret": secret},
        )
    return account, secret
