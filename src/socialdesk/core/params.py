"""Numbers from query strings and forms, read the one safe way.

``"²".isdigit()`` is true yet ``int("²")`` fails, and an id of 23 digits passes ``isdigit`` and
then overflows SQLite (``OverflowError``) in the query. Every view and selector that takes an id
or a number from outside reads it here: ASCII digits within what the database holds, else none.
"""

from __future__ import annotations

# The largest value of a 64-bit signed integer: the range of ids in every database we support.
MAX_ID = 2**63 - 1
# The range of a PositiveIntegerField / IntegerField on every database we support.
MAX_INT = 2**31 - 1


def id_param(value: object) -> int | None:
    """Return the database id a query or form value names, or None when it names none."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def int_param(value: object, *, default: int, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """Return a whole number from a query or form value, or the default when it is none."""
    text = str(value or "").strip()
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        return default
    number = int(text)
    return number if minimum <= number <= maximum else default
