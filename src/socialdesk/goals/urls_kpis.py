from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import kpi_views

urlpatterns: list[URLPattern] = [
    path("kpis/", kpi_views.kpi_list, name="kpis"),
]
