"""The goals pages, one module of URLs per part (strategy, guidelines and onboarding, KPIs),
all in the namespace `goals:`."""

from __future__ import annotations

from django.urls import URLPattern

from socialdesk.goals import (
    urls_dashboards,
    urls_goals,
    urls_guidelines,
    urls_kpis,
    urls_reports,
    urls_strategy,
)

app_name = "goals"

urlpatterns: list[URLPattern] = [
    *urls_strategy.urlpatterns,
    *urls_guidelines.urlpatterns,
    *urls_kpis.urlpatterns,
    *urls_goals.urlpatterns,
    *urls_dashboards.urlpatterns,
    *urls_reports.urlpatterns,
]
