from __future__ import annotations

from django.urls import path

from socialdesk.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("hours/new/", views.hours_edit, name="hours_create"),
    path("hours/<int:pk>/", views.hours_edit, name="hours_edit"),
    path("policies/new/", views.policy_edit, name="policy_create"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
]
