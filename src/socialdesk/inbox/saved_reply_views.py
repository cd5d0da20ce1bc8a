"""Saved replies: list, add, edit with a live preview of the placeholders, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import User
from socialdesk.core.http import AppRequest
from socialdesk.inbox import selectors, services
from socialdesk.inbox.forms import SavedReplyForm
from socialdesk.inbox.models import Contact, Conversation, SavedReply

PREVIEW_LIMIT = 5000


def _saved_reply(pk: int) -> SavedReply:
    saved = SavedReply.objects.filter(pk=pk).first()
    if saved is None:
        raise Http404
    return saved


def example_conversation(user: User) -> Conversation:
    """The person's latest conversation with a customer, or a made-up one, for the preview."""
    latest = (
        selectors.conversations_for_user(user)
        .filter(contact__isnull=False)
        .select_related("contact")
        .order_by("-last_message_at", "-pk")
        .first()
    )
    return latest or Conversation(contact=Contact(display_name=_("Maria Example")))


def _preview(user: User, body: str) -> dict[str, object]:
    example = example_conversation(user)
    return {
        "preview": services.fill_placeholders(body, conversation=example, agent=user),
        "example": example,
    }


@require_http_methods(["GET", "POST"])
def saved_replies(request: AppRequest) -> HttpResponse:
    """List and add saved replies; {name}, {agent} and {company} are filled in when used."""
    form = SavedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_reply_create(by=acting(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The saved reply has been added."))
            return redirect("inbox:saved_replies")
    return render(
        request,
        "inbox/saved_replies.html",
        {"form": form, "replies": SavedReply.objects.all(), **_preview(request.user, "")},
    )


@require_http_methods(["GET", "POST"])
def saved_reply_edit(request: AppRequest, pk: int) -> HttpResponse:
    """Change a saved reply, with its text filled in for an example conversation."""
    saved = _saved_reply(pk)
    form = SavedReplyForm(request.POST or None, initial={"title": saved.title, "body": saved.body})
    if saved.source_url:  # follows a wiki page: its text changes there, only the title here
        form.fields["body"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_reply_update(by=acting(request), saved=saved, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The saved reply “%(title)s” has been saved.") % {"title": saved.title}
            )
            return redirect("inbox:saved_replies")
    body = form.data.get("body", saved.body) if form.is_bound else saved.body
    return render(
        request,
        "inbox/saved_reply_edit.html",
        {"form": form, "saved": saved, **_preview(request.user, str(body))},
    )


@require_GET
def saved_reply_preview(request: AppRequest) -> HttpResponse:
    """The text as a customer would read it (htmx fragment, refreshed while typing)."""
    body = request.GET.get("body", "")[:PREVIEW_LIMIT]
    return render(request, "inbox/saved_reply_edit.html#preview", _preview(request.user, body))


@require_POST
def saved_reply_delete(request: AppRequest, pk: int) -> HttpResponse:
    saved = _saved_reply(pk)
    services.saved_reply_delete(by=acting(request), saved=saved)
    messages.success(
        request, _("The saved reply “%(title)s” has been deleted.") % {"title": saved.title}
    )
    return redirect("inbox:saved_replies")
