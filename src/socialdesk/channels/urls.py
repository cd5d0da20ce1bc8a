from __future__ import annotations

from django.urls import path

from socialdesk.channels import manage_views, views
from socialdesk.channels.mastodon import views as mastodon
from socialdesk.channels.webhook import views as webhook

app_name = "channels"

urlpatterns = [
    path("hooks/<int:pk>/", webhook.deliver, name="webhook"),
    path("settings/channels/", views.health, name="health"),
    path("settings/channels/mastodon/", mastodon.start, name="mastodon_start"),
    path("settings/channels/mastodon/callback/", mastodon.callback, name="mastodon_callback"),
    path("settings/channels/bluesky/", views.bluesky_connect, name="bluesky_connect"),
    path("settings/channels/webhook/", manage_views.webhook_add, name="webhook_add"),
    path("settings/channels/<int:pk>/", manage_views.channel, name="channel"),
    path("settings/channels/<int:pk>/pause/", manage_views.pause, name="pause"),
    path("settings/channels/<int:pk>/resume/", manage_views.resume, name="resume"),
    path("settings/channels/<int:pk>/reconnect/", manage_views.reconnect, name="reconnect"),
    path("settings/channels/<int:pk>/disconnect/", manage_views.disconnect, name="disconnect"),
    path("settings/channels/<int:pk>/secret/", manage_views.webhook_secret, name="webhook_secret"),
]
