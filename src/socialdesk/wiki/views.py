"""The pages of `wiki` (issue 14: a placeholder page until its work package lands)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from socialdesk.core.http import AppRequest


def index(request: AppRequest) -> HttpResponse:
    return render(request, "wiki/index.html")
