"""Background work of the channels: poll every channel whose turn has come, send replies."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from socialdesk.channels import base
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount

logger = logging.getLogger(__name__)


def due_accounts() -> list[ChannelAccount]:
    now = timezone.now()
    return list(
        ChannelAccount.objects.filter(network__in=list(base.CONNECTORS))
        .exclude(handle="")
        .exclude(url="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at")
    )


def poll_due(limit: int = 50) -> int:
    """Poll the channels that are due; one failing channel never stops the others."""
    stored = 0
    for account in due_accounts()[:limit]:
        try:
            stored += base.poll(account)
        except (base.ChannelError, FetchError) as error:
            logger.warning("channel %s: %s", account.name, error)
        except Exception:
            logger.exception("channel %s: unexpected error", account.name)
            base.record_failure(account, "unexpected error while polling (see the worker's log)")
    return stored


@task()
def poll_channels() -> int:
    return poll_due()


@task()
def send_replies() -> int:
    from socialdesk.channels.sending import send_due

    return send_due()
