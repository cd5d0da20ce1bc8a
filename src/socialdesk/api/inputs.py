"""Input types of the API: what the database can hold is checked before any query runs.

An id beyond 64 bits or a NUL character would otherwise reach the database and fail there
(``OverflowError`` on SQLite, ``DataError`` on PostgreSQL); here they are a 422 that names the
field, like every other wrong value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, AwareDatetime, Field

from socialdesk.core.params import MAX_ID


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("must not contain NUL characters (\\x00)"))
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, AfterValidator(_without_nul)]


def _in_utc(value: datetime) -> datetime:
    """The moment in UTC: Python takes offsets up to ±23:59, PostgreSQL only to ±15:59 (a
    larger one failed the query and the rest of its transaction)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(_("is outside the years 1 to 9999")) from None


Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]
"""A date and time with its offset (ISO 8601), kept as the same moment in UTC."""
