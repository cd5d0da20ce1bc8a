"""Bluesky record keys in the TID format, without the protocol client (which takes a second
to import): the publishing services make keys too, and every process imports them."""

from __future__ import annotations

from datetime import datetime

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(moment: datetime, clock_id: int) -> str:
    """A record key in the TID format (microseconds since 1970, 10-bit clock id, base32)."""
    micros = int(moment.timestamp() * 1_000_000)
    value = (micros << 10) | (clock_id & 0x3FF)
    out = ""
    for _ in range(13):
        out = TID_ALPHABET[value & 0x1F] + out
        value >>= 5
    return out
