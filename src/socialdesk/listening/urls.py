from __future__ import annotations

from django.urls import path

from socialdesk.listening import views

app_name = "listening"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("monitors/<int:pk>/", views.monitor, name="monitor"),
    path("monitors/<int:pk>/edit/", views.monitor_edit, name="monitor_edit"),
    path("monitors/<int:pk>/delete/", views.monitor_delete, name="monitor_delete"),
]
