from __future__ import annotations

from django.urls import path

from socialdesk.feedback import views

app_name = "feedback"

urlpatterns = [
    path("items/", views.items, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/forward/", views.item_forward, name="item_forward"),
    path("items/<int:pk>/status/", views.item_status, name="item_status"),
    path("items/<int:pk>/handoff/", views.item_handoff, name="item_handoff"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
    path("drafts/<int:pk>/send/", views.draft_send, name="draft_send"),
    path("boards/", views.boards, name="boards"),
    path("boards/<int:pk>/", views.board, name="board"),
    path("act/<str:token>/", views.act, name="act"),
    path("topics/", views.topics, name="topics"),
    path("messages/<int:pk>/correct/", views.correct, name="correct"),
]
