from __future__ import annotations

from django.urls import path

from socialdesk.wiki import export_views, knowledge_views, page_views, views

app_name = "wiki"

urlpatterns = [
    path("", views.index, name="index"),
    path("missing/", views.missing, name="missing"),
    path("review/", views.review_due, name="review_due"),
    path("trash/", views.trash, name="trash"),
    path("spaces/new/", page_views.space_new, name="space_new"),
    path("spaces/<int:pk>/edit/", page_views.space_edit, name="space_edit"),
    path("spaces/<int:pk>/", views.space, name="space"),
    path("spaces/<int:pk>/export/", export_views.space_export, name="space_export"),
    path("rooms/<int:pk>/", views.room_space, name="room_space"),
    path("pages/new/", page_views.page_new, name="page_new"),
    path("pages/<int:pk>/", views.page, name="page"),
    path("pages/<int:pk>/edit/", page_views.page_edit, name="page_edit"),
    path("pages/<int:pk>/history/", views.history, name="page_history"),
    path("pages/<int:pk>/diff/", views.diff, name="page_diff"),
    path("pages/<int:pk>/restore/", page_views.page_restore, name="page_restore"),
    path("pages/<int:pk>/move/", page_views.page_move, name="page_move"),
    path("pages/<int:pk>/delete/", page_views.page_delete, name="page_delete"),
    path("pages/<int:pk>/review/", page_views.page_review, name="page_review"),
    path("pages/<int:pk>/undelete/", page_views.page_undelete, name="page_undelete"),
    path("pages/<int:pk>/publish/", page_views.page_publish, name="page_publish"),
    path("pages/<int:pk>/export/", export_views.page_export, name="page_export"),
    # Knowledge that stays: an FAQ page from a resolved conversation (<pk> = the conversation).
    path(
        "faq/from-conversation/<int:pk>/",
        knowledge_views.faq_from_conversation,
        name="faq_from_conversation",
    ),
    path("pages/<int:pk>/saved-reply/", knowledge_views.page_reply, name="page_reply"),
]
