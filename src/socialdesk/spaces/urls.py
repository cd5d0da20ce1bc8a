from __future__ import annotations

from django.urls import path

from socialdesk.spaces import attachment_views, post_views, views

app_name = "spaces"

urlpatterns = [
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/new/", views.room_new, name="room_new"),
    path("rooms/private/", views.rooms_admin, name="rooms_admin"),
    path("rooms/<int:pk>/", views.room, name="room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/members/", views.room_members, name="room_members"),
    path("rooms/<int:pk>/members/add/", views.room_member_add, name="room_member_add"),
    path("rooms/<int:pk>/members/remove/", views.room_member_remove, name="room_member_remove"),
    path("rooms/<int:pk>/join/", views.room_join, name="room_join"),
    path("rooms/<int:pk>/leave/", views.room_leave, name="room_leave"),
    path("rooms/<int:pk>/notify/", views.room_notify, name="room_notify"),
    path("rooms/<int:pk>/archive/", views.room_archive, name="room_archive"),
    path("rooms/<int:pk>/unarchive/", views.room_unarchive, name="room_unarchive"),
    path("rooms/<int:pk>/take-over/", views.room_take_over, name="room_take_over"),
    path("rooms/<int:pk>/posts/", post_views.room_post_new, name="room_post_new"),
    path("rooms/<int:pk>/mentions/", post_views.mention_suggest, name="mention_suggest"),
    path("posts/<int:pk>/", post_views.post, name="post"),
    path("posts/<int:pk>/thread/", post_views.thread, name="thread"),
    path("posts/<int:pk>/edit/", post_views.post_edit, name="post_edit"),
    path("posts/<int:pk>/delete/", post_views.post_delete, name="post_delete"),
    path("posts/<int:pk>/pin/", post_views.post_pin, name="post_pin"),
    path("posts/<int:pk>/react/", post_views.post_react, name="post_react"),
    path("attachments/<int:pk>/", attachment_views.attachment, name="attachment"),
]
