"""Feedback pages: items, the department boards, one-click digest links, topics."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting, client_ip
from socialdesk.accounts.models import Department
from socialdesk.core.forms import error_text, form_error_text
from socialdesk.core.http import AppRequest
from socialdesk.core.params import id_param
from socialdesk.feedback import forms, handoff, services, understanding
from socialdesk.feedback import selectors as feedback_selectors
from socialdesk.feedback import topics as topics_service
from socialdesk.feedback.models import (
    CLOSED,
    FeedbackEvent,
    FeedbackItem,
    FeedbackLink,
    FeedbackStatus,
    ReplyDraft,
    RoutingRule,
    Topic,
)
from socialdesk.inbox import selectors


def _item(request: AppRequest, pk: int) -> FeedbackItem:
    return feedback_selectors.item_for_user(request.user, pk)


def items(request: AppRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    found = feedback_selectors.items_for_user(request.user)
    if status == "open":
        found = found.exclude(status__in=CLOSED)
    elif status in FeedbackStatus.values:
        found = found.filter(status=status)
    department = request.GET.get("department", "")
    department_id = id_param(department)
    if department_id is not None:
        found = found.filter(department_id=department_id)
    found = _drilled(found, request.GET)
    return render(
        request,
        "feedback/items.html",
        {
            "items": found[:200],
            "statuses": FeedbackStatus.choices,
            "status": status,
            "departments": Department.objects.all(),
            "department": department,
        },
    )


def _drilled(found: QuerySet[FeedbackItem], get: QueryDict) -> QuerySet[FeedbackItem]:
    """The dashboards' drill-down: items opened, closed or due in `since`…`until`, or those
    whose department deadline passed while still new (`overdue=1`)."""
    if get.get("overdue") == "1":
        found = found.filter(status=FeedbackStatus.NEW, due_at__lt=timezone.now())
    start, end = selectors.day_bounds(get.get("since", ""), get.get("until", ""))
    if start is None and end is None:
        return found
    event = get.get("event", "opened")
    if event == "closed":
        closing = FeedbackEvent.objects.filter(kind__in=[f"status:{s}" for s in CLOSED])
        if start is not None:
            closing = closing.filter(created_at__gte=start)
        if end is not None:
            closing = closing.filter(created_at__lt=end)
        return found.filter(pk__in=closing.values("item_id"))
    field = "due_at" if event == "due" else "created_at"
    if start is not None:
        found = found.filter(**{f"{field}__gte": start})
    if end is not None:
        found = found.filter(**{f"{field}__lt": end})
    return found


@require_http_methods(["GET", "POST"])
def item_new(request: AppRequest) -> HttpResponse:
    """Capture feedback from a message: link it to an item that says the same, or a new one."""
    form = forms.ItemNewForm(request.POST if request.method == "POST" else None)
    posted = form.cleaned_data if form.is_valid() else {}
    asked = request.GET.get("message")  # the page is opened with ?message=; its form posts it
    message_id = id_param(asked) if asked else posted.get("message")
    if message_id is None:
        raise Http404
    message = selectors.message_for_user(request.user, message_id)
    if posted:
        try:
            item_id = posted["item"]
            if item_id is not None:
                item = _item(request, item_id)
                services.item_link(by=acting(request), item=item, message=message)
                messages.success(request, _("The message is linked to “%(title)s”.") % {
                    "title": item.title})  # fmt: skip
            else:
                item = services.item_create(
                    by=acting(request),
                    title=posted["title"],
                    message=message,
                    topic=posted["topic"],
                )
                messages.success(request, _("Feedback “%(title)s” is captured.") % {
                    "title": item.title})  # fmt: skip
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            return redirect("feedback:item", item.pk)
    return render(
        request,
        "feedback/item_new.html",
        {
            "message": message,
            "similar": services.similar_items(message.text),
            "topics": Topic.objects.all(),
            "suggested_topics": _suggested_topics(message.text),
        },
    )


def _suggested_topics(text: str) -> list[tuple[Topic, float]]:
    return understanding.topic_suggestions(text)


def _rule_change(request: AppRequest) -> HttpResponse:
    """Add a routing rule (query → department) or remove one."""
    form = forms.RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect("feedback:topics")
    remove = form.cleaned_data["remove"]
    if remove is not None:
        rule = RoutingRule.objects.filter(pk=remove).first()
        if rule is not None:
            topics_service.rule_delete(by=acting(request), rule=rule)
        messages.success(request, _("The rule is removed."))
        return redirect("feedback:topics")
    try:
        topics_service.rule_create(
            by=acting(request),
            query=form.cleaned_data["query"],
            department=form.cleaned_data["department"],
            priority=form.cleaned_data["priority"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("feedback:topics")
    messages.success(request, _("The rule is saved: it is checked before the topics."))
    return redirect("feedback:topics")


@require_POST
def correct(request: AppRequest, pk: int) -> HttpResponse:
    """A person corrects what socialdesk thinks a message is (a label the models learn from)."""
    message = selectors.message_for_user(request.user, pk)
    form = forms.CorrectForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        task, value = form.cleaned_data["task"], form.cleaned_data["value"]
        understanding.correct(by=acting(request), message=message, task=task, value=value)
        messages.success(request, _("Thanks: socialdesk learns from this correction."))
    back: str = form.cleaned_data["next"]
    if back.startswith("/feedback/") or back.startswith("/inbox/"):
        return redirect(back)
    return redirect("inbox:conversation", message.conversation_id)


def item(request: AppRequest, pk: int) -> HttpResponse:
    user = request.user
    found = _item(request, pk)
    # The item's totals count every linked message; the lists show what the person may see.
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    customers, total = set(), 0
    for created_at, sentiment, contact_id in FeedbackLink.objects.filter(item=found).values_list(
        "message__created_at", "sentiment", "message__conversation__contact_id"
    ):
        weeks[created_at.strftime("%G-W%V")][sentiment or "unknown"] += 1
        total += 1
        if contact_id:
            customers.add(contact_id)
    links = list(
        feedback_selectors.links_for_user(user, found)
        .select_related("message__conversation__contact", "message__channel_account")
        .order_by("message__created_at")
    )
    all_drafts = found.drafts.values_list("state", flat=True)
    drafts = list(
        feedback_selectors.drafts_for_user(user, found).select_related(
            "conversation__contact", "sent_message"
        )
    )
    return render(
        request,
        "feedback/item.html",
        {
            "item": found,
            "links": links,
            "links_hidden": total - len(links),
            "weeks": sorted(weeks.items()),
            "customers": len(customers),
            "drafts": drafts,
            "drafts_total": len(all_drafts),
            "answered": sum(1 for state in all_drafts if state == ReplyDraft.State.SENT),
            "departments": Department.objects.all(),
            "statuses": FeedbackStatus.choices,
            "events": feedback_selectors.history_for_user(user, found),
            "may_work": user_may(request.user, "feedback:item_forward"),
        },
    )


@require_POST
def item_forward(request: AppRequest, pk: int) -> HttpResponse:
    found = _item(request, pk)
    form = forms.ForwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        department: Department = form.cleaned_data["department"]
        services.item_forward(by=acting(request), item=found, department=department)
        messages.success(
            request, _("Forwarded to %(department)s.") % {"department": department.name}
        )
    return redirect("feedback:item", found.pk)


@require_POST
def item_status(request: AppRequest, pk: int) -> HttpResponse:
    found = _item(request, pk)
    form = forms.StatusForm(request.POST)
    form.is_valid()  # every field is optional text: the service checks the move
    try:
        services.item_set_status(
            by=acting(request),
            item=found,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The status is now “%(status)s”.") % {
            "status": found.get_status_display()})  # fmt: skip
    back: str = form.cleaned_data["next"]
    if back.startswith("/feedback/boards/"):  # back to the board it was moved on
        return redirect(back)
    return redirect("feedback:item", found.pk)


@require_POST
def item_handoff(request: AppRequest, pk: int) -> HttpResponse:
    found = _item(request, pk)
    try:
        result = handoff.hand_off(by=acting(request), item=found)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Handed off to the issue tracker (%(result)s).") % {
            "result": result})  # fmt: skip
    return redirect("feedback:item", found.pk)


@require_POST
def link_remove(request: AppRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(FeedbackLink.objects.select_related("item", "message"), pk=pk)
    _item(request, link.item_id)
    selectors.message_for_user(request.user, link.message_id)  # 404 for a message not theirs
    services.item_unlink(by=acting(request), link=link)
    messages.success(request, _("The message is no longer linked."))
    return redirect("feedback:item", link.item_id)


@require_POST
def draft_send(request: AppRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(ReplyDraft.objects.select_related("conversation", "item"), pk=pk)
    selectors.conversation_for_user(request.user, draft.conversation_id)
    form = forms.DraftForm(request.POST)
    form.is_valid()  # every field is optional text: the service checks the answer
    try:
        if form.cleaned_data["action"] == "discard":
            services.draft_discard(by=acting(request), draft=draft)
            messages.success(request, _("The draft is discarded."))
        else:
            services.draft_send(by=acting(request), draft=draft, text=form.cleaned_data["text"])
            messages.success(request, _("The answer goes out to %(name)s.") % {
                "name": draft.conversation.contact or _("the customer")})  # fmt: skip
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect("feedback:item", draft.item_id)


def boards(request: AppRequest) -> HttpResponse:
    departments = feedback_selectors.boards_for_user(request.user, timezone.now())
    return render(request, "feedback/boards.html", {"departments": departments})


def board(request: AppRequest, pk: int) -> HttpResponse:
    department = feedback_selectors.board_for_user(request.user, pk)
    items = department.feedback.select_related("topic").order_by("due_at", "-last_seen")
    columns = [(value, label, [i for i in items if i.status == value])
               for value, label in FeedbackStatus.choices]  # fmt: skip
    return render(
        request,
        "feedback/board.html",
        {
            "department": department,
            "columns": columns,
            "statuses": FeedbackStatus.choices,
            "now": timezone.now(),
            "may_work": user_may(request.user, "feedback:item_status"),
        },
    )


@csrf_exempt  # the signed, single-use token is the credential; the person may not be signed in
@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, token: str) -> HttpResponse:
    """A one-click link from the digest: GET shows what it will do, POST does it (once)."""
    try:
        found, status, person, _nonce = services.read_token(token)
    except services.LinkError as error:
        return render(request, "feedback/act.html", {"error": str(error)}, status=400)
    label = FeedbackStatus(status).label
    if request.method == "POST":
        form = forms.ActForm(request.POST)
        form.is_valid()  # the reason is optional text
        try:
            services.apply_token(token, reason=form.cleaned_data["reason"], ip=client_ip(request))
        except services.LinkError as error:
            return render(request, "feedback/act.html", {"error": str(error)}, status=400)
        except ValidationError as error:
            return render(
                request,
                "feedback/act.html",
                {"item": found, "label": label, "status": status, "person": person,
                 "problem": error_text(error)},
                status=400,
            )  # fmt: skip
        return render(request, "feedback/act.html", {"item": found, "done": label})
    return render(
        request,
        "feedback/act.html",
        {"item": found, "label": label, "status": status, "person": person},
    )


@require_http_methods(["GET", "POST"])
def topics(request: AppRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("kind") == "rule":
        return _rule_change(request)
    if request.method == "POST":
        form = forms.TopicForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_error_text(form))
        else:
            name = form.cleaned_data["name"]
            topics_service.topic_save(
                by=acting(request),
                name=name,
                keywords=form.cleaned_data["keywords"],
                department=form.cleaned_data["department"],
            )
            messages.success(request, _("The topic “%(name)s” is saved.") % {"name": name})
            return redirect("feedback:topics")
    return render(
        request,
        "feedback/topics.html",
        {
            "topics": Topic.objects.select_related("department"),
            "departments": Department.objects.all(),
            "learning": understanding.training_state(),
            "rules": RoutingRule.objects.select_related("department"),
        },
    )
