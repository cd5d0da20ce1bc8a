from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import goal_views

urlpatterns: list[URLPattern] = [
    path("goals/", goal_views.goal_list, name="goals"),
    path("goals/new/", goal_views.goal_new, name="goal_new"),
    path("goals/<int:pk>/", goal_views.goal_detail, name="goal"),
    path("goals/<int:pk>/edit/", goal_views.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/archive/", goal_views.goal_archive, name="goal_archive"),
    path("goals/<int:pk>/evaluate/", goal_views.goal_evaluate, name="goal_evaluate"),
]
