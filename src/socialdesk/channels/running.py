"""Running a connected channel (one door for the pages, the CLI and the API): pause, resume,
rename and rhythm, reconnect with new credentials, disconnect, a webhook's new secret."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.services import bluesky_connect, mastodon_connect

POLL_INTERVALS = (60, 300, 900, 1800, 3600, 6 * 3600, 24 * 3600)


def _locked(account: ChannelAccount) -> ChannelAccount:
    return ChannelAccount.objects.select_for_update().get(pk=account.pk)


def channel_pause(*, by: Acting, account: ChannelAccount) -> ChannelAccount:
    """Stop polling the channel until it is resumed (stored conversations stay as they are)."""
    from django.utils import timezone

    with transaction.atomic():
        account = _locked(account)
        if account.paused_at is None:
            account.paused_at = timezone.now()
            account.save(update_fields=["paused_at"])
            record(by, "channel.paused", account, after={"name": account.name})
    return account


def channel_resume(*, by: Acting, account: ChannelAccount) -> ChannelAccount:
    """Poll the channel again, the next time the worker looks (within a minute)."""
    with transaction.atomic():
        account = _locked(account)
        if account.paused_at is not None:
            account.paused_at = None
            account.next_poll_at = None
            account.save(update_fields=["paused_at", "next_poll_at"])
            record(by, "channel.resumed", account, after={"name": account.name})
    return account


def channel_update(
    *, by: Acting, account: ChannelAccount, name: str, poll_interval_seconds: int
) -> ChannelAccount:
    """Rename the channel and set how often it is polled (one minute at least)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the channel a name.")})
    if poll_interval_seconds < 60:
        raise ValidationError({"poll_interval_seconds": _("Poll at most once a minute.")})
    with transaction.atomic():
        account = _locked(account)
        before = {"name": account.name, "poll_interval_seconds": account.poll_interval_seconds}
        account.name = name[:120]
        account.poll_interval_seconds = poll_interval_seconds
        fields = ["name", "poll_interval_seconds"]
        if before["poll_interval_seconds"] != poll_interval_seconds and account.failures == 0:
            account.next_poll_at = None  # the new rhythm starts with the next round
            fields.append("next_poll_at")
        account.save(update_fields=fields)
        after = {"name": account.name, "poll_interval_seconds": poll_interval_seconds}
        if after != before:
            record(by, "channel.changed", account, before=before, after=after)
    return account


def channel_reconnect(*, by: Acting, account: ChannelAccount, secret: str) -> ChannelAccount:
    """Give a Mastodon channel a new access token or a Bluesky channel a new app password.

    The new credentials are checked with the network first and must belong to the same
    account; nothing changes when they do not.
    """
    if account.network == Network.MASTODON:
        checked, _created = mastodon_connect(
            by=by,
            instance_url=account.url,
            access_token=secret,
            name=account.name,
            poll_interval_seconds=account.poll_interval_seconds,
            expect_handle=account.handle,
        )
    elif account.network == Network.BLUESKY:
        checked, _created = bluesky_connect(
            by=by,
            handle=account.handle,
            app_password=secret,
            service=account.url or "https://bsky.social",
            name=account.name,
            poll_interval_seconds=account.poll_interval_seconds,
            expect_handle=account.handle,
        )
    else:
        raise ValidationError(_("Only Mastodon and Bluesky channels are reconnected with a token."))
    return checked


def channel_disconnect(*, by: Acting, account: ChannelAccount) -> ChannelAccount:
    """Remove the channel's credentials and stop polling it.

    Every stored conversation and message stays (and stays findable); the channel can be
    connected again later.
    """
    from django.utils import timezone

    with transaction.atomic():
        account = _locked(account)
        had_credentials = bool(account.credentials_encrypted or account.url_encrypted)
        account.credentials_encrypted = ""
        account.url_encrypted = ""
        account.disconnected_at = account.disconnected_at or timezone.now()
        account.next_poll_at = None
        account.save(
            update_fields=["credentials_encrypted", "url_encrypted", "disconnected_at",
                           "next_poll_at"]
        )  # fmt: skip
        record(
            by,
            "channel.disconnected",
            account,
            after={"name": account.name, "credentials_removed": had_credentials},
        )
    return account


def webhook_new_secret(*, by: Acting, account: ChannelAccount) -> str:
    """Give a webhook channel a new signing secret; return it (shown once). The old one stops
    working at once."""
    import secrets as secrets_module

    if account.network != Network.WEBHOOK:
        raise ValidationError(_("Only webhook channels have a signing secret."))
    secret = secrets_module.token_urlsafe(32)
    with transaction.atomic():
        account = _locked(account)
        account.set_credentials({"secret": secret})
        account.disconnected_at = None
        account.save(update_fields=["credentials_encrypted", "disconnected_at"])
        record(by, "channel.secret_renewed", account, after={"name": account.name})
    return secret
