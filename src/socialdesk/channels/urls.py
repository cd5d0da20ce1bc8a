from __future__ import annotations

from django.urls import path

from socialdesk.channels import views
from socialdesk.channels.webhook import views as webhook

app_name = "channels"

urlpatterns = [
    path("hooks/<int:pk>/", webhook.deliver, name="webhook"),
    path("settings/channels/", views.health, name="health"),
]
