"""What a Mastodon instance allows in a post, read from the instance itself.

`/api/v2/instance` (Mastodon 4.0+; `/api/v1/instance` for older instances and servers that
only speak v1) names the figures under `configuration`: `statuses.max_characters`,
`statuses.characters_reserved_per_url`, `statuses.max_media_attachments`,
`media_attachments.image_size_limit` and `image_matrix_limit`. They are read when a channel
connects (`channels.services.mastodon_connect`) and again once a day (the REGULAR task
`refresh_channel_limits`), and kept in `ChannelAccount.limits` with `refreshed_at`; the
publishing rules read them from there. A value the instance does not send, or sends in a
shape that is not a sensible whole number, is left out (the rules then use Mastodon's
defaults).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from mastodon import Mastodon

from socialdesk.channels.base import ChannelError, PermanentError
from socialdesk.channels.mastodon.connector import api, call
from socialdesk.channels.models import ChannelAccount, Network

logger = logging.getLogger(__name__)

EVERY = timedelta(days=1)
RETRY_AFTER_FAILURE = timedelta(hours=1)
# name in ChannelAccount.limits: (section of `configuration`, key, largest sensible value)
FIGURES: dict[str, tuple[str, str, int]] = {
    "max_characters": ("statuses", "max_characters", 10_000_000),
    "characters_reserved_per_url": ("statuses", "characters_reserved_per_url", 10_000),
    "max_media": ("statuses", "max_media_attachments", 1_000),
    "image_size_limit": ("media_attachments", "image_size_limit", 2**40),
    "image_matrix_limit": ("media_attachments", "image_matrix_limit", 2**40),
}


def _json(mastodon: Mastodon, path: str) -> Any:
    request = mastodon._Mastodon__api_request  # type: ignore[attr-defined]
    response = call(mastodon, request, "GET", path, None, return_response_object=True)
    try:
        return response.json()
    except ValueError as error:
        raise ChannelError(f"the instance sent {path} that is not JSON ({error})") from None


def _whole(value: Any, largest: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= largest else None


def figures(document: Any) -> dict[str, int]:
    """The limits in an instance document (v2 or v1); only sensible whole numbers."""
    if not isinstance(document, dict):
        return {}
    configuration = document.get("configuration")
    configuration = configuration if isinstance(configuration, dict) else {}
    found: dict[str, int] = {}
    for name, (section, key, largest) in FIGURES.items():
        part = configuration.get(section)
        value = _whole(part.get(key) if isinstance(part, dict) else None, largest)
        if value is not None:
            found[name] = value
    if "max_characters" not in found:  # before Mastodon 3.4, and Pleroma/Akkoma
        legacy = _whole(document.get("max_toot_chars"), FIGURES["max_characters"][2])
        if legacy is not None:
            found["max_characters"] = legacy
    return found


def read(account: ChannelAccount) -> dict[str, int]:
    """Ask the instance (v2, else v1); ChannelError when it cannot be asked."""
    mastodon = api(account)
    try:
        document = _json(mastodon, "/api/v2/instance")
    except PermanentError:  # an instance without v2 answers 404
        document = None
    found = figures(document)
    if "max_characters" not in found:
        found = figures(_json(mastodon, "/api/v1/instance")) | found
    return found


def refresh(account: ChannelAccount) -> dict[str, Any]:
    """Read the instance's limits and keep them on the channel (also the time they were read)."""
    now = timezone.now()
    try:
        found = read(account)
    except ChannelError:
        ChannelAccount.objects.filter(pk=account.pk).update(
            limits={**(account.limits or {}), "failed_at": now.isoformat()}
        )
        raise
    limits: dict[str, Any] = {**found, "refreshed_at": now.isoformat()}
    ChannelAccount.objects.filter(pk=account.pk).update(limits=limits)
    account.limits = limits
    return limits


def _older(value: Any, than: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return True
    return moment.tzinfo is None or moment < than


def due(now: datetime | None = None) -> list[ChannelAccount]:
    """Connected Mastodon channels whose limits are older than a day (an instance that could
    not be asked is asked again after an hour)."""
    now = now or timezone.now()
    accounts = (
        ChannelAccount.objects.filter(network=Network.MASTODON, disconnected_at__isnull=True)
        .exclude(credentials_encrypted="")
        .exclude(url="")
    )
    return [
        account
        for account in accounts
        if _older((account.limits or {}).get("refreshed_at"), now - EVERY)
        and (
            "failed_at" not in (account.limits or {})
            or _older(account.limits["failed_at"], now - RETRY_AFTER_FAILURE)
        )
    ]


def refresh_due() -> int:
    """Refresh every channel that is due; return how many were read. One instance that cannot
    be reached never stops the others."""
    refreshed = 0
    for account in due():
        try:
            refresh(account)
        except ChannelError as error:
            logger.warning("limits of channel %s: %s", account.name, error)
        except Exception:
            logger.exception("limits of channel %s: unexpected error", account.name)
        else:
            refreshed += 1
    return refreshed
