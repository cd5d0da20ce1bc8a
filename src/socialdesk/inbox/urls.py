from __future__ import annotations

from django.urls import path

from socialdesk.inbox import bulk_views, import_views, saved_reply_views, views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/status/", views.set_status, name="status"),
    path("<int:pk>/tags/", views.set_tags, name="tags"),
    path("messages/<int:pk>/needs-reply/", views.needs_reply, name="needs_reply"),
    path("messages/<int:pk>/retry/", views.retry_send, name="retry_send"),
    path("messages/<int:pk>/delivery/", views.delivery, name="delivery"),
    path("<int:pk>/presence/", views.presence, name="presence"),
    path("saved-replies/", saved_reply_views.saved_replies, name="saved_replies"),
    path("saved-replies/<int:pk>/", saved_reply_views.saved_reply_edit, name="saved_reply_edit"),
    path(
        "saved-replies/preview/", saved_reply_views.saved_reply_preview, name="saved_reply_preview"
    ),
    path(
        "saved-replies/<int:pk>/delete/",
        saved_reply_views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("imports/", import_views.imports, name="imports"),
    path("imports/<int:pk>/", import_views.import_job, name="import_job"),
    path("imports/<int:pk>/rejected.csv", import_views.import_rejected, name="import_rejected"),
    path("bulk/", bulk_views.bulk_action, name="bulk"),
    path("bulk/<int:pk>/", bulk_views.bulk_job, name="bulk_job"),
    path("bulk/<int:pk>/undo/", bulk_views.bulk_undo, name="bulk_undo"),
]
