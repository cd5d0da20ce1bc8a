from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import goal_views

urlpatterns: list[URLPattern] = [
    path("list/", goal_views.goal_list, name="goals"),
    path("<int:pk>/", goal_views.goal_detail, name="goal"),
]
