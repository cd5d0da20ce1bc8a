"""Downloading a room post's file (filled in by priority 4)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from socialdesk.core.http import AppRequest


def attachment(request: AppRequest, pk: int) -> HttpResponse:
    raise Http404
