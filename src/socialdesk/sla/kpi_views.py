"""The first-response KPI as a page: rate by week against the target, misses, CSV export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Organisation
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.csv_export import csv_writer
from socialdesk.core.http import AppRequest
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.selectors import sees_every_conversation
from socialdesk.sla import kpi

DEFAULT_WEEKS = 12
TARGET_RATE = 1.0  # the seed goal: 100 % of questions answered within the target


class _Echo:
    def write(self, value: str) -> str:
        return value


def _params(request: AppRequest) -> dict[str, Any]:
    errors: list[str] = []
    within_text = request.GET.get("within", "24h")
    try:
        within = kpi.parse_duration(within_text)
    except ValueError:
        errors.append(
            _("“%(value)s” is not a duration such as 24h, 90m or 1d.") % {"value": within_text}
        )
        within, within_text = timedelta(hours=24), "24h"

    def day(name: str) -> date | None:
        value = request.GET.get(name, "")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors.append(_("“%(value)s” is not a date.") % {"value": value})
            return None

    since, until = day("since"), day("until")
    if since is None and until is None:
        zone = ZoneInfo(Organisation.current().time_zone)
        until = timezone.now().astimezone(zone).date()
        since = until - timedelta(weeks=DEFAULT_WEEKS)
    return {
        "within": within,
        "within_text": within_text,
        "since": since,
        "until": until,
        "account": request.GET.get("account", ""),
        "user": request.user,  # the KPI covers the conversations this person may see
        "errors": errors,
    }


def _counted(params: dict[str, Any]) -> QuerySet[Conversation]:
    """The conversations the page counts: those the person may see, filtered by the form."""
    return kpi.counted_conversations(
        user=params["user"],
        account=params["account"],
        since=params["since"],
        until=params["until"],
    )


def _weeks(params: dict[str, Any]) -> list[dict[str, Any]]:
    zone = ZoneInfo(Organisation.current().time_zone)
    rows = (
        _counted(params)
        .annotate(week=TruncWeek("first_message_at", tzinfo=zone))
        .values("week")
        .annotate(
            total=Count("pk"),
            within=Count(
                "pk", filter=Q(first_response_seconds__lte=params["within"].total_seconds())
            ),
        )
        .order_by("week")
    )
    weeks = []
    for row in rows:
        rate = row["within"] / row["total"] if row["total"] else 0.0
        weeks.append(
            {"week": row["week"], "total": row["total"], "within": row["within"], "rate": rate}
        )
    return weeks


def _chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the geometry of a bar chart (SVG drawn by the template, no script)."""
    width, height, gap = 640, 200, 4
    bar = (width - gap * max(len(weeks) - 1, 0)) / max(len(weeks), 1)
    bars = []
    for index, week in enumerate(weeks):
        bar_height = week["rate"] * height
        bars.append(
            {
                "x": round(index * (bar + gap), 1),
                "y": round(height - bar_height, 1),
                "width": round(bar, 1),
                "height": round(bar_height, 1),
                "label": week["week"],
                "rate": week["rate"],
                "ok": week["rate"] >= TARGET_RATE,
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "target_y": round(height * (1 - TARGET_RATE), 1),
    }


def first_response(request: AppRequest) -> HttpResponse:
    params = _params(request)
    result = kpi.first_response(
        within=params["within"],
        user=params["user"],
        account=params["account"] or None,
        since=params["since"],
        until=params["until"],
    )
    weeks = _weeks(params)
    missed = (
        _counted(params)
        .filter(
            Q(first_response_seconds__isnull=True)
            | Q(first_response_seconds__gt=params["within"].total_seconds())
        )
        .select_related("contact", "channel_account")
        .order_by("-first_message_at")
    )
    page = Paginator(missed, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sla/kpi_first_response.html",
        {
            "params": params,
            "result": result,
            "weeks": weeks,
            "chart": _chart(weeks),
            "page": page,
            "query": query.urlencode(),
            "accounts": ChannelAccount.objects.exclude(handle="").order_by("handle"),
            "target_rate": TARGET_RATE,
            "sees_everything": sees_every_conversation(params["user"]),
        },
    )


def first_response_csv(request: AppRequest) -> StreamingHttpResponse:
    """One row per counted conversation: response and resolution times, SLA state, tags."""
    params = _params(request)
    conversations = (
        _counted(params)
        .select_related("channel_account")
        .prefetch_related("tags")
        .order_by("first_message_at", "pk")
    )
    within = params["within"].total_seconds()

    def rows() -> Iterator[str]:
        writer = csv_writer(_Echo())
        yield writer.writerow(
            [
                "conversation", "account", "first_message_at", "first_response_at",
                "first_response_seconds", f"answered_within_{params['within_text']}",
                "resolved_at", "resolution_seconds", "sla_state", "tags",
            ]
        )  # fmt: skip
        for c in conversations.iterator(chunk_size=2000):
            resolution = (
                int((c.resolved_at - c.first_message_at).total_seconds())
                if c.resolved_at and c.first_message_at
                else ""
            )
            yield writer.writerow(
                [
                    c.pk,
                    c.channel_account.handle,
                    _iso(c.first_message_at),
                    _iso(c.first_response_at),
                    "" if c.first_response_seconds is None else c.first_response_seconds,
                    "yes"
                    if c.first_response_seconds is not None and c.first_response_seconds <= within
                    else "no",
                    _iso(c.resolved_at),
                    resolution,
                    c.sla_state,
                    ";".join(t.name for t in c.tags.all()),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="first-response.csv"'
    return response


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
