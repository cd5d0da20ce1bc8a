"""`socialdesk rotate-keys`: encrypt every stored credential under a new key."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from socialdesk.accounts.audit import Acting
from socialdesk.channels import crypto, services


class Command(BaseCommand):
    help = (
        "Re-encrypt all stored credentials under a new key. With the key file (default) a new "
        "key is generated and the old ones are removed afterwards; with ENCRYPTION_KEYS, put "
        "the new key first, run this, then remove the old keys from the variable."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from_env = bool(settings.ENCRYPTION_KEYS)
        keys = crypto.configured_keys()
        if not from_env:
            keys = [Fernet.generate_key(), *keys]
        elif len(keys) < 2:
            raise CommandError(
                "ENCRYPTION_KEYS holds one key: put a new key first (keep the old one after it), "
                "then run rotate-keys again"
            )
        accounts, departments = services.keys_rotate(
            by=Acting(user=None, label="rotate-keys"), keys=keys
        )
        if not from_env:
            path = crypto.key_file()
            temporary = path.with_suffix(".new")
            temporary.touch(mode=0o600)
            temporary.write_text(keys[0].decode() + "\n")
            temporary.replace(path)
        self.stdout.write(
            f"Re-encrypted the credentials of {accounts} channel account(s) and the "
            f"issue-tracker addresses of {departments} department(s) under the new key."
        )
        if from_env:
            self.stdout.write("Now remove the old keys from ENCRYPTION_KEYS.")
