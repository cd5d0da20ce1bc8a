"""The data of `test_department_visibility`: conversations in every department (and one
assigned to Mia Member herself), with distinctive contact names, author handles and texts,
and what links to them (feedback, a monitor, posts, KPI data, notifications)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts import services as account_services
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.accounts.site_models import Site
from socialdesk.channels.models import ChannelAccount
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


@pytest.fixture(name="world")
def world_fixture(people: dict[str, User], departments: dict[str, Department]) -> World:
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
