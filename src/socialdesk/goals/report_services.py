"""Writes of the reports: share links (create, revoke), e-mail schedules (save, pause, delete)
and sending the due schedules once per period. Every write is audited.

Share tokens: a random secret signed with `django.core.signing` (salt `report-share`); only the
SHA-256 of the whole token is stored. A token whose signature does not check is "not found"
(404) before any database read; a known one past its expiry or revoked is "gone" (410).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Organisation, User
from socialdesk.core.tasks import send_email_with_attachments
from socialdesk.goals import report_formats
from socialdesk.goals.kpis import Period
from socialdesk.goals.report_data import build_report
from socialdesk.goals.report_models import (
    ADDRESS_LIMIT,
    MAX_RECIPIENTS,
    SHARE_MAX_DAYS,
    Frequency,
    ReportDelivery,
    ReportRecipient,
    ReportSchedule,
    ReportShare,
)

logger = logging.getLogger(__name__)
SALT = "report-share"
MAX_PERIOD_DAYS = 366


# ---------------------------------------------------------------------------- periods
def check_period(since: date, until: date) -> Period:
    if until < since:
        raise ValidationError({"until": _("The end lies before the start.")})
    if (until - since).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"until": _("A report covers at most 366 days.")})
    return Period.of_days(since, until)


def scheduled_period(frequency: str, today: date) -> Period:
    """The last whole calendar week (Monday to Sunday) or month before `today`."""
    if frequency == Frequency.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return Period(monday - timedelta(days=7), monday)
    first = today.replace(day=1)
    return Period((first - timedelta(days=1)).replace(day=1), first)


# ---------------------------------------------------------------------------- share links
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewShare:
    share: ReportShare
    token: str


@transaction.atomic
def share_create(*, by: Acting, since: date, until: date, days: int) -> NewShare:
    check_period(since, until)
    if not 1 <= days <= SHARE_MAX_DAYS:
        raise ValidationError({"days": _("A link works for 1 to 366 days.")})
    token = signing.Signer(salt=SALT).sign(secrets.token_urlsafe(24))
    share = ReportShare.objects.create(
        since=since,
        until=until,
        token_hash=_hash(token),
        created_by=by.user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(
        by,
        "report.shared",
        share,
        after={"starts_on": since.isoformat(), "ends_on": until.isoformat(), "valid_days": days},
    )
    return NewShare(share, token)


@transaction.atomic
def share_revoke(*, by: Acting, share: ReportShare) -> ReportShare:
    share = ReportShare.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        record(by, "report.unshared", share)
    return share


def share_for_token(token: str) -> ReportShare:
    """The share of a token (whether still usable or not); 404 for a token never issued."""
    try:
        signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise Http404 from None
    share = ReportShare.objects.filter(token_hash=_hash(token)).first()
    if share is None:
        raise Http404
    return share


def share_usable(share: ReportShare, now: datetime | None = None) -> bool:
    return share.revoked_at is None and share.expires_at > (now or timezone.now())


# ---------------------------------------------------------------------------- schedules
@dataclass(frozen=True)
class Recipient:
    user: User | None = None
    email: str = ""
    language: str = ""


def _check_recipients(recipients: list[Recipient]) -> None:
    if not recipients:
        raise ValidationError({"recipients": _("Name at least one person or address.")})
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationError(
            {"recipients": _("At most %(n)s recipients per report.") % {"n": MAX_RECIPIENTS}}
        )
    languages = {code for code, _name in settings.LANGUAGES}
    for recipient in recipients:
        address = recipient.email
        if recipient.user is None and (
            not address or "\x00" in address or len(address) > ADDRESS_LIMIT
        ):
            raise ValidationError({"addresses": _("An address is empty or not valid.")})
        if recipient.user is None and recipient.language not in languages:
            raise ValidationError({"addresses": _("Choose a language for each address.")})


@transaction.atomic
def schedule_save(
    *,
    by: Acting,
    schedule: ReportSchedule | None,
    name: str,
    frequency: str,
    send_at: time,
    attach_pdf: bool,
    attach_xlsx: bool,
    recipients: list[Recipient],
) -> ReportSchedule:
    """Create (schedule=None) or change a schedule with all of its recipients."""
    _check_recipients(recipients)
    if not (attach_pdf or attach_xlsx):
        raise ValidationError({"attach_pdf": _("Attach the PDF, the XLSX or both.")})
    creating = schedule is None
    schedule = schedule or ReportSchedule(created_by=by.user)
    schedule.name = name
    schedule.frequency = frequency
    schedule.send_at = send_at
    schedule.attach_pdf = attach_pdf
    schedule.attach_xlsx = attach_xlsx
    schedule.full_clean(exclude=["created_by"])
    schedule.save()
    schedule.recipients.all().delete()
    ReportRecipient.objects.bulk_create(
        ReportRecipient(
            schedule=schedule,
            user=r.user,
            email="" if r.user else r.email.strip(),
            language="" if r.user else r.language,
        )
        for r in recipients
    )
    record(
        by,
        "report.scheduled" if creating else "report.schedule_changed",
        schedule,
        after={"frequency": frequency, "recipients": len(recipients)},
    )
    return schedule


@transaction.atomic
def schedule_pause(*, by: Acting, schedule: ReportSchedule, paused: bool) -> ReportSchedule:
    schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    if bool(schedule.paused_at) != paused:
        schedule.paused_at = timezone.now() if paused else None
        schedule.save(update_fields=["paused_at"])
        record(by, "report.schedule_paused" if paused else "report.schedule_resumed", schedule)
    return schedule


@transaction.atomic
def schedule_delete(*, by: Acting, schedule: ReportSchedule) -> None:
    record(by, "report.schedule_deleted", schedule, object_repr=schedule.name)
    schedule.delete()


# ---------------------------------------------------------------------------- sending
def _send_moment(schedule: ReportSchedule, period: Period, zone: ZoneInfo) -> datetime:
    return datetime.combine(period.end, schedule.send_at, tzinfo=zone)


def due_schedules(now: datetime | None = None) -> list[tuple[ReportSchedule, Period]]:
    """The schedules whose last period is due and not sent yet (earlier ones are not caught
    up: a report of the week before last is old news)."""
    now = now or timezone.now()
    zone = ZoneInfo(Organisation.current().time_zone)
    today = now.astimezone(zone).date()
    due = []
    for schedule in ReportSchedule.objects.filter(paused_at__isnull=True):
        period = scheduled_period(schedule.frequency, today)
        moment = _send_moment(schedule, period, zone)
        if moment > now or moment < schedule.created_at:
            continue
        if ReportDelivery.objects.filter(schedule=schedule, period_start=period.start).exists():
            continue
        due.append((schedule, period))
    return due


def _attachments(
    schedule: ReportSchedule, period: Period, user: User | None, now: datetime
) -> list[tuple[str, bytes, str]]:
    report = build_report(period, user=user, now=now)
    files = []
    for fmt, wanted in (("pdf", schedule.attach_pdf), ("xlsx", schedule.attach_xlsx)):
        if wanted:
            content = report_formats.render(report, fmt)
            files.append((report_formats.filename(report, fmt), content, report_formats.MIME[fmt]))
    return files


def send_schedule(schedule: ReportSchedule, period: Period, now: datetime | None = None) -> int:
    """Send one schedule's report of one period, once: the delivery row is written first in
    the same transaction; a second worker waits for it and then finds it. Returns the number
    of e-mails sent (0 when it was sent already)."""
    now = now or timezone.now()
    organisation = Organisation.current()
    try:
        with transaction.atomic():
            delivery = ReportDelivery.objects.create(
                schedule=schedule, period_start=period.start, period_end=period.end
            )
            sent = 0
            for recipient in schedule.recipients.select_related("user"):
                user = recipient.user
                if user is not None and not user.is_active:
                    continue
                address = user.email if user else recipient.email
                language = (user.language if user else recipient.language) or (
                    organisation.default_language or settings.LANGUAGE_CODE
                )
                with translation.override(language):
                    files = _attachments(schedule, period, user, now)
                    context = {
                        "schedule": schedule,
                        "period": period,
                        "organisation": organisation,
                        "whole": user is None,
                    }
                    subject = render_to_string("goals/reports/email/subject.txt", context).strip()
                    body = render_to_string("goals/reports/email/body.txt", context)
                send_email_with_attachments(subject, body, [address], files)
                sent += 1
            delivery.recipients = sent
            delivery.save(update_fields=["recipients"])
    except IntegrityError:
        return 0  # another worker sent this period
    return sent


def send_due(now: datetime | None = None) -> int:
    total = 0
    for schedule, period in due_schedules(now):
        try:
            total += send_schedule(schedule, period, now)
        except Exception:  # one broken schedule does not stop the others; retried next run
            logger.exception("report schedule %s could not be sent", schedule.pk)
    return total
