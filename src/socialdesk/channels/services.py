"""Adding channel accounts (one door for the CLI, the pages and the API)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department
from socialdesk.channels import crypto, errors
from socialdesk.channels.addresses import handle_of_feed, redact
from socialdesk.channels.errors import Code, classify
from socialdesk.channels.models import ChannelAccount, Network

# "mailto:", "ftp:" … but not "host:443" (a port)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def rss_add(
    *, by: Acting, url: str, name: str = "", poll_interval_seconds: int = 300
) -> ChannelAccount:
    """Add a feed as a listening source.

    The handle is the feed's host and path (never its query, which may hold a key); two
    feeds that differ only in their query get numbered handles. An address with
    credentials is kept encrypted and shown redacted (ChannelAccount.set_url).
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            {"url": _("%(url)s is not an http(s) address of a feed.") % {"url": redact(url)}}
        )
    base_handle = handle_of_feed(url)[:240]
    with transaction.atomic():
        taken = list(
            ChannelAccount.objects.select_for_update().filter(
                network=Network.RSS, handle__startswith=base_handle
            )
        )
        if any(account.address == url for account in taken):
            raise ValidationError(
                {"url": _("The feed %(url)s is connected already.") % {"url": redact(url)}}
            )
        handles = {account.handle for account in taken}
        handle = next(
            candidate
            for n in range(1, len(handles) + 2)
            if (candidate := base_handle if n == 1 else f"{base_handle} ({n})") not in handles
        )
        account = ChannelAccount(
            network=Network.RSS,
            handle=handle,
            name=(name or parts.hostname)[:120],
            poll_interval_seconds=max(60, poll_interval_seconds),
        )
        account.set_url(url)
        account.save()
        record(
            by,
            "channel.added",
            account,
            after={"network": "rss", "url": account.url, "name": account.name},
        )
    return account


def webhook_add(
    *,
    by: Acting,
    name: str,
    secret: str = "",
    backfill_url: str = "",
    poll_interval_seconds: int = 900,
) -> tuple[ChannelAccount, str]:
    """Add an inbound webhook; return it and its signing secret (shown once).

    `backfill_url`: where the network lists recent items (same JSON as its deliveries);
    polled now and then to catch deliveries that never arrived.
    """
    import secrets as secrets_module

    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the webhook a name.")})
    handle = name.lower().replace(" ", "-")[:255]
    if ChannelAccount.objects.filter(network=Network.WEBHOOK, handle=handle).exists():
        raise ValidationError(
            {"name": _("A webhook named “%(name)s” exists already.") % {"name": name}}
        )
    secret = secret or secrets_module.token_urlsafe(32)
    backfill_url = backfill_url.strip()
    if backfill_url:
        parts = urlsplit(backfill_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(
                {
                    "backfill_url": _("%(url)s is not an http(s) address.")
                    % {"url": redact(backfill_url)}
                }
            )
    with transaction.atomic():
        account = ChannelAccount(
            network=Network.WEBHOOK,
            handle=handle,
            name=name[:120],
            poll_interval_seconds=max(60, poll_interval_seconds),
        )
        account.set_url(backfill_url)
        account.set_credentials({"secret": secret})
        account.save()
        record(
            by,
            "channel.added",
            account,
            after={
                "network": "webhook",
                "name": name,
                "secret": secret,
                "backfill_url": account.url,
            },
        )
    return account, secret


def _server_url(url: str, *, field: str, network: str) -> str:
    """Return the `scheme://host[:port]` of a network's server (Mastodon instance, Bluesky PDS).

    A bare name gets https://; another scheme, a missing host or a user/password in the
    address is refused in the words of the network the person is connecting.
    """
    given = url.strip().rstrip("/")
    url = given
    if url and "://" not in url and not _SCHEME.match(url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = urlsplit(""), None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.password is not None
    ):
        raise ValidationError({
            field: _("%(url)s is not the address of a %(network)s server")
            % {"url": repr(redact(given)), "network": network}
        })  # fmt: skip
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _instance_url(url: str) -> str:
    return _server_url(url, field="instance", network="Mastodon")


def mastodon_app(instance_url: str, redirect_uri: str) -> tuple[str, str, str]:
    """Register socialdesk as an app on the instance; return (instance, client id, secret)."""
    from mastodon import Mastodon

    from socialdesk.channels.base import ChannelError
    from socialdesk.channels.mastodon.connector import SCOPES, TIMEOUT
    from socialdesk.channels.net import USER_AGENT, public_session

    instance = _instance_url(instance_url)
    try:
        client_id, client_secret = Mastodon.create_app(
            "socialdesk",
            scopes=SCOPES,
            redirect_uris=redirect_uri,
            api_base_url=instance,
            request_timeout=TIMEOUT,
            session=public_session(),
            user_agent=USER_AGENT,
        )
    except Exception as error:  # Mastodon.py raises its own errors and requests' ones
        cause = error.__cause__ or error.__context__
        code = classify(cause) if isinstance(cause, BaseException) else Code.UNKNOWN
        if code == Code.UNKNOWN:
            code = classify(error)
        detail = f"{instance} did not accept the app registration: {_plain(error)}"
        raise errors.at_field("instance", ChannelError(detail, code=code), "mastodon") from None
    if not client_id:
        raise ChannelError(f"{instance} returned no client id")
    return instance, str(client_id), str(client_secret)


def _plain(error: BaseException) -> str:
    from socialdesk.channels.fetch import FetchError

    cause = error.__cause__ or error.__context__
    if isinstance(cause, FetchError):
        return str(cause)
    return str(error)[:300]


def mastodon_connect(
    *,
    by: Acting,
    instance_url: str,
    access_token: str,
    name: str = "",
    poll_interval_seconds: int = 60,
    app: tuple[str, str] | None = None,
    expect_handle: str | None = None,
) -> tuple[ChannelAccount, bool]:
    """Connect (or reconnect) a Mastodon account; return it and whether it is new.

    The token is checked with the instance first; a token that does not work is refused
    with the instance's reason and nothing is stored.
    """
    from socialdesk.channels.base import ChannelError
    from socialdesk.channels.mastodon import connector

    instance = _instance_url(instance_url)
    token = access_token.strip()
    if not token:
        raise ValidationError({"access_token": _("Paste the account's access token.")})
    client = connector.client(instance, token)
    try:
        me = connector.call(client, client.account_verify_credentials)
        info = connector.call(client, client.instance)
    except ChannelError as error:
        error.args = (f"{instance}: {error}",)
        raise errors.at_field("access_token", error, "mastodon") from None
    domain = str(info.get("domain") or info.get("uri") or urlsplit(instance).hostname).lower()
    domain = urlsplit(domain).hostname or domain if "://" in domain else domain
    handle = connector.handle_of(me, domain)
    _same_account(handle, expect_handle, "access_token")
    credentials: dict[str, str] = {
        "access_token": token,
        "account_id": str(me.id),
        "domain": domain,
    }
    if app:
        credentials.update({"client_id": app[0], "client_secret": app[1]})
    account, created = _connected(
        by=by,
        network=Network.MASTODON,
        handle=handle,
        name=name,
        url=instance,
        poll_interval_seconds=poll_interval_seconds,
        credentials=credentials,
    )
    _read_limits(account)
    return account, created


def _read_limits(account: ChannelAccount) -> None:
    """What the instance allows in a post (the daily task tries again when this fails)."""
    import logging

    from socialdesk.channels.base import ChannelError
    from socialdesk.channels.mastodon import limits

    try:
        limits.refresh(account)
    except ChannelError as error:
        logging.getLogger(__name__).warning("limits of %s: %s", account.handle, error)


def _connected(
    *,
    by: Acting,
    network: str,
    handle: str,
    name: str,
    url: str,
    poll_interval_seconds: int,
    credentials: dict[str, str],
) -> tuple[ChannelAccount, bool]:
    """Store a checked connection: a new account, or new credentials for a known one."""
    with transaction.atomic():
        account = (
            ChannelAccount.objects.select_for_update()
            .filter(network=network, handle=handle)
            .first()
        )
        created = account is None
        if account is None:
            account = ChannelAccount(network=network, handle=handle)
        account.name = (name.strip() or account.name or f"@{handle}")[:120]
        account.set_url(url)
        account.poll_interval_seconds = max(30, poll_interval_seconds)
        account.last_error = account.last_error_code = ""
        account.failures = 0
        account.next_poll_at = None
        account.disconnected_at = None
        account.set_credentials(credentials)
        account.save()
        record(
            by,
            "channel.added" if created else "channel.reconnected",
            account,
            after={"network": network, "url": account.url, "handle": handle},
        )
    return account, created


def bluesky_connect(
    *,
    by: Acting,
    handle: str,
    app_password: str,
    service: str = "https://bsky.social",
    name: str = "",
    poll_interval_seconds: int = 60,
    expect_handle: str | None = None,
) -> tuple[ChannelAccount, bool]:
    """Connect (or reconnect) a Bluesky account with an app password; log in once to check."""
    from socialdesk.channels.base import ChannelError
    from socialdesk.channels.bluesky import connector

    identifier = ChannelAccount.normalise_handle(handle)
    if not identifier:
        raise ValidationError(
            {"handle": _("Give the account's handle, e.g. nordlicht.bsky.social.")}
        )
    if not app_password.strip():
        raise ValidationError({"app_password": _("Paste an app password of the account.")})
    service = _server_url(service, field="service", network="Bluesky")
    try:
        client, session = connector.login(service, identifier, app_password.strip())
    except ChannelError as error:
        error.args = (f"{service}: {error}",)
        raise errors.at_field("app_password", error, "bluesky") from None
    did = str(client._session.did) if client._session else ""
    account_handle = str(client._session.handle if client._session else identifier).lower()
    _same_account(account_handle, expect_handle, "app_password")
    return _connected(
        by=by,
        network=Network.BLUESKY,
        handle=account_handle,
        name=name,
        url=service,
        poll_interval_seconds=poll_interval_seconds,
        credentials={
            "identifier": identifier,
            "app_password": app_password.strip(),
            "did": did,
            "session": session,
        },
    )


def keys_rotate(*, by: Acting, keys: list[bytes]) -> tuple[int, int]:
    """Re-encrypt every stored credential under `keys[0]`; return (accounts, departments).

    Channel accounts' credentials and addresses that carry credentials, and departments'
    issue-tracker addresses that carry a token, are kept encrypted.
    """
    accounts = list(ChannelAccount.objects.exclude(credentials_encrypted="", url_encrypted=""))
    departments = list(Department.objects.exclude(issue_tracker_url_encrypted=""))
    with transaction.atomic():
        for account in accounts:
            account.credentials_encrypted = crypto.rotate(account.credentials_encrypted, keys)
            account.url_encrypted = crypto.rotate(account.url_encrypted, keys)
            account.save(update_fields=["credentials_encrypted", "url_encrypted"])
        for department in departments:
            department.issue_tracker_url_encrypted = crypto.rotate(
                department.issue_tracker_url_encrypted, keys
            )
            department.save(update_fields=["issue_tracker_url_encrypted"])
        others = crypto.rotate_others(keys)  # e.g. the webhooks' addresses and secrets
        record(
            by,
            "settings.keys_rotated",
            after={
                "credentials": len(accounts),
                "issue_tracker_addresses": len(departments),
                "other_values": others,
            },
        )
    return len(accounts), len(departments)


def _same_account(handle: str, expect_handle: str | None, field: str) -> None:
    if expect_handle is not None and handle != expect_handle:
        raise ValidationError({
            field: _("These credentials belong to @%(handle)s, not to @%(expected)s.")
            % {"handle": handle, "expected": expect_handle}
        })  # fmt: skip
