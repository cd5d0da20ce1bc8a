from __future__ import annotations

from django.urls import path

from socialdesk.channels import views
from socialdesk.channels.mastodon import views as mastodon
from socialdesk.channels.webhook import views as webhook

app_name = "channels"

urlpatterns = [
    path("hooks/<int:pk>/", webhook.deliver, name="webhook"),
    path("settings/channels/", views.health, name="health"),
    path("settings/channels/mastodon/", mastodon.start, name="mastodon_start"),
    path("settings/channels/mastodon/callback/", mastodon.callback, name="mastodon_callback"),
    path("settings/channels/bluesky/", views.bluesky_connect, name="bluesky_connect"),
]
