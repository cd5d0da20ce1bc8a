"""The report pages (issue 13 item 6), in the namespace `goals:`."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import report_views as views

urlpatterns: list[URLPattern] = [
    path("reports/", views.reports, name="reports"),
    path("reports/conversations/", views.report_conversations, name="report_conversations"),
    path("reports/links/", views.report_shares, name="report_shares"),
    path("reports/links/<int:pk>/revoke/", views.report_share_revoke, name="report_share_revoke"),
    path("reports/email/", views.report_schedules, name="report_schedules"),
    path("reports/email/new/", views.report_schedule_edit, name="report_schedule_new"),
    path("reports/email/<int:pk>/", views.report_schedule_edit, name="report_schedule"),
    path(
        "reports/email/<int:pk>/pause/", views.report_schedule_pause, name="report_schedule_pause"
    ),
    path(
        "reports/email/<int:pk>/delete/",
        views.report_schedule_delete,
        name="report_schedule_delete",
    ),
]
