"""The report pages: the report of a period with its downloads, the one-row-per-conversation
export, share links and e-mail schedules (managers), and the public shared report."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialdesk import access
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import Organisation
from socialdesk.core.http import AppRequest
from socialdesk.goals import report_export, report_formats, report_services
from socialdesk.goals.kpis import Period
from socialdesk.goals.report_data import Report, build_report
from socialdesk.goals.report_forms import PeriodForm, ScheduleForm, ShareForm
from socialdesk.goals.report_models import ReportSchedule, ReportShare

FORMATS = ("pdf", "xlsx", "csv")


def download(report: Report, fmt: str) -> HttpResponse:
    response = HttpResponse(
        report_formats.render(report, fmt), content_type=report_formats.MIME[fmt]
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{report_formats.filename(report, fmt)}"'
    )
    return response


def _period(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    form = PeriodForm(request.GET or {"preset": "week"})
    return form, form.period(timezone.localdate())


def _query(period: Period) -> str:
    return urlencode(
        {
            "preset": "custom",
            "since": period.start.isoformat(),
            "until": period.last_day.isoformat(),
        }
    )


def reports(request: AppRequest) -> HttpResponse:
    form, period = _period(request)
    context: dict[str, Any] = {"form": form, "report": None}
    if period is not None:
        report = build_report(period, user=request.user)
        fmt = request.GET.get("format", "")
        if fmt in FORMATS:
            return download(report, fmt)
        context.update(report_formats.context(report))
        context["query"] = _query(period)
        context["may_share"] = access.user_may(request.user, "goals:report_shares")
    return render(request, "goals/reports/page.html", context)


def report_conversations(request: AppRequest) -> HttpResponseBase:
    _form, period = _period(request)
    if period is None:
        return redirect(reverse("goals:reports") + "?" + request.GET.urlencode())
    name = f"{_('conversations')}-{period.start.isoformat()}-{period.last_day.isoformat()}"
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            report_export.xlsx_file(period, request.user),
            as_attachment=True,
            filename=f"{name}.xlsx",
            content_type=report_formats.XLSX_MIME,
        )
    response = StreamingHttpResponse(
        report_export.csv_stream(period, request.user), content_type=report_formats.MIME["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


# ---------------------------------------------------------------------------- share links
def report_shares(request: AppRequest) -> HttpResponse:
    created = None
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                new = report_services.share_create(by=acting(request), **form.cleaned_data)
            except ValidationError as error:
                form.show_errors(error)
            else:
                created = settings.SITE_URL + reverse("shared_reports:report", args=[new.token])
                form = ShareForm()
    else:
        initial: dict[str, Any] = {"days": 30}
        _form, period = _period(request)
        if period is not None:
            initial.update(since=period.start, until=period.last_day)
        form = ShareForm(initial=initial)
    shares = ReportShare.objects.select_related("created_by")
    now = timezone.now()
    return render(
        request,
        "goals/reports/shares.html",
        {"form": form, "created": created, "shares": shares, "now": now},
    )


@require_POST
def report_share_revoke(request: AppRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(ReportShare, pk=pk)
    report_services.share_revoke(by=acting(request), share=share)
    messages.success(request, _("The link no longer works."))
    return redirect("goals:report_shares")


def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """The public page of a share link: no sign-in, no navigation into the app."""
    share = report_services.share_for_token(token)
    languages = {code for code, _name in settings.LANGUAGES}
    language = request.GET.get("lang", "")
    if language not in languages:
        language = Organisation.current().default_language or settings.LANGUAGE_CODE
    with translation.override(language):
        if not report_services.share_usable(share):
            response = render(
                request,
                "goals/reports/gone.html",
                {"revoked": share.revoked_at is not None, "LANGUAGE_CODE": language},
                status=410,
            )
        else:
            report = build_report(Period.of_days(share.since, share.until), user=None)
            fmt = request.GET.get("format", "")
            if fmt in ("pdf", "xlsx"):
                response = download(report, fmt)
            else:
                response = render(
                    request,
                    "goals/reports/shared.html",
                    {**report_formats.context(report), "share": share, "LANGUAGE_CODE": language},
                )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# ---------------------------------------------------------------------------- schedules
def report_schedules(request: AppRequest) -> HttpResponse:
    schedules = ReportSchedule.objects.prefetch_related("recipients__user")
    return render(request, "goals/reports/schedules.html", {"schedules": schedules})


def report_schedule_edit(request: AppRequest, pk: int | None = None) -> HttpResponse:
    schedule = get_object_or_404(ReportSchedule, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                report_services.schedule_save(
                    by=acting(request), schedule=schedule, **form.service_args()
                )
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(request, _("The report schedule is saved."))
                return redirect("goals:report_schedules")
    elif schedule is not None:
        recipients = list(schedule.recipients.all())
        form = ScheduleForm(
            initial={
                "name": schedule.name,
                "frequency": schedule.frequency,
                "send_at": schedule.send_at,
                "attach_pdf": schedule.attach_pdf,
                "attach_xlsx": schedule.attach_xlsx,
                "people": [r.user_id for r in recipients if r.user_id],
                "addresses": "\n".join(f"{r.email} {r.language}" for r in recipients if r.email),
            }
        )
    else:
        form = ScheduleForm(initial={"frequency": "weekly", "send_at": "08:00"})
    return render(request, "goals/reports/schedule_form.html", {"form": form, "schedule": schedule})


@require_POST
def report_schedule_pause(request: AppRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    paused = request.POST.get("paused") == "1"
    report_services.schedule_pause(by=acting(request), schedule=schedule, paused=paused)
    return redirect("goals:report_schedules")


@require_POST
def report_schedule_delete(request: AppRequest, pk: int) -> HttpResponse:
    schedule = get_object_or_404(ReportSchedule, pk=pk)
    report_services.schedule_delete(by=acting(request), schedule=schedule)
    messages.success(request, _("The report schedule is deleted."))
    return redirect("goals:report_schedules")
