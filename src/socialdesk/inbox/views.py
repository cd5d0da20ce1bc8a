"""The inbox: a list of conversations and one conversation with everything to work it."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import error_text
from socialdesk.core.http import AppRequest
from socialdesk.core.paging import CappedPaginator
from socialdesk.inbox import list_rows, notify, selectors, services
from socialdesk.inbox.forms import (
    AssignForm,
    NeedsReplyForm,
    NoteForm,
    PresenceForm,
    ReplyForm,
    StatusForm,
    TagsForm,
)
from socialdesk.inbox.job_models import BulkJob
from socialdesk.inbox.models import SavedReply, SlaState, Status, Tag

PAGE_SIZE = 50


def list_filters(get: QueryDict) -> selectors.InboxFilters:
    """The list's filters from its query string (also what "all matching" works on)."""
    return selectors.InboxFilters(
        account=get.get("account", ""),
        status=get.get("status", Status.OPEN),
        assignee=get.get("assignee", ""),
        department=get.get("department", ""),
        language=get.get("language", ""),
        needs_reply=get.get("needs_reply", ""),
        tag=get.get("tag", ""),
        query=get.get("q", "").strip(),
        sort=get.get("sort", "oldest"),
        sla_state=get.get("sla", ""),
        since=get.get("since", ""),
        until=get.get("until", ""),
        questions=get.get("questions", ""),
    )


def inbox(request: AppRequest) -> HttpResponse:
    """The conversation list; htmx refreshes the rows by itself."""
    get = request.GET
    filters, text_error = _with_text(list_filters(get))
    if text_error:  # nothing listed (nor selectable for a bulk action) for unreadable words
        rows = selectors.conversations_for_user(request.user).none()
        page = CappedPaginator(rows, PAGE_SIZE).get_page(1)
    else:
        rows = selectors.inbox_list(request.user, filters)
        counting = partial(selectors.inbox_count, request.user, filters)
        cap = selectors.TEXT_COUNT_CAP if filters.text and filters.text.many else None
        paginator = CappedPaginator(rows, PAGE_SIZE, cap=cap, counting=counting)
        page = paginator.get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": list_rows.rows(page.object_list),
        "may_bulk": user_may(request.user, "inbox:bulk"),
        "filters": filters,
        "text_error": text_error,
        "query": query.urlencode(),
        "statuses": Status.choices,
        "sla_states": [c for c in SlaState.choices if c[0]],
        "accounts": ChannelAccount.objects.order_by("network", "handle"),
        "departments": Department.objects.order_by("name"),
        "people": _people(),
        "tags": Tag.objects.order_by("name"),
        "refresh_seconds": settings.INBOX_REFRESH_SECONDS,
        "bulk_actions": BulkJob.Action.choices,
        "drill_since": selectors.date_param(filters.since),
        "drill_until": selectors.date_param(filters.until),
    }
    template = "inbox/list.html#rows" if request.htmx else "inbox/list.html"
    return render(request, template, context)


def _with_text(filters: selectors.InboxFilters) -> tuple[selectors.InboxFilters, str]:
    """The filters with the search box's words looked up once, or why they cannot be."""
    try:
        return selectors.with_text(filters), ""
    except selectors.TextQueryError as error:
        return filters, error.message


def _people() -> list[tuple[str, str, str]]:
    """The active people for the list's selects: id, name (as `str(user)`), role; plain
    values, as each of fifty options drawn from a model instance cost about 40 µs."""
    return [
        (str(pk), full_name or email, role)
        for pk, full_name, email, role in User.objects.filter(is_active=True)
        .order_by("full_name")
        .values_list("pk", "full_name", "email", "role")
    ]


def conversation(request: AppRequest, pk: int) -> HttpResponse:
    """One conversation; in the list's split view htmx loads only its main part (the pane)."""
    item = selectors.conversation_for_user(request.user, pk)
    context = {
        "conversation": item,
        "thread": selectors.thread(item),
        "earlier": selectors.earlier_conversations(request.user, item),
        "reply_form": ReplyForm(prefix="reply"),
        "note_form": NoteForm(prefix="note"),
        "assign_form": AssignForm(
            initial={"assignee": item.assignee_id, "department": item.department_id}
        ),
        "tags_form": TagsForm(initial={"tags": ", ".join(t.name for t in item.tags.all())}),
        "statuses": Status,
        "saved_replies": [
            (
                saved.title,
                services.fill_placeholders(saved.body, conversation=item, agent=request.user),
            )
            for saved in SavedReply.objects.all()
        ],
    }
    pane = request.htmx and request.htmx.target == "pane"
    template = "inbox/conversation.html#main" if pane else "inbox/conversation.html"
    return render(request, template, context)


def _back(pk: int) -> HttpResponse:
    return redirect("inbox:conversation", pk=pk)


@require_POST
def reply(request: AppRequest, pk: int) -> HttpResponse:
    item = selectors.conversation_for_user(request.user, pk)
    form = ReplyForm(request.POST, prefix="reply")
    if form.is_valid():
        try:
            sent = services.conversation_reply(
                by=acting(request),
                conversation=item,
                text=form.cleaned_data["text"],
                then=form.cleaned_data["then"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            if sent.delivery:
                messages.success(
                    request,
                    _("Your reply goes out on %(network)s as an answer to the customer's post.")
                    % {"network": item.channel_account.get_network_display()},
                )
            else:
                messages.success(request, _("Your reply has been stored."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("text", [])))
    return _back(pk)


@require_POST
def note(request: AppRequest, pk: int) -> HttpResponse:
    item = selectors.conversation_for_user(request.user, pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        services.conversation_add_note(
            by=acting(request), conversation=item, text=form.cleaned_data["text"]
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("text", [])))
    return _back(pk)


@require_POST
def assign(request: AppRequest, pk: int) -> HttpResponse:
    item = selectors.conversation_for_user(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        services.conversation_assign(
            by=acting(request),
            conversation=item,
            assignee=form.cleaned_data["assignee"],
            department=form.cleaned_data["department"],
        )
        messages.success(request, _("The assignment has been saved."))
    else:
        messages.error(request, _("Choose a person or department from the lists."))
    return _back(pk)


@require_POST
def set_status(request: AppRequest, pk: int) -> HttpResponse:
    item = selectors.conversation_for_user(request.user, pk)
    form = StatusForm(request.POST)
    form.is_valid()  # optional text: the service checks the status
    try:
        services.conversation_set_status(
            by=acting(request), conversation=item, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(pk)


@require_POST
def set_tags(request: AppRequest, pk: int) -> HttpResponse:
    item = selectors.conversation_for_user(request.user, pk)
    form = TagsForm(request.POST)
    if form.is_valid():
        services.conversation_set_tags(by=acting(request), conversation=item, names=form.names())
    return _back(pk)


@require_POST
def needs_reply(request: AppRequest, pk: int) -> HttpResponse:
    """Override the detector for one message in one click."""
    message = selectors.message_for_user(request.user, pk)
    form = NeedsReplyForm(request.POST)
    form.is_valid()  # a flag: anything but "yes" is no
    try:
        services.message_set_needs_reply(
            by=acting(request), message=message, value=form.cleaned_data["value"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(message.conversation_id)


@require_POST
def retry_send(request: AppRequest, pk: int) -> HttpResponse:
    """Queue a reply that was not sent once more (it is looked up on the network first)."""
    message = selectors.message_for_user(request.user, pk)
    try:
        services.message_retry_send(by=acting(request), message=message)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The reply is queued again."))
    return _back(message.conversation_id)


def delivery(request: AppRequest, pk: int) -> HttpResponse:
    """The delivery state of one reply (polled by the conversation page while it is on its way)."""
    message = selectors.message_for_user(request.user, pk)
    return render(request, "inbox/conversation.html#delivery", {"item": message})


def notifications(request: AppRequest) -> HttpResponse:
    """The person's notifications, newest first; each opens through `notification_open`."""
    items = list(
        selectors.notifications_for_user(request.user).select_related(
            "conversation__contact", "conversation__channel_account"
        )[:100]
    )
    return render(request, "inbox/notifications.html", {"items": items})


@require_POST
def notifications_read(request: AppRequest) -> HttpResponse:
    """Mark all of the person's notifications read."""
    notify.notifications_mark_read(by=acting(request))
    return redirect("inbox:notifications")


@require_POST
def notification_open(request: AppRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    notification = selectors.notifications_for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    notify.notifications_mark_read(by=acting(request), notification=notification)
    if notification.conversation_id and getattr(notification, "conversation_visible", False):
        return redirect("inbox:conversation", notification.conversation_id)
    link = notification.link
    if not notification.conversation_id and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("inbox:notifications")


@require_POST
def presence(request: AppRequest, pk: int) -> HttpResponse:
    """Heartbeat of an open conversation page; answers who else is here (htmx fragment)."""
    item = selectors.conversation_for_user(request.user, pk)
    form = PresenceForm(request.POST)
    form.is_valid()  # a flag: anything but "1" is not typing
    others = services.presence_update(
        user=request.user, conversation=item, typing=form.cleaned_data["typing"]
    )
    return render(
        request, "inbox/conversation.html#presence", {"others": others, "conversation": item}
    )
