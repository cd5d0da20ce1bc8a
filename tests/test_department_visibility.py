"""A department member sees on no page a conversation, message or contact they could not open.

One fixture puts data in every department (conversations handed to Customer Service, Product
Development and Legal, one not handed to anyone, one handed to Legal but assigned to Mia Member
herself), with distinctive contact names, author handles and message texts, a listening monitor
that matches all of them, feedback items linking messages from every department, KPI data and
notifications. Then every URL of the access table is requested with the ids of every object.
"""

from __future__ import annotations

import csv
import io
from typing import cast

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socialdesk import access
from socialdesk.accounts.models import Role
from socialdesk.core.http import AppRequest
from socialdesk.publishing.models import (
    PostMedia,
)
from socialdesk.sla import kpi_views
from tests import issue14
from tests.visibility_world import (
    CONVERSATIONS,
    VISIBLE_TO_MIA,
    World,
    world_fixture,  # noqa: F401 - the fixture is used by name
)


def _patterns(resolver: URLResolver, namespace: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(_patterns(pattern, inner))
        elif pattern.name:
            found[namespace + pattern.name] = pattern
    return found


def _kind(name: str) -> str:
    """Which objects' ids fill the `pk` of the named URL."""
    special = {
        "inbox:needs_reply": "message",
        "inbox:retry_send": "message",
        "inbox:delivery": "message",
        "inbox:saved_reply_delete": "saved_reply",
        "inbox:saved_reply_edit": "saved_reply",
        "feedback:link_remove": "feedback_link",
        "feedback:draft_send": "feedback_draft",
        "feedback:board": "board",
        "feedback:correct": "message",
        "channels:webhook": "conversation",
        "goals:dashboard_department": "department",
        "goals:dashboard_channel": "channel",
    }
    for module in issue14.MODULES:  # issue 14: each work package's kinds from its own file
        special.update(getattr(module, "KINDS", {}))
    if name in special:
        return special[name]
    app = name.split(":")[0]
    if app == "goals":  # guidelines (issue 13 item 2)
        return "department" if name.startswith("goals:adoption") else "publication"
    if app == "publishing":
        if "target" in name:
            return "post_target"
        if name == "publishing:idea_photo":
            return "idea_photo"
        if name.startswith("publishing:campaign"):
            return "campaign"
        return "idea" if name.startswith("publishing:idea") else "post"
    if app == "goals" and name.startswith("goals:objective"):
        return "objective"
    if app == "channels":
        return "channel"
    if app == "inbox":
        return "conversation"
    if app == "listening":
        return "monitor"
    if app == "privacy":
        return "contact"
    if app == "feedback":
        return "feedback_item"
    if name.startswith("publishing:post_"):
        return "post"
    if app == "sla":
        return "hours" if "hours" in name else "policy"
    if app == "publishing":
        return "post"
    for part, kind in (
        ("department", "department"),
        ("person", "person"),
        ("invitation", "invitation"),
        ("token", "api_token"),
        ("site", "site"),
    ):
        if part in name:
            return kind
    raise AssertionError(f"no ids for {name}")


# Query strings that widen what list pages, exports and filters show.
VARIANTS = {
    "inbox:list": ["", "?status=any", "?status=any&q=Geheimtext", "?status=any&department={legal}"],
    "kpi:first_response": ["", "?since=2000-01-01&until=2100-01-01&within=1s"],
    "kpi:first_response_csv": ["", "?since=2000-01-01&until=2100-01-01"],
    "feedback:items": ["", "?status=any", "?status=any&department={legal}"],
}
for _module in issue14.MODULES:  # issue 14: each work package's variants from its own file
    VARIANTS.update(getattr(_module, "VARIANTS", {}))


def _requests(world: World, legal: int) -> list[tuple[str, str, str, int | None]]:
    """Return (url name, url, kind of object, pk) for every URL of the table."""
    found: list[tuple[str, str, str, int | None]] = []
    patterns = _patterns(get_resolver())
    for name in access.PAGES:
        converters = set(patterns[name].pattern.converters)
        if not converters:
            for variant in VARIANTS.get(name, [""]):
                found.append((name, reverse(name) + variant.format(legal=legal), "", None))
        elif name == "accounts:password_reset_confirm":
            found.append((name, reverse(name, kwargs={"uidb64": "MQ", "token": "x"}), "", None))
        elif name == "accounts:invitation_accept":
            token = str(world.ids["invitation_token"][0])
            found.append((name, reverse(name, kwargs={"token": token}), "", None))
        elif name == "privacy:contact_export":
            for pk in world.ids["contact"]:
                for kind in ("html", "json"):
                    url = reverse(name, kwargs={"pk": pk, "kind": kind})
                    found.append((name, url, "contact", pk))
        elif name == "publishing:post_media_delete":
            for media in PostMedia.objects.filter(pk__in=world.ids["post_media"]):
                url = reverse(name, kwargs={"pk": media.post_id, "media_pk": media.pk})
                found.append((name, url, "post", media.post_id))
        elif name in ("feedback:act", "publishing:approval_link", "shared_reports:report"):
            found.append((name, reverse(name, kwargs={"token": "not-a-token"}), "", None))
        elif name == "publishing:ical":  # the secret is the credential; its tests: test_ical.py
            found.append((name, reverse(name, kwargs={"secret": "not-a-secret"}), "", None))
        elif name.startswith("goals:strategy_"):  # the strategy is the whole organisation's
            for key in ("objectives", "crisis"):
                found.append((name, reverse(name, kwargs={"key": key}), "", None))
        elif name in ("publishing:post_reschedule", "publishing:post_queue"):  # POST only
            found.append((name, reverse(name, kwargs={"pk": 999999}), "", None))
        elif name.startswith("webhooks:"):  # admins only: the table refuses everyone else
            found.append((name, reverse(name, kwargs=dict.fromkeys(converters, 999999)), "", None))
        else:
            kind = _kind(name)
            for pk in world.ids[kind]:
                found.append((name, reverse(name, kwargs={"pk": pk}), kind, pk))
    return found


def _body(response: HttpResponseBase, url: str) -> str:
    """The response as text; the language switch echoes the requested address, which tells
    nobody anything, so it is taken out."""
    if isinstance(response, StreamingHttpResponse):
        body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    else:
        body = response.content  # type: ignore[attr-defined]
    return body.decode("utf-8", "replace").replace(url, "")


def _leaks(client: Client, world: World, legal: int) -> tuple[list[str], list[str]]:
    """Request every URL (and each htmx partial); return (leaks, objects that opened)."""
    leaks: list[str] = []
    opened: list[str] = []
    for _name, url, kind, pk in _requests(world, legal):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            text = _body(response, url)
            leaks += [
                f"{url}{' (htmx)' if headers else ''}: {s}" for s in world.forbidden if s in text
            ]
            if pk in world.hidden_pks.get(kind, set()) and response.status_code < 400:
                opened.append(f"{url} → {response.status_code}")
    # the htmx heartbeat of a conversation page is a POST
    for pk in world.ids["conversation"]:
        url = reverse("inbox:presence", kwargs={"pk": pk})
        response = client.post(url, headers={"HX-Request": "true"})
        text = _body(response, url)
        leaks += [f"POST {url}: {s}" for s in world.forbidden if s in text]
        if pk in world.hidden_pks["conversation"] and response.status_code < 400:
            opened.append(f"POST {url} → {response.status_code}")
    return leaks, opened


def test_it_shows_a_department_member_nothing_of_conversations_they_may_not_open(
    client_as, world, departments
):
    leaks, opened = _leaks(client_as(Role.MEMBER), world, departments["Legal"].pk)
    assert opened == []
    assert leaks == [], f"{len(leaks)} leaks:\n" + "\n".join(leaks)


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
def test_it_shows_the_team_and_read_only_people_every_conversation(client_as, world, role):
    """The control: the same pages show everything to those who may see every conversation."""
    client = client_as(role)
    seen: set[str] = set()
    for name, url, _kind_name, _pk in _requests(world, 0):
        if access.page_allows(name, role):
            text = _body(client.get(url), url)
            seen |= {s for s in world.forbidden if s in text}
    # read-only people get no forms that act on one message (needs reply, correct, feedback)
    expected = {s for s in world.forbidden if role == Role.AGENT or "/messages/" not in s}
    assert expected - seen == set()


def test_it_counts_for_a_member_only_the_conversations_of_their_departments(
    client_as, world, people
):
    """KPI figures and chart and listening volumes cover what they may open; pages say so."""
    member, admin = client_as(Role.MEMBER), client_as(Role.ADMIN)
    wide = reverse("kpi:first_response") + "?since=2000-01-01&until=2100-01-01"
    mine, everyone = member.get(wide).context, admin.get(wide).context
    assert everyone["result"].conversations == len(CONVERSATIONS)
    assert mine["result"].conversations == len(VISIBLE_TO_MIA)
    assert sum(w["total"] for w in mine["weeks"]) == len(VISIBLE_TO_MIA)
    assert mine["page"].paginator.count == len(VISIBLE_TO_MIA)
    assert b'id="kpi-scope"' in member.get(wide).content  # the page says whose figures
    assert b'id="kpi-scope"' not in admin.get(wide).content
    item = member.get(reverse("feedback:item", args=[world.ids["feedback_item"][0]]))
    assert item.context["links_hidden"] == len(CONVERSATIONS) - len(VISIBLE_TO_MIA)
    monitors = member.get(reverse("listening:overview")).context["monitors"]
    assert [m.week for m in monitors] == [len(VISIBLE_TO_MIA)]
    monitor_page = member.get(reverse("listening:monitor", args=[world.ids["monitor"][0]]))
    assert sum(count for _day, count, _height in monitor_page.context["volume"]) == len(
        VISIBLE_TO_MIA
    )


def test_it_exports_for_a_member_only_the_conversations_of_their_departments(world, people):
    """The CSV export reads through the same rule (called directly: the access table gives the
    export to managers and read-only people only, who see everything)."""
    request = RequestFactory().get("/", {"since": "2000-01-01", "until": "2100-01-01"})
    request.user = people["member"]
    response = kpi_views.first_response_csv(cast(AppRequest, request))
    text = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(text)))[1:]
    exported = {int(row[0]) for row in rows}
    assert exported == {world.conversations[key].pk for key in VISIBLE_TO_MIA}


def test_a_member_cannot_unlink_messages_from_feedback(client_as, world):
    """Unlinking is the community team's work; a member is refused and nothing changes."""
    from socialdesk.feedback.models import FeedbackLink

    member = client_as("member")
    for pk in world.ids["feedback_link"]:
        response = member.post(reverse("feedback:link_remove", kwargs={"pk": pk}))
        assert response.status_code == 403
    assert FeedbackLink.objects.filter(pk__in=world.ids["feedback_link"]).count() == len(
        world.ids["feedback_link"]
    )
