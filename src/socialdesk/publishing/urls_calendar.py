"""The calendar's pages (`calendar_views.py`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import calendar_views as views

urlpatterns: list[URLPattern] = [
    path("calendar/", views.calendar, name="calendar"),
    path("posts/<int:pk>/reschedule/", views.post_reschedule, name="post_reschedule"),
    path("posts/<int:pk>/queue/", views.post_queue, name="post_queue"),
    path("slots/", views.slots, name="slots"),
    path("calendar/feed/", views.calendar_feed, name="calendar_feed"),
    path("ical/<str:secret>.ics", views.ical_feed, name="ical"),
]
