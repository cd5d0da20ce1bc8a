"""Template context every page of the shell needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from socialdesk import access
from socialdesk.inbox.models import Notification

# The main navigation: (url name, label). Areas that are not built yet say so on their page.
NAVIGATION = [
    ("shell:home", _("Overview")),
    ("inbox:list", _("Inbox")),
    ("listening:overview", _("Feedback")),
    ("shell:goals", _("Goals")),
    ("shell:publishing", _("Publishing")),
    ("shell:spaces", _("Spaces")),
    ("accounts:department_list", _("Departments")),
    ("accounts:people", _("People")),
    ("shell:settings", _("Settings")),
]


# Pages that belong to a navigation entry without being it (a department's page, say).
_SECTION_OF = [
    ("inbox:", "inbox:list"),
    ("accounts:department", "accounts:department_list"),
    ("accounts:person", "accounts:people"),
    ("accounts:invit", "accounts:people"),
    ("accounts:", "shell:settings"),
    ("sla:", "shell:settings"),
    ("channels:", "shell:settings"),
    ("listening:", "listening:overview"),
    ("feedback:", "listening:overview"),
    ("kpi:", "inbox:list"),
    ("publishing:", "shell:publishing"),
    ("story", "shell:publishing"),  # the short "Tell us your story" address
    ("goals:", "shell:goals"),
    ("spaces:", "shell:spaces"),
    ("wiki:", "shell:spaces"),
]


# An area's own pages, shown under the main navigation while one of them is open:
# (url name, label, the url-name prefixes that count as that page).
SUBNAVIGATION: dict[str, list[tuple[str, Any, tuple[str, ...]]]] = {
    "shell:publishing": [
        ("publishing:calendar", _("Calendar"), ("publishing:calendar", "publishing:ical")),
        (
            "publishing:posts",
            _("Posts"),
            ("publishing:post", "publishing:target", "publishing:approval_link"),
        ),
        ("publishing:ideas", _("Story ideas"), ("publishing:idea", "story")),
        ("publishing:campaigns", _("Campaigns"), ("publishing:campaign",)),
        ("publishing:approval_steps", _("Approval steps"), ("publishing:approval_steps",)),
        ("publishing:slots", _("Posting slots"), ("publishing:slots",)),
    ],
    "shell:goals": [
        ("goals:dashboard", _("Overview"), ("goals:dashboard",)),
        ("goals:strategy", _("Strategy"), ("goals:strategy",)),
        ("goals:objectives", _("Objectives"), ("goals:objective",)),
        ("goals:goals", _("Goals"), ("goals:goal",)),
        ("goals:publications", _("Guidelines"), ("goals:publication",)),
        ("goals:onboarding", _("Onboarding"), ("goals:onboarding",)),
        ("goals:adoption", _("Adoption"), ("goals:adoption",)),
        ("goals:kpis", _("KPIs"), ("goals:kpis",)),
        ("goals:reports", _("Reports"), ("goals:report",)),
    ],
    "shell:spaces": [
        ("spaces:rooms", _("Rooms"), ("spaces:",)),
        (
            "wiki:index",
            _("Wiki"),
            ("wiki:index", "wiki:space", "wiki:page", "wiki:room", "wiki:trash"),
        ),
        ("wiki:review_due", _("To review"), ("wiki:review_due",)),
        ("wiki:missing", _("Missing pages"), ("wiki:missing",)),
    ],
}


def _subnavigation(section: str, view_name: str, role: str | None) -> list[dict[str, Any]]:
    entries = SUBNAVIGATION.get(section, [])
    current = next(
        (name for name, _label, prefixes in entries if view_name.startswith(prefixes)), ""
    )
    return [
        {"url_name": name, "label": label, "current": name == current}
        for name, label, _prefixes in entries
        if access.page_allows(name, role)
    ]


def _section(view_name: str) -> str:
    names = {name for name, _label in NAVIGATION}
    if view_name in names:
        return view_name
    for prefix, section in _SECTION_OF:
        if view_name.startswith(prefix):
            return section
    return ""


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    role = user.role if user.is_authenticated else None
    match = request.resolver_match
    current = _section(match.view_name) if match else ""
    items = [
        {"url_name": name, "label": label, "current": current == name}
        for name, label in NAVIGATION
        if access.page_allows(name, role)
    ]
    unread = 0
    if user.is_authenticated:
        unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "navigation": items,
        "subnavigation": _subnavigation(current, match.view_name if match else "", role)
        if user.is_authenticated
        else [],
        "organisation": getattr(request, "organisation", None),
    }
