from __future__ import annotations

from django.urls import path

from socialdesk.wiki import views

app_name = "wiki"

urlpatterns = [
    path("", views.index, name="index"),
]
