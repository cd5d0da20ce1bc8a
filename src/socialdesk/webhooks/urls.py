from __future__ import annotations

from django.urls import path

from socialdesk.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/secret/", views.rotate, name="rotate"),
    path("<int:pk>/test/", views.test, name="test"),
    path("<int:pk>/redeliver/", views.redeliver_failed, name="redeliver_failed"),
    path("<int:pk>/deliveries/<int:delivery_pk>/", views.delivery, name="delivery"),
    path("<int:pk>/deliveries/<int:delivery_pk>/redeliver/", views.redeliver, name="redeliver"),
]
