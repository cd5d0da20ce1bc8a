"""The editorial calendar's pages: month, week and list; moving a post (drag and drop or the
"Move" form), "add to queue", posting slots, and the personal iCalendar feed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import error_text, form_error_text
from socialdesk.core.http import AppRequest
from socialdesk.publishing import calendar as calendar_reads
from socialdesk.publishing import ical, services, slot_services
from socialdesk.publishing.calendar_forms import (
    WEEKDAY_CHOICES,
    FilterForm,
    MoveForm,
    SlotForm,
    WeekdaysForm,
)
from socialdesk.publishing.models import EDITABLE, Post, PostingSlot, PostStatus
from socialdesk.publishing.selectors import campaigns_for_user, post_for_user, posts_for_user

UNDO = "publishing_calendar_undo"


def _channels() -> QuerySet[ChannelAccount]:
    return ChannelAccount.objects.order_by("network", "handle")


def calendar(request: AppRequest) -> HttpResponse:
    user = request.user
    visible = posts_for_user(user)
    form = FilterForm(
        request.GET or None,
        channels=_channels(),
        campaigns=campaigns_for_user(user),
        authors=User.objects.filter(pk__in=visible.values("author_id")).order_by("full_name"),
    )
    today = timezone.now().astimezone(calendar_reads.organisation_zone()).date()
    shown = calendar_reads.build(
        user, form.chosen_view(), form.anchor(today), form.filters(), page=form.chosen_page()
    )
    # The filters, kept by every link that changes the date or the view.
    kept = {k: v for k, v in request.GET.items() if k not in ("date", "view", "page") and v}
    return render(
        request,
        "publishing/calendar/calendar.html",
        {
            "cal": shown,
            "form": form,
            "kept": urlencode(kept),
            "may_move": user_may(user, "publishing:post_reschedule"),
            "perms_slots": user_may(user, "publishing:slots"),
            "movable": [str(status) for status in EDITABLE],
            "undo": request.session.pop(UNDO, None),
            "back": request.get_full_path(),
            "statuses": PostStatus.choices,
        },
    )


def _back(request: HttpRequest, fallback: str) -> str:
    back = request.POST.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=False):
        return back
    return fallback


def _when(post: Post) -> str:
    assert post.scheduled_at is not None
    local = timezone.localtime(post.scheduled_at, calendar_reads.organisation_zone())
    return f"{formats.date_format(local, 'SHORT_DATE_FORMAT')}, {local:%H:%M}"


@require_POST
def post_reschedule(request: AppRequest, pk: int) -> HttpResponseBase:
    """Move a post to another day and time, with the checks of the form."""
    post = post_for_user(request.user, pk)
    back = _back(request, reverse("publishing:calendar"))
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    before, status_before = post.scheduled_at, post.status
    try:
        post = services.post_schedule(by=acting(request), post=post, at=form.at())
    except ValidationError as error:
        messages.error(
            request,
            _("“%(post)s” was not moved: %(why)s") % {"post": post, "why": error_text(error)},
        )
        return redirect(back)
    text = _("“%(post)s” now goes out on %(when)s.") % {"post": post, "when": _when(post)}
    if (
        status_before in (PostStatus.APPROVED, PostStatus.SCHEDULED)
        and post.status == PostStatus.IN_REVIEW
    ):
        text += " " + _("It had been approved for the old time, so it goes back to review.")
    messages.success(request, text)
    if before is not None:
        local = timezone.localtime(before, calendar_reads.organisation_zone())
        request.session[UNDO] = {
            "post": post.pk,
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "title": str(post),
        }
    return redirect(back)


@require_POST
def post_queue(request: AppRequest, pk: int) -> HttpResponseBase:
    """Give a post the next free posting slot of its channels."""
    post = post_for_user(request.user, pk)
    back = _back(request, reverse("publishing:calendar"))
    try:
        post = slot_services.post_queue(by=acting(request), post=post)
    except slot_services.NoSlots:
        messages.error(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("The channels of this post have no free posting slot."),
                reverse("publishing:slots"),
                _("Set up posting slots"),
            ),
        )
        return redirect(back)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(back)
    messages.success(
        request,
        _("“%(post)s” takes the next free slot: %(when)s.") % {"post": post, "when": _when(post)},
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def slots(request: AppRequest) -> HttpResponseBase:
    """Posting slots per channel: add one, add the weekday pattern, remove one."""
    channels = _channels()
    by = acting(request)
    slot_form = SlotForm(channels=channels, prefix="slot")
    weekdays_form = WeekdaysForm(channels=channels, prefix="weekdays")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                slot_form = SlotForm(request.POST, channels=channels, prefix="slot")
                if slot_form.is_valid():
                    data = slot_form.cleaned_data
                    slot_services.slot_add(
                        by=by, channel=data["channel"], weekday=data["weekday"], at=data["time"]
                    )
                    messages.success(request, _("The posting slot was added."))
                    return redirect("publishing:slots")
            elif action == "weekdays":
                weekdays_form = WeekdaysForm(request.POST, channels=channels, prefix="weekdays")
                if weekdays_form.is_valid():
                    data = weekdays_form.cleaned_data
                    added = slot_services.slots_add_weekdays(
                        by=by, channel=data["channel"], times=data["times"]
                    )
                    messages.success(
                        request,
                        _("Posting slots from Monday to Friday: %(count)s in all.")
                        % {"count": len(added)},
                    )
                    return redirect("publishing:slots")
            elif action == "remove":
                pk = _int(request.POST.get("slot"))
                slot = PostingSlot.objects.filter(pk=pk).first() if pk is not None else None
                if slot is None:
                    raise Http404
                slot_services.slot_remove(by=by, slot=slot)
                messages.success(request, _("The posting slot was removed."))
                return redirect("publishing:slots")
        except ValidationError as error:
            messages.error(request, error_text(error))
    names = dict(WEEKDAY_CHOICES)
    by_channel: dict[ChannelAccount, list[tuple[PostingSlot, str]]] = {}
    for slot in PostingSlot.objects.select_related("channel").order_by(
        "channel", "weekday", "time"
    ):
        by_channel.setdefault(slot.channel, []).append((slot, str(names[slot.weekday])))
    return render(
        request,
        "publishing/calendar/slots.html",
        {"by_channel": by_channel, "slot_form": slot_form, "weekdays_form": weekdays_form},
    )


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


@never_cache
@require_http_methods(["GET", "POST"])
def calendar_feed(request: AppRequest) -> HttpResponse:
    """Make, see and revoke one's secret calendar address (shown once, when made)."""
    user = request.user
    secret_url = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "create":
            secret = ical.feed_create(by=acting(request), user=user)
            secret_url = request.build_absolute_uri(
                reverse("publishing:ical", kwargs={"secret": secret})
            )
            messages.success(
                request, _("Your calendar address was made. Copy it now: it is shown only once.")
            )
        elif action == "revoke":
            ical.feed_revoke(by=acting(request), user=user)
            messages.success(
                request,
                _("Your calendar address was revoked; calendars that use it get nothing more."),
            )
    return render(
        request,
        "publishing/calendar/feed.html",
        {"feed": ical.feed_of(user), "secret_url": secret_url},
    )


@never_cache
@require_GET
def ical_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed itself: the secret in the address is the credential."""
    user = ical.user_of(secret)
    if user is None:
        raise Http404
    response = HttpResponse(ical.render(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="socialdesk.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
