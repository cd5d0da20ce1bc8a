"""Review: a post's approvals, comments and history; e-mailed approval links; approval steps."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import review_views as views

urlpatterns: list[URLPattern] = [
    path("posts/<int:pk>/review/", views.post_review, name="post_review"),
    path("posts/<int:pk>/submit/", views.post_submit, name="post_submit"),
    path("posts/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("posts/<int:pk>/changes/", views.post_changes, name="post_changes"),
    path("posts/<int:pk>/comment/", views.post_comment, name="post_comment"),
    path("approve/<str:token>/", views.approval_link, name="approval_link"),
    path("approval-steps/", views.approval_steps, name="approval_steps"),
]
