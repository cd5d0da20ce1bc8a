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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from socialdesk import access
from socialdesk.accounts import services as account_services
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.accounts.site_models import Site
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.http import AppRequest
from socialdesk.feedback import services as feedback_services
from socialdesk.feedback.models import FeedbackStatus, ReplyDraft
from socialdesk.goals import guideline_services
from socialdesk.inbox import services as inbox_services
from socialdesk.inbox.models import (
    Contact,
    Conversation,
    Message,
    Notification,
    SavedReply,
)
from socialdesk.listening import services as listening_services
from socialdesk.listening.models import SpikeAlert
from socialdesk.publishing import campaign_services, idea_services
from socialdesk.publishing import services as publishing_services
from socialdesk.publishing.idea_services import PhotoUpload
from socialdesk.publishing.models import (
    ApprovalStep,
    Campaign,
    Post,
    PostMedia,
    PostPart,
    PostTarget,
    TargetState,
)
from socialdesk.sla import kpi_views
from socialdesk.sla.models import BusinessHours, SlaPolicy
from tests import issue14

# key: (department name or None, assigned to Mia?, contact name)
CONVERSATIONS = {
    "cs": ("Customer Service", False, "Cornelius Kundendienstler"),
    "pd": ("Product Development", False, "Pauline Produktfragerin"),
    "legal": ("Legal", False, "Leopold Rechtsweger"),
    "none": (None, False, "Ottilie Ohnezuordnung"),
    "shared_pd": ("Product Development", False, "Wilhelmine Geheimrätin"),
    "shared_legal": ("Legal", False, "Wilhelmine Geheimrätin"),  # same customer, other department
    "mine": ("Legal", True, "Magnus Direktzuweiser"),
}
VISIBLE_TO_MIA = {"pd", "shared_pd", "mine"}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (9, 9, 9)).save(out, "JPEG")
    return out.getvalue()


def marker(key: str) -> str:
    return f"Zugticket Geheimtext-{key.replace('_', '')}-7Q"


def handle(key: str) -> str:
    return f"autorin-{key.replace('_', '')}-9z"


@dataclass
class World:
    conversations: dict[str, Conversation] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    forbidden: list[str] = field(default_factory=list)  # must not appear for Mia
    hidden_pks: dict[str, set[int]] = field(default_factory=dict)  # objects Mia may not open


def _message(conversation: Conversation, key: str, when: datetime) -> Message:
    return Message.objects.create(
        conversation=conversation,
        channel_account=conversation.channel_account,
        external_id=f"ext-{key}",
        direction="in",
        author_handle=handle(key),
        contact=conversation.contact,
        text=f"{marker(key)}: wann kommt die Erstattung?",
        created_at=when,
        needs_reply=True,
    )


@pytest.fixture
def world(people: dict[str, User], departments: dict[str, Department]) -> World:
    admin, agent = Acting(user=people["admin"]), Acting(user=people["agent"])
    mia = people["member"]
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht@bahn.example")
    now = timezone.now()
    w = World()
    contacts: dict[str, Contact] = {}
    for index, (key, (department, assigned, name)) in enumerate(CONVERSATIONS.items()):
        contact = contacts.setdefault(name, Contact.objects.create(display_name=name))
        when = now - timedelta(days=2, minutes=index)
        conversation = Conversation.objects.create(
            channel_account=account,
            contact=contact,
            department=departments[department] if department else None,
            assignee=mia if assigned else None,
            needs_reply=True,
            first_message_at=when,
            last_message_at=when,
            waiting_since=when,
            message_count=1,
            preview=f"{marker(key)}: wann kommt die Erstattung?",
        )
        w.conversations[key] = conversation
        w.messages[key] = _message(conversation, key, when)

    # notes and notifications: a mention on a conversation Mia may not open, SLA warnings
    for key in ("legal", "pd"):
        inbox_services.conversation_add_note(
            by=agent, conversation=w.conversations[key], text=f"@mia schau bitte ({key})"
        )
    for key in ("cs", "pd"):
        Notification.objects.create(
            user=mia, conversation=w.conversations[key], kind=Notification.Kind.BREACHED
        )

    # listening: one monitor that matches every message, with a spike alert
    monitor = listening_services.monitor_create(by=admin, name="Zugticket", query="zugticket")
    SpikeAlert.objects.create(monitor=monitor, hour=now - timedelta(hours=3), count=7, usual=0.5)

    # feedback: an item of Product Development linking messages from every department, closed
    # (reply drafts for each customer, one discarded), and an item of Legal
    item = feedback_services.item_create(
        by=admin, title="Erstattung dauert", message=w.messages["pd"]
    )
    for key in CONVERSATIONS:
        feedback_services.item_link(by=admin, item=item, message=w.messages[key])
    feedback_services.item_forward(
        by=admin, item=item, department=departments["Product Development"]
    )
    feedback_services.item_set_status(
        by=admin, item=item, status=FeedbackStatus.DONE, reason="Schneller erstattet"
    )
    for draft in ReplyDraft.objects.filter(item=item, conversation__department__name="Legal"):
        feedback_services.draft_discard(by=admin, draft=draft)
    legal_item = feedback_services.item_create(
        by=admin, title="Rechtsfrage", message=w.messages["legal"]
    )
    feedback_services.item_forward(by=admin, item=legal_item, department=departments["Legal"])

    # publishing: a post whose approval step asks Legal (Mia may not open it), and one whose
    # step asks Product Development (she may, and may comment)
    posts = {}
    for key, department in (("legal", "Legal"), ("pd", "Product Development")):
        campaign = Campaign.objects.create(name=f"Kampagne {key}")
        step = ApprovalStep.objects.create(campaign=campaign, department=departments[department])
        posts[key] = publishing_services.post_create(
            by=admin, text=f"{marker(key)} Beitrag", channels=[account], campaign=campaign
        )
        publishing_services.post_submit(by=admin, post=posts[key])
        assert step.pk
    # publishing: Mia's post, out on the channel; every customer message answers it
    post = Post.objects.create(text="Unser Speisewagen", author=mia, status="published")
    target = PostTarget.objects.create(
        post=post, channel=account, state=TargetState.PUBLISHED, published_at=now
    )
    PostPart.objects.create(target=target, text=post.text, key="k-our-post", state="sent",
                            remote_id="our-post")  # fmt: skip
    Message.objects.filter(channel_account=account).update(parent_external_id="our-post")

    # what fills the other URL patterns
    hours = BusinessHours.objects.create(name="Office", weekly_hours={"0": [["09:00", "17:00"]]})
    policy = SlaPolicy.objects.create(name="Day", first_response_minutes=1440)
    saved = SavedReply.objects.create(title="Danke", body="Danke, {name}!")
    invitation, token = account_services.user_invite(
        by=admin, email="new@example.com", role=Role.AGENT
    )
    api_token, _key = api_tokens.api_token_create(by=admin, user=people["admin"], name="x")
    # story ideas (issue 12): one of Legal with a photo (hidden from Mia), one of hers
    campaign = campaign_services.campaign_create(by=admin, name="Sommer")
    legal_idea = idea_services.idea_submit(
        by=admin, title="Geheimidee-Legal-7Q", what_happened="Akten", campaign=campaign,
        department=departments["Legal"], photos=[PhotoUpload(_jpeg(), "Aktenberg-7Q")],
    )  # fmt: skip
    pd_idea = idea_services.idea_submit(
        by=admin, title="Produktidee", what_happened="Lego", campaign=campaign,
        department=departments["Product Development"],
    )  # fmt: skip
    legal_photo = legal_idea.photos.get().pk
    w.forbidden += ["Geheimidee-Legal-7Q", "Aktenberg-7Q", f"/publishing/ideas/{legal_idea.pk}/",
                    f"/publishing/ideas/photos/{legal_photo}/"]  # fmt: skip
    engine_posts = _posts(w, account, admin_user=people["admin"], member=mia)
    # guidelines (issue 13 item 2): one version for Legal only, one for everyone
    legal_text = guideline_services.publish(
        by=Acting(user=people["manager"]), title="Geheimleitlinie-Legal-7Q", text="Akten-7Q",
        everyone=False, departments=[departments["Legal"]],
    )  # fmt: skip
    for_all = guideline_services.publish(
        by=Acting(user=people["manager"]), title="Leitlinien", text="Für alle"
    )
    w.forbidden += ["Geheimleitlinie-Legal-7Q", "Akten-7Q"]
    w.ids = {
        "idea": [legal_idea.pk, pd_idea.pk],
        "idea_photo": [legal_photo],
        "publication": [legal_text.pk, for_all.pk],
        "campaign": [campaign.pk],
        "conversation": [c.pk for c in w.conversations.values()],
        "message": [m.pk for m in w.messages.values()],
        "feedback_item": [item.pk, legal_item.pk],
        "feedback_link": list(item.links.values_list("pk", flat=True)),
        "feedback_draft": list(item.drafts.values_list("pk", flat=True)),
        "department": [d.pk for d in departments.values()],
        "board": [d.pk for d in departments.values()],
        "monitor": [monitor.pk],
        "objective": [_objective()],
        "hours": [hours.pk],
        "policy": [policy.pk],
        "saved_reply": [saved.pk],
        "person": [p.pk for p in people.values()],
        "invitation": [invitation.pk],
        "api_token": [api_token.pk],
        "site": [Site.objects.create(name="Berlin").pk],
        "invitation_token": [token],  # type: ignore[list-item]
        "contact": [c.contact_id for c in w.conversations.values() if c.contact_id],
        "channel": sorted({c.channel_account_id for c in w.conversations.values()}),
        "post": [*(p.pk for p in posts.values()), post.pk, *engine_posts["post"]],
        "post_target": engine_posts["post_target"],
    }
    hidden = [key for key in CONVERSATIONS if key not in VISIBLE_TO_MIA]
    visible_names = {CONVERSATIONS[key][2] for key in VISIBLE_TO_MIA}
    for key in hidden:
        w.forbidden += [
            marker(key),
            handle(key),
            f"/inbox/{w.conversations[key].pk}/",
            f"/messages/{w.messages[key].pk}/",
        ]
        if CONVERSATIONS[key][2] not in visible_names:
            w.forbidden.append(CONVERSATIONS[key][2])
    # publishing: a post of the team (hidden from Mia) and Mia's own post
    team_post = publishing_services.post_create(
        by=agent, text="Beitrag Geheimtext-post-7Q", channels=[account], title="Teamgeheimnis-7Q"
    )
    own_post = publishing_services.post_create(
        by=Acting(user=mia), text="Mias eigener Beitrag", channels=[account]
    )
    media = [
        PostMedia.objects.create(post=post, content=b"x", mime="image/png", alt_text="Bild")
        for post in (team_post, own_post)
    ]
    w.ids["post"] += [team_post.pk, own_post.pk]
    w.ids["post_media"] = [m.pk for m in media]
    w.forbidden += ["Geheimtext-post-7Q", "Teamgeheimnis-7Q"]
    w.hidden_pks = {
        "post": {team_post.pk, posts["legal"].pk, engine_posts["post"][0]},
        "post_target": {engine_posts["post_target"][0]},
        "conversation": {w.conversations[key].pk for key in hidden},
        "message": {w.messages[key].pk for key in hidden},
        "feedback_item": {legal_item.pk},
        "idea": {legal_idea.pk},
        "idea_photo": {legal_photo},
        "publication": {legal_text.pk},
        "board": {departments["Customer Service"].pk, departments["Legal"].pk},
    }
    for module in issue14.MODULES:  # issue 14: each work package's objects from its own file
        getattr(module, "world", lambda *args: None)(w, people, departments)  # optional
    return w


def _objective() -> int:
    """An objective of the strategy: the whole organisation reads it."""
    from socialdesk.accounts.models import Organisation
    from socialdesk.goals.models import Objective

    return Objective.objects.create(organisation=Organisation.current(), title="Schnell").pk


def _posts(w: World, account: ChannelAccount, *, admin_user: User, member: User) -> dict[str, Any]:
    """A post Mia may not see (the team's) and one she wrote; their channels' deliveries."""
    from socialdesk.publishing.models import Post, PostTarget

    hidden = Post.objects.create(text=f"{marker('post')}: Geheimer Beitrag", author=admin_user)
    own = Post.objects.create(text="Mias Beitrag", author=member)
    targets = [PostTarget.objects.create(post=p, channel=account) for p in (hidden, own)]
    return {"post": [hidden.pk, own.pk], "post_target": [t.pk for t in targets]}


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
