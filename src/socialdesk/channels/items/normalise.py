"""The one gate every inbound item passes before the database sees it.

Webhooks, imports, Mastodon, Bluesky and RSS all store through the Importer, and the
Importer passes every row through `normalise` first. What no database can hold is cleaned:
NUL bytes (PostgreSQL refuses them in text and JSON) and lone surrogates (not encodable as
UTF-8) leave every text field, nested meta included; free text that is too long for its column
(a display name) is cut at the column's limit. What cannot be cut without turning it into
something else (an id, a handle, a parent id) makes the row a RowError with the reason, so
it is rejected or set aside alone.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from socialdesk.channels.items.readers import MAX_TEXT, ImportRow, RowError

ID_LENGTH = 255  # Message.external_id and parent_external_id
HANDLE_LENGTH = 255  # Message.author_handle, ContactHandle.handle, ChannelAccount.handle
NAME_LENGTH = 200  # Contact.display_name
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """Return text without NUL bytes and with lone surrogates replaced by U+FFFD."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def clean_json(value: Any) -> Any:
    """Return a JSON-able value with every string (keys too) cleaned like `clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def normalise(row: ImportRow) -> ImportRow | RowError:
    """Return the row as the database can hold it, or a RowError naming what cannot be cut."""
    external_id = clean_text(row.external_id).strip()
    changes: dict[str, Any] = {}
    if not external_id:
        return RowError(_("id is empty"), external_id="")
    if len(external_id) > ID_LENGTH:
        return RowError(
            _("id is longer than %(limit)s characters") % {"limit": ID_LENGTH},
            external_id=external_id,
        )
    for name, label, limit in (
        ("parent_id", "parent id", ID_LENGTH),
        ("author", "author", HANDLE_LENGTH),
        ("account", "account", HANDLE_LENGTH),
    ):
        value = clean_text(getattr(row, name))
        if len(value) > limit:
            return RowError(
                _("%(field)s is longer than %(limit)s characters")
                % {"field": label, "limit": limit},
                external_id=external_id,
            )
        changes[name] = value
    try:
        row.created_at.astimezone(UTC)  # 9999-12-31T23:59-05:00 is beyond year 9999 in UTC
    except (OverflowError, ValueError):
        return RowError(
            _("created_at %(value)s is out of range") % {"value": row.created_at},
            external_id=external_id,
        )
    text = clean_text(row.text)
    if len(text) > MAX_TEXT:
        return RowError(
            _("text is longer than %(limit)s characters") % {"limit": MAX_TEXT},
            external_id=external_id,
        )
    changes["external_id"] = external_id
    changes["text"] = text
    changes["author_name"] = clean_text(row.author_name)[:NAME_LENGTH]
    if row.meta:
        changes["meta"] = clean_json(row.meta)
    if all(getattr(row, name) == value for name, value in changes.items()):
        return row
    return dataclasses.replace(row, **changes)
