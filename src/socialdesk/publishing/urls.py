"""The publishing pages, one module of URLs per part (ideas and campaigns, the composer,
review, the calendar, delivery, after publishing), all in the namespace `publishing:`."""

from __future__ import annotations

from django.urls import URLPattern

from socialdesk.publishing import (
    urls_after,
    urls_calendar,
    urls_compose,
    urls_delivery,
    urls_ideas,
    urls_review,
)

app_name = "publishing"

urlpatterns: list[URLPattern] = [
    *urls_ideas.urlpatterns,
    *urls_compose.urlpatterns,
    *urls_review.urlpatterns,
    *urls_calendar.urlpatterns,
    *urls_delivery.urlpatterns,
    *urls_after.urlpatterns,
]
