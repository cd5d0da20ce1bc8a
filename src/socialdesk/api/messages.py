"""Field errors of the API in the caller's language.

django-ninja checks the input with pydantic, whose messages are English only. `input_errors`
turns each into `{field: [message, …]}` with a message of our own catalogue, in the language
the request runs in (`Accept-Language`, else the token's person's language: `api.auth`).
A field is named by its path in the body, query or URL (`text`, `images.0.alt_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Where a value came from in django-ninja's `loc`; the parameter name after "body" is dropped.
SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def field_name(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "__all__"


def _limit(ctx: dict[str, Any], *names: str) -> Any:
    return next((ctx[n] for n in names if n in ctx), "")


def message(error: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the active language."""
    kind = str(error.get("type", ""))
    ctx: dict[str, Any] = error.get("ctx") or {}
    # django-ninja drops the input; pydantic's `field_type` tells a text from a list.
    text = ctx.get("field_type") not in ("List", "Tuple", "Set", "Dictionary")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long" or (kind == "too_long" and text):
        limit = int(_limit(ctx, "max_length") or 0)
        return ngettext(
            "At most %(limit)s character is allowed; this has %(count)s.",
            "At most %(limit)s characters are allowed; this has %(count)s.",
            limit,
        ) % {"limit": limit, "count": _limit(ctx, "actual_length") or _("more")}
    if kind == "string_too_short" or (kind == "too_short" and text):
        return _("Write at least %(limit)s characters.") % {"limit": _limit(ctx, "min_length")}
    if kind == "too_long":
        return _("Give at most %(limit)s entries.") % {"limit": _limit(ctx, "max_length")}
    if kind == "too_short":
        return _("Give at least %(limit)s entries.") % {"limit": _limit(ctx, "min_length")}
    if kind in ("less_than_equal", "less_than"):
        return _("The largest value allowed is %(limit)s.") % {"limit": _limit(ctx, "le", "lt")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("The smallest value allowed is %(limit)s.") % {"limit": _limit(ctx, "ge", "gt")}
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind == "timezone_aware":
        return _("Give the time with its offset from UTC, e.g. 2026-12-01T09:30:00+01:00.")
    if kind.startswith(("datetime_", "date_", "time_")):
        return _("Enter a date and time in ISO 8601, e.g. 2026-12-01T09:30:00+01:00.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": _limit(ctx, "expected")}
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # our own validators raise translated sentences
    return _("This value is not valid here.")


def input_errors(errors: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(field_name(error.get("loc", ())), []).append(message(error))
    return found
