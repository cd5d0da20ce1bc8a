"""The strategy (issue 13 item 1): the document, editing a section, its history, objectives."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import strategy_views as views

urlpatterns: list[URLPattern] = [
    path("strategy/", views.strategy, name="strategy"),
    path("strategy/wiki/", views.strategy_wiki_show, name="strategy_wiki"),
    path("strategy/<slug:key>/edit/", views.section_edit, name="strategy_edit"),
    path("strategy/<slug:key>/history/", views.section_history, name="strategy_history"),
    path("objectives/", views.objectives, name="objectives"),
    path("objectives/new/", views.objective_new, name="objective_new"),
    path("objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:pk>/move/", views.objective_move, name="objective_move"),
    path("objectives/<int:pk>/remove/", views.objective_remove, name="objective_remove"),
]
