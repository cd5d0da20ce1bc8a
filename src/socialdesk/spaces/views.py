"""The pages of `spaces` (issue 14: a placeholder page until its work package lands)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from socialdesk.core.http import AppRequest


def rooms(request: AppRequest) -> HttpResponse:
    return render(request, "spaces/rooms.html")
