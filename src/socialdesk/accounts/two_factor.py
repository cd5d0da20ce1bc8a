"""TOTP two-factor login with backup codes (django-otp devices)."""

from __future__ import annotations

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import User

BACKUP_CODES = 10


def has_device(user: User) -> bool:
    """Return whether the person signs in with a second factor."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_device(user: User) -> TOTPDevice:
    """Return the unconfirmed authenticator being set up, creating one if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """Return the provisioning URI of the device as an inline SVG QR code."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """Return the base32 secret in groups of four, for apps that cannot scan."""
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm(*, by: Acting, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator with a code from it; return fresh backup codes, or None."""
    if not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        record(by, "two_factor.enabled", user, after={"two_factor": True})
    return codes


def _new_backup_codes(user: User) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(user=user, name="backup")
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def verify(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """Return the device that accepts the code (a used backup code is gone afterwards)."""
    # Six digits come from the app, anything else is a backup code; asking only the device
    # the code is meant for keeps a backup code from counting as a failed app code.
    devices: list[TOTPDevice | StaticDevice] = (
        list(TOTPDevice.objects.filter(user=user, confirmed=True))
        if code.isdigit() and len(code) == 6
        else list(StaticDevice.objects.filter(user=user, confirmed=True))
    )
    for device in devices:
        if device.verify_token(code):
            return device
    return None


def backup_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())


def disable(*, by: Acting, user: User) -> None:
    """Remove every second factor of the person."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(
            by,
            "two_factor.disabled",
            user,
            before={"two_factor": True},
            after={"two_factor": False},
        )
