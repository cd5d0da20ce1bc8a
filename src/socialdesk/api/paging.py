"""Cursor pagination: a page of a list and an opaque cursor to the next one.

A cursor holds the sort key of the page's last row (its field value and id), so the next page
starts right after it however many rows arrive or leave meanwhile, and no page counts or skips
the rows before it (an OFFSET on a million rows reads them all). Orders are "a field
ascending with empty values last, then id" or "a field descending, then id descending".
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field

from socialdesk.core.params import MAX_ID

MAX_LIMIT = 100


@dataclass(frozen=True)
class Order:
    field: str  # a nullable date-time field of the model
    descending: bool = False


class PageQuery(Schema):
    cursor: str = Field(default="", max_length=200, description="`next` of the page before.")
    limit: int = Field(default=25, ge=1, le=MAX_LIMIT, description="Rows per page (1–100).")


def page[M: Model](
    rows: QuerySet[M], order: Order, cursor: str, limit: int
) -> tuple[list[M], str | None]:
    """The page after `cursor` (the first without one) in `order`, and the next cursor (None:
    this is the last page). The caller's filters are already in `rows`.

    Read in two sections, each in an index's own order: the rows with a value (by value, then
    id), then those without (by id). One `ORDER BY value NULLS LAST` had to sort every row
    where most have no value (resolved conversations have no SLA deadline: 0.8 s at a million
    messages), and SQLite's indexes cannot give an ascending order with NULLs last at all."""
    name = order.field
    value, pk = _read(cursor) if cursor else (None, 0)
    found: list[M] = []
    if not cursor or value is not None:
        dated = rows.filter(**{f"{name}__isnull": False})
        if order.descending:
            dated = dated.order_by(F(name).desc(nulls_last=True), "-pk")
        else:
            dated = dated.order_by(F(name).asc(), "pk")
        if value is not None:
            dated = dated.filter(_after(order, value, pk))
        found = list(dated[: limit + 1])
    if len(found) <= limit:
        undated = rows.filter(**{f"{name}__isnull": True}).order_by(
            "-pk" if order.descending else "pk"
        )
        if cursor and value is None:
            undated = undated.filter(Q(pk__lt=pk) if order.descending else Q(pk__gt=pk))
        found += list(undated[: limit + 1 - len(found)])
    if len(found) <= limit:
        return found, None
    last = found[limit - 1]
    return found[:limit], _write(getattr(last, name), last.pk)


def _after(order: Order, value: datetime, pk: int) -> Q:
    """After (value, pk) among the rows with a value."""
    name = order.field
    pk_later = Q(pk__lt=pk) if order.descending else Q(pk__gt=pk)
    later, reached = ("lt", "lte") if order.descending else ("gt", "gte")
    # The bound on the value alone first: an index range for SQLite too, which reads an OR of
    # the two halves by scanning (1.1 s for a second page at a million messages).
    return Q(**{f"{name}__{reached}": value}) & (Q(**{f"{name}__{later}": value}) | pk_later)


def _write(value: datetime | None, pk: int) -> str:
    raw = json.dumps([value.isoformat() if value else None, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read(cursor: str) -> tuple[datetime | None, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        when = parse_datetime(value) if value is not None else None
        if (value is not None and when is None) or not isinstance(pk, int) or not 1 <= pk <= MAX_ID:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as error:
        raise HttpError(400, _("The cursor is not one this list gave out.")) from error
    return when, pk
