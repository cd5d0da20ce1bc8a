"""The short address any employee can bookmark: /story/ is the form "Tell us your story"."""

from __future__ import annotations

from django.urls import URLPattern, path

from socialdesk.publishing import idea_views

urlpatterns: list[URLPattern] = [path("", idea_views.idea_new, name="story")]
