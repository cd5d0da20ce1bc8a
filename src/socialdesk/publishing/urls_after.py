from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import after_views

urlpatterns: list[URLPattern] = [
    path("posts/<int:pk>/after/", after_views.post_after, name="post_after"),
    path(
        "posts/<int:pk>/edit-published/",
        after_views.post_edit_published,
        name="post_edit_published",
    ),
    path(
        "posts/<int:pk>/delete-published/",
        after_views.post_delete_published,
        name="post_delete_published",
    ),
]
