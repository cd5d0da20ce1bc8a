"""Template context every page of the shell needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from socialdesk import access

# The main navigation: (url name, label). Areas that are not built yet say so on their page.
NAVIGATION = [
    ("core:home", _("Overview")),
    ("core:inbox", _("Inbox")),
    ("core:feedback", _("Feedback")),
    ("core:goals", _("Goals")),
    ("core:publishing", _("Publishing")),
    ("core:spaces", _("Spaces")),
    ("accounts:department_list", _("Departments")),
    ("accounts:people", _("People")),
    ("core:settings", _("Settings")),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    role = user.role if user.is_authenticated else None  # type: ignore[union-attr]
    match = request.resolver_match
    current = match.view_name if match else ""
    items = [
        {"url_name": name, "label": label, "current": current == name}
        for name, label in NAVIGATION
        if access.page_allows(name, role)
    ]
    return {
        "navigation": items,
        "organisation": getattr(request, "organisation", None),
    }
