from __future__ import annotations

from django.urls import path

from socialdesk.spaces import views

app_name = "spaces"

urlpatterns = [
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<int:pk>/", views.rooms, name="room"),
]
