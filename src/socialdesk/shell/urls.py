from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from socialdesk.shell import metrics_views, views

app_name = "shell"

urlpatterns = [
    path("", views.home, name="home"),
    # The Goals area opens on the manager's overview (the dashboard).
    path(
        "goals/",
        RedirectView.as_view(pattern_name="goals:dashboard", permanent=False),
        name="goals",
    ),
    # The Publishing area opens on its editorial calendar.
    path(
        "publishing/",
        RedirectView.as_view(pattern_name="publishing:calendar", permanent=False),
        name="publishing",
    ),
    # The Spaces area opens on the project rooms; the wiki sits beside them.
    path(
        "spaces/",
        RedirectView.as_view(pattern_name="spaces:rooms", permanent=False),
        name="spaces",
    ),
    path("settings/", views.settings_index, name="settings"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus: a bearer token or an allowed network, never a session (shell/metrics_views.py).
    path("metrics", metrics_views.metrics_view, name="metrics"),
]
