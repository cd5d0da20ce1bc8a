"""Downloading a room post's file: always a download, never shown inline, with the stored
(sniffed) type, nosniff and a sandboxing CSP."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from socialdesk.core.http import AppRequest

from . import selectors
from .attachments import content_of
from .models import Attachment


def attachment(request: AppRequest, pk: int) -> HttpResponse:
    found = selectors.attachment_for_user(request.user, pk)
    return download(found)


def download(found: Attachment) -> HttpResponse:
    response = HttpResponse(content_of(found), content_type=found.content_type)
    response["Content-Disposition"] = content_disposition_header(True, found.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private"
    return response
