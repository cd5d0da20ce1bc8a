""" "Save as FAQ": the draft from a resolved conversation, checked by a person, kept as a page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.access import TEAM
from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.inbox.selectors import conversation_for_user

from . import selectors
from .faq import faq_draft
from .faq_forms import FaqForm
from .knowledge import faq_create, may_save_as_faq
from .replies import reply_from_page


@require_http_methods(["GET", "POST"])
def faq_from_conversation(request: AppRequest, pk: int) -> HttpResponse:
    conversation = conversation_for_user(request.user, pk)
    if not may_save_as_faq(request.user, conversation):
        raise PermissionDenied
    spaces = selectors.spaces_for_user(request.user).filter(room__isnull=True)
    spaces = spaces.filter(pk__in=[s.pk for s in spaces if selectors.may_edit(request.user, s)])
    if request.method == "POST":
        form = FaqForm(request.POST, spaces=spaces)
        if form.is_valid():
            data = form.cleaned_data
            try:
                page = faq_create(
                    by=acting(request),
                    conversation=conversation,
                    space=data["space"],
                    title=data["title"],
                    question=data["question"],
                    answer=data["answer"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The FAQ draft was saved. Check it and publish it when it is right.")
                )
                return redirect("wiki:page", pk=page.pk)
    else:
        draft = faq_draft(conversation)
        form = FaqForm(
            initial={
                "title": draft.title,
                "question": draft.question,
                "answer": draft.answer,
                "space": spaces.first(),
            },
            spaces=spaces,
        )
    return render(
        request,
        "wiki/faq_new.html",
        {"form": form, "conversation": conversation, "has_spaces": spaces.exists()},
    )


@require_POST
def page_reply(request: AppRequest, pk: int) -> HttpResponse:
    """Keep the page's answer as a saved reply that follows the page from now on."""
    page = selectors.page_for_user(request.user, pk)
    if request.user.role not in TEAM or page.status != page.Status.PUBLISHED:
        raise PermissionDenied
    saved = reply_from_page(by=acting(request), page=page)
    messages.success(
        request,
        _("The saved reply “%(title)s” now follows this page.") % {"title": saved.title},
    )
    return redirect("wiki:page", pk=page.pk)
