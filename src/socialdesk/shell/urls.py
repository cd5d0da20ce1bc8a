from __future__ import annotations

from django.urls import path

from socialdesk.shell import views

app_name = "shell"

urlpatterns = [
    path("", views.home, name="home"),
    path("goals/", views.area, {"key": "goals"}, name="goals"),
    path("publishing/", views.area, {"key": "publishing"}, name="publishing"),
    path("spaces/", views.area, {"key": "spaces"}, name="spaces"),
    path("settings/", views.settings_index, name="settings"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
]
