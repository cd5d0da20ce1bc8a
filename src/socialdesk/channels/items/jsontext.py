"""JSON from outside, read exactly: numbers never pass through float, nesting is bounded.

Webhook bodies and JSON Lines files are read here. Integer literals stay integers (every
digit), other numbers become `Decimal` with the literal as written, so an id keeps its digits
and an id that was a float on the sender's side is recognised and refused with a reason. A
document nested deeper than `MAX_DEPTH` is refused before it is parsed (Python's parser would
recurse until RecursionError).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 64
EXACT_FLOAT_LIMIT = 2**53  # beyond it a double cannot hold every integer
_LONGEST_INT = 4000  # Python refuses to convert longer digit strings (4300)
_STRUCTURE = re.compile(r'[\[\]{}"\\]')


class TooDeep(ValueError):
    """The document is nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")


class JsonFloat(Decimal):
    """A JSON number written with a fraction or exponent; `literal` is how it was written."""

    literal: str

    def __new__(cls, literal: str) -> JsonFloat:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


def _integer(literal: str) -> int | str:
    # Digit strings too long for int() are kept as written (as text they lose nothing).
    return int(literal) if len(literal) <= _LONGEST_INT else literal


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Return whether arrays/objects nest deeper than `limit` (strings are skipped)."""
    depth = 0
    in_string = False
    skip = -1
    for match in _STRUCTURE.finditer(text):
        position = match.start()
        if position == skip:
            continue
        char = text[position]
        if in_string:
            if char == "\\":
                skip = position + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads(text: str | bytes) -> Any:
    """Parse JSON exactly; raise TooDeep, or ValueError (JSONDecodeError) when it is no JSON."""
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    if too_deep(text):
        raise TooDeep
    return json.loads(text, parse_float=JsonFloat, parse_int=_integer)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def field_text(value: Any) -> str:
    """Return a JSON value as the text of a field: nested values as JSON, never Python repr."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, JsonFloat):
        return value.literal
    if isinstance(value, dict | list):
        return json.dumps(_plain(value), ensure_ascii=False)
    return str(value)


def json_id(value: Any, name: str = "id") -> str:
    """Return an id given as a JSON value as text; raise ValueError when it cannot be trusted.

    Integers keep every digit. A number written as a float (`3.0`, `1.2e3`) is taken when it
    is an integer below 2^53; beyond that the sender had a float and digits may be gone. A
    number with a fraction (`1.5`) is no integer id: it is kept as written, like any text id.
    """
    if isinstance(value, JsonFloat):
        try:
            integral = value.is_finite() and value == value.to_integral_value()
        except InvalidOperation:
            integral = False
        if not integral:
            return value.literal
        if abs(value) >= EXACT_FLOAT_LIMIT:
            raise ValueError(
                _(
                    "%(name)s %(value)s is a floating-point number beyond 2^53 and may have"
                    " lost digits; write it as a string or integer"
                )
                % {"name": name, "value": value.literal}
            )
        return str(int(value))
    if isinstance(value, dict | list):
        raise ValueError(_("%(name)s is not a number or text") % {"name": name})
    return field_text(value)
