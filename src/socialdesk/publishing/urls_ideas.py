"""Story ideas and campaigns (issue 12, items 1 and 2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import campaign_views, idea_views

urlpatterns: list[URLPattern] = [
    path("ideas/", idea_views.ideas, name="ideas"),
    path("ideas/new/", idea_views.idea_new, name="idea_new"),
    path("ideas/<int:pk>/", idea_views.idea, name="idea"),
    path("ideas/<int:pk>/comment/", idea_views.idea_comment, name="idea_comment"),
    path("ideas/<int:pk>/follow/", idea_views.idea_follow, name="idea_follow"),
    path("ideas/<int:pk>/accept/", idea_views.idea_accept, name="idea_accept"),
    path("ideas/<int:pk>/decline/", idea_views.idea_decline, name="idea_decline"),
    path("ideas/<int:pk>/plan/", idea_views.idea_plan, name="idea_plan"),
    path("ideas/<int:pk>/campaign/", idea_views.idea_campaign, name="idea_campaign"),
    path("ideas/photos/<int:pk>/", idea_views.idea_photo, name="idea_photo"),
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_views.campaign, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/archive/", campaign_views.campaign_archive, name="campaign_archive"),
]
