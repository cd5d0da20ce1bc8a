"""The composer, a post's page and the list of posts."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import compose_views

urlpatterns: list[URLPattern] = [
    path("posts/", compose_views.posts, name="posts"),
    path("posts/new/", compose_views.post_new, name="post_new"),
    path("posts/<int:pk>/", compose_views.post, name="post"),
    path("posts/<int:pk>/edit/", compose_views.post_edit, name="post_edit"),
    path(
        "posts/<int:pk>/images/<int:media_pk>/delete/",
        compose_views.post_media_delete,
        name="post_media_delete",
    ),
]
