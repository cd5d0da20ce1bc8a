"""A contact's page: who they are, their conversations, export their data, erase them."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.privacy import selectors, services


@require_GET
def contact(request: AppRequest, pk: int) -> HttpResponse:
    person = selectors.contact_get(pk)
    conversations = (
        conversations_for_user(request.user)
        .filter(contact=person)
        .select_related("channel_account")
        .order_by("-last_message_at")
    )
    return render(
        request,
        "privacy/contact.html",
        {"contact": person, "handles": person.handles.order_by("network", "handle"),
         "conversations": conversations},
    )  # fmt: skip


@require_GET
def export(request: AppRequest, pk: int, kind: str) -> HttpResponse:
    """Download everything stored about the person as JSON or as a readable HTML document."""
    if kind not in ("json", "html"):
        raise Http404
    data = services.contact_export(by=acting(request), contact=selectors.contact_get(pk))
    if kind == "json":
        body = json.dumps(data, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        body = services.export_html(data, get_language() or "en")
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contact-{pk}.{kind}"'
    return response


@require_http_methods(["GET", "POST"])
def erase(request: AppRequest, pk: int) -> HttpResponse:
    """Ask first, saying what will be removed; erase on POST."""
    person = selectors.contact_get(pk)
    if request.method == "POST":
        result = services.contact_erase(by=acting(request), contact=person)
        messages.success(
            request,
            _("Contact #%(id)s erased (conversations: %(conversations)s, messages: %(messages)s).")
            % {"id": pk, "conversations": result.conversations, "messages": result.messages},
        )
        return redirect("inbox:list")
    context = {
        "contact": person,
        "conversation_count": selectors.contact_conversations(person).count(),
        "message_count": selectors.contact_messages(person).count(),
        "note_count": selectors.notes_mentioning(person).count(),
    }
    return render(request, "privacy/erase.html", context)
