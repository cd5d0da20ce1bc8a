"""API tokens: made, revoked and checked here (views, the API and the `tokens` command call
these functions). The plain key is shown once and stored only as its hash."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import ApiToken, User, hash_secret

TOKEN_PREFIX = "sd_"


def api_token_create(
    *,
    by: Acting,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """Create an API token; the plain key is returned once and never stored. `expires_at`:
    it stops working then; `read_only`: it may read but change nothing."""
    name = name.strip()
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, such as the script that uses it.")}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must lie in the future.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:80],
            prefix=key[: ApiToken.PREFIX_LENGTH + len(TOKEN_PREFIX)],
            key_hash=hash_secret(key),
            expires_at=expires_at,
            read_only=read_only,
        )
        record(
            by,
            "api_token.created",
            token,
            after={
                "name": token.name,
                "owner": user.email,
                "read_only": read_only,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, key


def api_token_end_of(day: date) -> datetime:
    """When a token that works "until `day`" stops: the end of that day, in the active time
    zone (the organisation's)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def api_token_revoke(*, by: Acting, token: ApiToken) -> ApiToken:
    """Make a token useless at once."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            by, "api_token.revoked", token, after={"name": token.name, "owner": token.user.email}
        )
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """Return the live token (with its active person) this key belongs to, and note its
    use; None for an unknown, revoked or expired key."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(key), revoked_at__isnull=True, user__is_active=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
