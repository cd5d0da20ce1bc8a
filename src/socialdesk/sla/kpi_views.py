"""The first-response KPI as a page: rate by week against the target, misses, CSV export.

Pending conversations (no answer yet, still inside the target) count neither as met nor as
missed: the rates are over the decided ones and the page says how many are still pending.
"""

from __future__ import annotations

import math
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
from socialdesk.sla import kpi, kpi_groups

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


def percent(rate: float | None) -> float | None:
    """A rate as a percentage with one decimal that neither flatters nor slanders.

    Rounded as usual, except that a rate short of all never reads as 100 % and a rate above
    none never reads as 0 %.
    """
    if rate is None:
        return None
    value = round(rate * 100, 1)
    if value >= 100 and rate < 1:
        return 99.9
    if value <= 0 and rate > 0:
        return 0.1
    return value


def week_label(day: date) -> str:
    """The ISO week as people name it: "KW 48" in German, "W48" in English."""
    return _("W%(week)s") % {"week": day.isocalendar()[1]}


def _weeks(params: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
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
            pending=Count("pk", filter=_pending_q(params, now)),
        )
        .order_by("week")
    )
    weeks = []
    for row in rows:
        rate = kpi_groups.rate(row["within"], row["total"], row["pending"])
        weeks.append(
            {
                "week": row["week"],
                "label": week_label(row["week"]),
                "total": row["total"],
                "within": row["within"],
                "pending": row["pending"],
                "missed": row["total"] - row["within"] - row["pending"],
                "rate": rate,
                "percent": percent(rate),
            }
        )
    return weeks


def _pending_q(params: dict[str, Any], now: datetime) -> Q:
    return Q(first_response_seconds__isnull=True, first_message_at__gte=now - params["within"])


def _chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the geometry of a bar chart with axes (SVG drawn by the template, no script).

    The y axis runs from 0 to 100 % with a gridline every 25 %; each bar is labelled with its
    week below the x axis (every n-th label when there are many weeks).
    """
    left, right, top, bottom = 56, 8, 10, 26
    plot_width, plot_height = 600, 200
    width, height = left + plot_width + right, top + plot_height + bottom
    gap = 4
    count = max(len(weeks), 1)
    bar = (plot_width - gap * (count - 1)) / count
    step = math.ceil(count / 16)
    bars = []
    for index, week in enumerate(weeks):
        rate = week["rate"]
        # A decided week at 0 % keeps a sliver, so it never looks like a week without figures.
        bar_height = max((rate or 0.0) * plot_height, 2.0) if rate is not None else 0.0
        x = left + index * (bar + gap)
        bars.append(
            {
                "x": round(x, 1),
                "y": round(top + plot_height - bar_height, 1),
                "width": round(bar, 1),
                "height": round(bar_height, 1),
                "centre": round(x + bar / 2, 1),
                "label": week["label"],
                "week": week["week"],
                "percent": week["percent"],
                "pending": week["pending"],
                "decided": rate is not None,
                "show_label": index % step == 0,
                "ok": rate is not None and rate >= TARGET_RATE,
            }
        )
    grid = [
        {"y": round(top + plot_height * (1 - share / 100), 1), "label": share}
        for share in (0, 25, 50, 75, 100)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "tick_x": left - 6,
        "right": left + plot_width,
        "axis_y": top + plot_height,
        "label_y": top + plot_height + 18,
        "pending_y": top + plot_height - 8,
        "bars": bars,
        "grid": grid,
        "target_y": round(top + plot_height * (1 - TARGET_RATE), 1),
    }


def first_response(request: AppRequest) -> HttpResponse:
    params = _params(request)
    now = timezone.now()
    result = kpi.first_response(
        within=params["within"],
        user=params["user"],
        account=params["account"] or None,
        since=params["since"],
        until=params["until"],
        now=now,
    )
    weeks = _weeks(params, now)
    missed = (
        _counted(params)
        .filter(
            Q(first_response_seconds__isnull=True, first_message_at__lt=now - params["within"])
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
            "misses": [
                {"c": c, "waited": now - c.first_message_at if c.first_message_at else None}
                for c in page.object_list
            ],
            "decided": result.conversations - result.pending,
            "rate_percent": percent(result.rate_within),
            "departments": [_row(row) for row in result.by_department],
            "persons": [_row(row) for row in result.by_person],
            "query": query.urlencode(),
            "accounts": ChannelAccount.objects.exclude(handle="").order_by("handle"),
            "target_rate": TARGET_RATE,
            "sees_everything": sees_every_conversation(params["user"]),
        },
    )


def _row(group: kpi_groups.GroupKpi) -> dict[str, Any]:
    return {"group": group, "percent": percent(group.rate_within)}


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
    pending_since = timezone.now() - params["within"]

    def outcome(c: Conversation) -> str:
        if c.first_response_seconds is not None:
            return "met" if c.first_response_seconds <= within else "missed"
        pending = c.first_message_at is not None and c.first_message_at >= pending_since
        return "pending" if pending else "missed"

    def rows() -> Iterator[str]:
        writer = csv_writer(_Echo())
        yield writer.writerow(
            [
                "conversation_id", "account_handle", "first_message_at", "first_response_at",
                "first_response_seconds", "target_seconds", "outcome",
                f"answered_within_{params['within_text']}",
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
                    int(within),
                    outcome(c),
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
