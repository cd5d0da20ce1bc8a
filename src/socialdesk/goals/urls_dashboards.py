from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import dashboard_views

urlpatterns: list[URLPattern] = [
    path("overview/", dashboard_views.overview, name="dashboard"),
    path("overview/departments/<int:pk>/", dashboard_views.department, name="dashboard_department"),
    path("overview/channels/<int:pk>/", dashboard_views.channel, name="dashboard_channel"),
]
