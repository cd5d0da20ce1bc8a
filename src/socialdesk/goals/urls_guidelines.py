from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.goals import guideline_views as views

urlpatterns: list[URLPattern] = [
    path("guidelines/", views.publications, name="publications"),
    path("guidelines/new/", views.publication_new, name="publication_new"),
    path("guidelines/<int:pk>/", views.publication, name="publication"),
    path("guidelines/<int:pk>/confirm/", views.publication_confirm, name="publication_confirm"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/tour/", views.onboarding_tour, name="onboarding_tour"),
    path("onboarding/people/", views.onboarding_people, name="onboarding_people"),
    path("adoption/", views.adoption_view, name="adoption"),
    path("adoption/<int:pk>/", views.adoption_department, name="adoption_department"),
]
