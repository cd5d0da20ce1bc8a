"""The public page of a report share link: `/r/<token>/` (no sign-in; the token is the
credential, see `report_services`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import report_views

app_name = "shared_reports"

urlpatterns: list[URLPattern] = [
    path("<str:token>/", report_views.shared_report, name="report"),
]
