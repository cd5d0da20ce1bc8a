"""Encrypt stored credentials (access tokens, app passwords) with Fernet keys.

Keys come from ENCRYPTION_KEYS (comma-separated, the first encrypts, all decrypt), or else
from a key file in the data folder that socialdesk creates on first use. `socialdesk
rotate-keys` puts a new key first and re-encrypts everything under it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialError(Exception):
    """Stored credentials cannot be read with the configured keys."""


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "encryption_keys"


def configured_keys() -> list[bytes]:
    """Return the keys, newest first, creating a key file when none is configured."""
    if settings.ENCRYPTION_KEYS:
        return [key.encode() for key in settings.ENCRYPTION_KEYS]
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(Fernet.generate_key().decode() + "\n")
    return [line.strip().encode() for line in path.read_text().splitlines() if line.strip()]


_built: dict[tuple[bytes, ...], MultiFernet] = {}


def _fernet(keys: list[bytes] | None = None) -> MultiFernet:
    """The cipher for the keys (built once per set of keys: webhooks decrypt per request)."""
    chosen = tuple(keys or configured_keys())
    if chosen not in _built:
        try:
            cipher = MultiFernet([Fernet(k) for k in chosen])
        except ValueError as error:
            raise CredentialError(f"an encryption key is not a valid Fernet key: {error}") from None
        _built.clear()
        _built[chosen] = cipher
    return _built[chosen]


def encrypt(values: dict[str, Any]) -> str:
    """Return the values as one encrypted token (empty dict: empty string)."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    """Return the values of a token made by `encrypt`."""
    if not token:
        return {}
    try:
        result: dict[str, Any] = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialError(
            "stored credentials cannot be decrypted with the configured keys "
            "(was ENCRYPTION_KEYS changed without `socialdesk rotate-keys`?)"
        ) from None
    return result


def rotate(token: str, keys: list[bytes]) -> str:
    """Re-encrypt a token under the first of `keys` (which must still include the old one)."""
    if not token:
        return token
    try:
        return _fernet(keys).rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialError("a stored credential cannot be decrypted with any key") from None


_rotators: list[Callable[[list[bytes]], int]] = []


def on_rotate(rotator: Callable[[list[bytes]], int]) -> None:
    """An app above keeps encrypted values too: `rotate-keys` calls `rotator(keys)` (it returns
    how many values it re-encrypted) inside its transaction."""
    if rotator not in _rotators:
        _rotators.append(rotator)


def rotate_others(keys: list[bytes]) -> int:
    """Let every registered app re-encrypt its values; return how many there were."""
    return sum(rotator(keys) for rotator in _rotators)
