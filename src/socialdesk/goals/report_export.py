"""One row per conversation (Chatwoot #15243): the conversations whose first message lies in the
period, as the person may see them (`inbox.selectors.conversations_for_user`).

Rows are read in chunks of `CHUNK` conversations (by id, with their tags and SLA outcomes in two
more queries per chunk) and written as they come: the CSV is a generator for a
StreamingHttpResponse, the XLSX an openpyxl write-only workbook, so 100,000 conversations never
sit in memory at once.

Next responses and their median come from the recorded SLA clocks of kind "next response"
(stopped ones); the resolution time is from the first message to the resolution. An SLA
outcome per clock kind: "breached" when any clock of that kind was breached (or ran past its due
time while pending), else "pending" when one still runs, else "met"; empty without a clock.
"""

from __future__ import annotations

import csv
import io
import statistics
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Organisation, User
from socialdesk.core.durations import human_duration
from socialdesk.goals.kpis import Period
from socialdesk.goals.report_data import link
from socialdesk.goals.report_formats import CSV_SEPARATOR
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.sla import clocks
from socialdesk.sla.models import SlaOutcome

CHUNK = 2000
FIELDS = (
    "pk",
    "channel_account__handle",
    "department__name",
    "first_message_at",
    "first_response_at",
    "first_response_seconds",
    "resolved_at",
    "status",
)


def conversations(period: Period, user: User | None) -> QuerySet[Conversation]:
    start, end = period.bounds()
    rows = Conversation.objects.all() if user is None else conversations_for_user(user)
    return rows.filter(first_message_at__gte=start, first_message_at__lt=end)


def headers() -> list[str]:
    return [
        _("Conversation"),
        _("Channel account"),
        _("Department"),
        _("Tags"),
        _("First message at"),
        _("First response at"),
        _("First response"),
        _("First response (seconds)"),
        _("Next responses"),
        _("Next response, median"),
        _("Next response, median (seconds)"),
        _("Resolution"),
        _("Resolution (seconds)"),
        _("SLA first response"),
        _("SLA next response"),
        _("SLA resolution"),
        _("Status"),
        _("Link"),
    ]


def _outcome(states: list[str]) -> str:
    if not states:
        return ""
    if clocks.BREACHED in states:
        return clocks.BREACHED
    if clocks.PENDING in states:
        return clocks.PENDING
    return clocks.MET


def rows(
    period: Period, user: User | None, now: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Each conversation as a dict of plain values (moments aware, durations seconds)."""
    now = now or timezone.now()
    base = conversations(period, user).values_list(*FIELDS)
    last = 0
    while True:
        chunk = [
            dict(zip(FIELDS, row, strict=True))
            for row in base.filter(pk__gt=last).order_by("pk")[:CHUNK]
        ]
        if not chunk:
            return
        last = chunk[-1]["pk"]
        ids = [c["pk"] for c in chunk]
        tags: dict[int, list[str]] = {}
        through = Conversation.tags.through
        for conversation_id, name in through.objects.filter(conversation_id__in=ids).values_list(
            "conversation_id", "tag__name"
        ):
            tags.setdefault(conversation_id, []).append(name)
        states: dict[tuple[int, str], list[str]] = {}
        nexts: dict[int, list[int]] = {}
        outcomes = SlaOutcome.objects.filter(conversation_id__in=ids, evaluated=False)
        for conversation_id, kind, state, due, elapsed in outcomes.values_list(
            "conversation_id", "kind", "state", "due_at", "elapsed_seconds"
        ):
            if state == clocks.PENDING and due is not None and due < now:
                state = clocks.BREACHED
            states.setdefault((conversation_id, kind), []).append(state)
            if kind == clocks.NEXT_RESPONSE:
                spent = nexts.setdefault(conversation_id, [])
                if elapsed is not None:
                    spent.append(elapsed)
        for c in chunk:
            pk, first, resolved = c["pk"], c["first_message_at"], c["resolved_at"]
            resolution = int((resolved - first).total_seconds()) if resolved and first else None
            times = nexts.get(pk, [])
            yield {
                "id": pk,
                "channel": c["channel_account__handle"],
                "department": c["department__name"] or "",
                "tags": ", ".join(sorted(tags.get(pk, []))),
                "first_message_at": first,
                "first_response_at": c["first_response_at"],
                "first_response_seconds": c["first_response_seconds"],
                "next_count": len(times),
                "next_median_seconds": statistics.median(times) if times else None,
                "resolution_seconds": resolution,
                "sla_first_response": _outcome(states.get((pk, clocks.FIRST_RESPONSE), [])),
                "sla_next_response": _outcome(states.get((pk, clocks.NEXT_RESPONSE), [])),
                "sla_resolution": _outcome(states.get((pk, clocks.RESOLUTION), [])),
                "status": c["status"],
                "url": link(reverse("inbox:conversation", args=[pk])),
            }


def _line(row: dict[str, Any], zone: ZoneInfo) -> list[Any]:
    def moment(value: datetime | None) -> str:
        return value.astimezone(zone).isoformat() if value else ""

    def human(seconds: float | None) -> str:
        # plain spaces: a CSV is read by programs as often as by people
        return human_duration(seconds).replace("\u00a0", " ") if seconds is not None else ""

    def plain(value: Any) -> Any:
        return "" if value is None else value

    return [
        row["id"],
        row["channel"],
        row["department"],
        row["tags"],
        moment(row["first_message_at"]),
        moment(row["first_response_at"]),
        human(row["first_response_seconds"]),
        plain(row["first_response_seconds"]),
        row["next_count"],
        human(row["next_median_seconds"]),
        plain(row["next_median_seconds"]),
        human(row["resolution_seconds"]),
        plain(row["resolution_seconds"]),
        row["sla_first_response"],
        row["sla_next_response"],
        row["sla_resolution"],
        row["status"],
        row["url"],
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(period: Period, user: User | None) -> Iterator[bytes]:
    """The export as CSV lines (`;`, UTF-8 with a byte order mark), one chunk at a time."""
    writer = csv.writer(_Echo(), delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    zone = ZoneInfo(Organisation.current().time_zone)
    yield ("\ufeff" + writer.writerow(headers())).encode("utf-8")
    for row in rows(period, user):
        yield writer.writerow(_line(row, zone)).encode("utf-8")


def xlsx_file(period: Period, user: User | None) -> tempfile.SpooledTemporaryFile[bytes]:
    """The export as an XLSX (write-only workbook) in a temporary file, rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    german = (translation.get_language() or "en").startswith("de")
    zone = ZoneInfo(Organisation.current().time_zone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Conversations")[:31])
    widths = [12, 20, 20, 20, 18, 18, 14, 12, 10, 14, 12, 14, 12, 12, 12, 12, 10, 40]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for title in headers():
        bold = WriteOnlyCell(sheet, value=title)
        bold.font = Font(bold=True)
        header.append(bold)
    sheet.append(header)
    moment_format = "DD.MM.YYYY HH:MM" if german else "YYYY-MM-DD HH:MM"

    def cell(value: Any, number_format: str | None = None) -> WriteOnlyCell:
        made = WriteOnlyCell(sheet, value=value)
        if number_format and value is not None:
            made.number_format = number_format
        return made

    def moment(value: datetime | None) -> Any:
        return value.astimezone(zone).replace(tzinfo=None) if value else None

    def days(seconds: float | None) -> Any:
        return seconds / 86400 if seconds is not None else None

    for row in rows(period, user):
        sheet.append(
            [
                cell(row["id"]),
                cell(row["channel"]),
                cell(row["department"]),
                cell(row["tags"]),
                cell(moment(row["first_message_at"]), moment_format),
                cell(moment(row["first_response_at"]), moment_format),
                cell(days(row["first_response_seconds"]), "[h]:mm:ss"),
                cell(row["first_response_seconds"], "0"),
                cell(row["next_count"], "0"),
                cell(days(row["next_median_seconds"]), "[h]:mm:ss"),
                cell(row["next_median_seconds"], "0"),
                cell(days(row["resolution_seconds"]), "[h]:mm:ss"),
                cell(row["resolution_seconds"], "0"),
                cell(row["sla_first_response"]),
                cell(row["sla_next_response"]),
                cell(row["sla_resolution"]),
                cell(row["status"]),
                cell(row["url"]),
            ]
        )
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=8 * 1024 * 1024
    )  # handed to the FileResponse, which closes it
    book.save(out)
    out.seek(0)
    return out


def csv_bytes(period: Period, user: User | None) -> bytes:
    """The whole CSV at once (for tests and the CLI's small files)."""
    buffer = io.BytesIO()
    for part in csv_stream(period, user):
        buffer.write(part)
    return buffer.getvalue()
