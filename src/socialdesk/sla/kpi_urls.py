from __future__ import annotations

from django.urls import path

from socialdesk.sla import kpi_views

app_name = "kpi"

urlpatterns = [
    path("first-response/", kpi_views.first_response, name="first_response"),
    path("first-response.csv", kpi_views.first_response_csv, name="first_response_csv"),
]
