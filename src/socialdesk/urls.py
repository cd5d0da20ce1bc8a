from __future__ import annotations

from django.urls import include, path

from socialdesk.api.endpoints import api

urlpatterns = [
    path("", include("socialdesk.shell.urls")),
    path("", include("socialdesk.accounts.urls")),
    path("inbox/kpi/", include("socialdesk.sla.kpi_urls")),
    path("inbox/", include("socialdesk.inbox.urls")),
    path("feedback/", include("socialdesk.listening.urls")),
    path("feedback/", include("socialdesk.feedback.urls")),
    path("settings/sla/", include("socialdesk.sla.urls")),
    path("settings/webhooks/", include("socialdesk.webhooks.urls")),
    path("contacts/", include("socialdesk.privacy.urls")),
    path("publishing/", include("socialdesk.publishing.urls")),
    path("goals/", include("socialdesk.goals.urls")),
    path("r/", include("socialdesk.goals.urls_shared")),  # report share links (public)
    path("spaces/", include("socialdesk.spaces.urls")),
    path("wiki/", include("socialdesk.wiki.urls")),
    path("search/", include("socialdesk.search.urls")),
    path("story/", include("socialdesk.publishing.urls_story")),
    path("", include("socialdesk.channels.urls")),
    path("api/v1/", api.urls),
]

handler403 = "socialdesk.shell.views.permission_denied"
handler404 = "socialdesk.shell.views.page_not_found"
handler500 = "socialdesk.shell.views.server_error"
