"""Stored credentials: encrypted at rest, never readable without the key, rotatable."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from socialdesk.channels import crypto
from socialdesk.channels.models import ChannelAccount


@pytest.fixture(autouse=True)
def _key_file(settings, tmp_path):
    settings.ENCRYPTION_KEYS = []
    settings.DATA_DIR = tmp_path


def _stored_column(account: ChannelAccount) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted FROM channels_channelaccount WHERE id = %s", [account.pk]
        )
        return str(cursor.fetchone()[0])


def test_it_stores_credentials_encrypted_and_reads_them_back(db, tmp_path):
    account = ChannelAccount(network="mastodon", handle="nordlicht")
    account.set_credentials({"access_token": "secret-token-123"})
    account.save()
    assert "secret-token-123" not in _stored_column(account)
    assert ChannelAccount.objects.get(pk=account.pk).credentials == {
        "access_token": "secret-token-123"
    }
    assert oct((tmp_path / "encryption_keys").stat().st_mode)[-3:] == "600"


def test_it_says_clearly_when_the_key_does_not_fit(db, settings):
    account = ChannelAccount(network="mastodon", handle="nordlicht")
    account.set_credentials({"access_token": "t"})
    account.save()
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(
        crypto.CredentialError, match="cannot be decrypted with the configured keys"
    ):
        _ = ChannelAccount.objects.get(pk=account.pk).credentials


def test_rotate_keys_re_encrypts_under_a_new_key_and_drops_the_old(db, tmp_path):
    account = ChannelAccount(network="bluesky", handle="nordlicht.example")
    account.set_credentials({"app_password": "abcd-efgh"})
    account.save()
    old_key = (tmp_path / "encryption_keys").read_text().strip()
    before = _stored_column(account)
    call_command("rotate-keys", stdout=StringIO())
    new_key = (tmp_path / "encryption_keys").read_text().strip()
    assert new_key != old_key and "\n" not in new_key
    assert _stored_column(account) != before
    assert ChannelAccount.objects.get(pk=account.pk).credentials == {"app_password": "abcd-efgh"}
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(_stored_column(account).encode())


def test_rotate_keys_with_one_environment_key_explains_what_to_do(db, settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="put a new key first"):
        call_command("rotate-keys")


def test_rotate_keys_with_environment_keys_moves_to_the_first(db, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    account = ChannelAccount(network="mastodon", handle="x")
    account.set_credentials({"access_token": "t"})
    account.save()
    settings.ENCRYPTION_KEYS = [new, old]
    call_command("rotate-keys", stdout=StringIO())
    settings.ENCRYPTION_KEYS = [new]
    assert ChannelAccount.objects.get(pk=account.pk).credentials == {"access_token": "t"}
