"""Encryption of stored credentials: lives in `socialdesk.core.crypto` (re-exported here)."""

from __future__ import annotations

from socialdesk.core.crypto import (
    CredentialError,
    configured_keys,
    decrypt,
    encrypt,
    key_file,
    rotate,
    rotate_others,
)

__all__ = [
    "CredentialError",
    "configured_keys",
    "decrypt",
    "encrypt",
    "key_file",
    "rotate",
    "rotate_others",
]
