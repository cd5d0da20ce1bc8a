"""Delivery: "Publish now", retry a failed channel, the delivery panel (engine: engine.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import delivery_views

urlpatterns: list[URLPattern] = [
    path(
        "posts/<int:pk>/publish-now/",
        delivery_views.post_publish_now,
        name="post_publish_now",
    ),
    path("posts/<int:pk>/delivery/", delivery_views.post_delivery, name="post_delivery"),
    path(
        "targets/<int:pk>/retry/",
        delivery_views.post_target_retry,
        name="target_retry",
    ),
]
