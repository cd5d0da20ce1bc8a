"""A webhook's address and secret: encrypted at rest, redacted when shown, rotated with the keys."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.webhooks import services
from socialdesk.webhooks.models import Subscription

URL = "https://hooks.example.org/services/T000/B000?token=abc123secret"


@pytest.fixture(autouse=True)
def _key_file(settings: Any, tmp_path: Any) -> None:
    settings.ENCRYPTION_KEYS = []
    settings.DATA_DIR = tmp_path
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"


def test_the_address_and_secret_are_kept_encrypted_and_shown_redacted(db: None) -> None:
    subscription, secret = services.subscription_create(
        by=Acting(user=None, label="test"), name="Chat", url=URL, kinds=["sla.breached"]
    )
    stored = Subscription.objects.values("url", "credentials_encrypted").get()
    assert (
        "abc123secret" not in stored["url"]
        and "abc123secret" not in stored["credentials_encrypted"]
    )
    assert secret not in stored["credentials_encrypted"]
    assert subscription.credentials == {"url": URL, "secret": secret}
    audit = AuditEvent.objects.get(action="webhook.created")
    assert "abc123secret" not in str(audit.after) and secret not in str(audit.after)


def test_rotate_keys_re_encrypts_webhooks_too(db: None, tmp_path: Any) -> None:
    subscription, secret = services.subscription_create(
        by=Acting(user=None, label="test"), name="Chat", url=URL, kinds=["sla.breached"]
    )
    old_key = (tmp_path / "encryption_keys").read_text().strip()
    call_command("rotate-keys", stdout=StringIO())
    fresh = Subscription.objects.get(pk=subscription.pk)
    assert fresh.credentials == {"url": URL, "secret": secret}
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(fresh.credentials_encrypted.encode())
    rotated = AuditEvent.objects.get(action="settings.keys_rotated")
    assert rotated.after["other_values"] == 1
