"""REST API: the report of a period (`GET /api/v1/reports?since=&until=&format=`), as JSON
(numbers as numbers, days and moments ISO 8601) or as a PDF, XLSX or CSV file. The token's
person decides what it covers, as on the report page."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Router
from ninja.errors import HttpError

from socialdesk.api.auth import allow
from socialdesk.core.http import ApiRequest
from socialdesk.goals import report_formats
from socialdesk.goals.report_data import as_json, build_report
from socialdesk.goals.report_services import check_period

router = Router(tags=["reports"])


@router.get("", response=dict[str, Any], **allow("get_report"))
def get_report(
    request: ApiRequest,
    since: date,
    until: date,
    format: Literal["json", "pdf", "xlsx", "csv"] = "json",
) -> Any:
    """The report of the days `since` … `until` (both included; at most 366 days): goals, key
    figures with the change against the previous period of the same length, SLA breaches, top
    feedback items, published posts with engagement, department deadlines. Shares are
    fractions (0.875), durations seconds."""
    try:
        period = check_period(since, until)
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    report = build_report(period, user=request.auth)
    if format == "json":
        return as_json(report)
    response = HttpResponse(
        report_formats.render(report, format), content_type=report_formats.MIME[format]
    )
    name = report_formats.filename(report, format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
