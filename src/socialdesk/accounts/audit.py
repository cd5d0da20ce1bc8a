"""Write the append-only audit log; redact secrets before anything is stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import AuditEvent

if TYPE_CHECKING:
    from socialdesk.accounts.models import User

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(r"pass|secret|token|key|otp|credential", re.IGNORECASE)


@dataclass(frozen=True)
class Acting:
    """Who is doing something, and from where: carried into every service that audits."""

    user: User | None
    ip: str | None = None
    label: str = ""
    token: str = ""  # the name of the API token it came through

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        return self.user.email if self.user is not None else "system"


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, trusting X-Forwarded-For only when configured."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def acting(request: HttpRequest) -> Acting:
    """Return the acting person of a request."""
    user = request.user if request.user.is_authenticated else None
    return Acting(user=user, ip=client_ip(request))


def redact(values: dict[str, Any]) -> dict[str, Any]:
    """Return a copy in which every value under a secret-looking key is replaced."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if _SECRET_KEY.search(key):
            clean[key] = REDACTED
        elif isinstance(value, dict):
            clean[key] = redact(value)
        else:
            clean[key] = value
    return clean


def record(
    by: Acting,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the audit log."""
    event = AuditEvent(
        actor=by.user,
        actor_label=by.name[:254],
        token_name=by.token[:80],
        ip=by.ip,
        action=action,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:254],
        before=redact(before or {}),
        after=redact(after or {}),
    )
    event.save()
    return event


def forget_names(object_type: str, object_ids: list[int]) -> int:
    """Replace how these objects are named in past events by their number; return the count.

    The one change the append-only log allows: when a customer is erased (DSGVO Art. 17) or
    their conversations reach the retention limit, events about their objects keep who did
    what and when, but no longer the customer's name.
    """
    events = AuditEvent.objects.filter(
        object_type=object_type, object_id__in=[str(i) for i in object_ids]
    ).exclude(object_repr="")
    return models.QuerySet.update(
        events, object_repr=Concat(Value(f"{object_type} #"), "object_id")
    )


def scrub_events(object_type: str, object_ids: list[int], scrub: Callable[[str], str]) -> int:
    """Cut words out of how past events name these objects and of the values they recorded.

    The other change the append-only log allows (see ``forget_names``): an erased customer's
    name in the title of a feedback item it recorded. Return how many events changed.
    """

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return scrub(value)
        if isinstance(value, dict):
            return {key: clean(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [clean(inner) for inner in value]
        return value

    changed = 0
    events = AuditEvent.objects.filter(
        object_type=object_type, object_id__in=[str(i) for i in object_ids]
    )
    for event in events:
        fields = {
            "object_repr": scrub(event.object_repr)[:254],
            "before": clean(event.before),
            "after": clean(event.after),
        }
        if fields != {
            "object_repr": event.object_repr,
            "before": event.before,
            "after": event.after,
        }:
            models.QuerySet.update(AuditEvent.objects.filter(pk=event.pk), **fields)
            changed += 1
    return changed


# What each action is called on the audit log page.
ACTION_LABELS = {
    "login.succeeded": _("Signed in"),
    "login.failed": _("Sign-in failed"),
    "login.signed_out": _("Signed out"),
    "person.admin_created": _("First admin created"),
    "person.role_changed": _("Role changed"),
    "person.departments_changed": _("Departments changed"),
    "person.deactivated": _("Deactivated"),
    "person.reactivated": _("Reactivated"),
    "person.preferences_changed": _("Profile changed"),
    "person.password_changed": _("Password changed"),
    "invitation.sent": _("Invitation sent"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "department.created": _("Department created"),
    "department.updated": _("Department changed"),
    "department.deleted": _("Department deleted"),
    "department.site_changed": _("Department's site changed"),
    "person.site_changed": _("Site changed"),
    "site.created": _("Site created"),
    "room.created": _("Project room opened"),
    "room.updated": _("Project room changed"),
    "room.archived": _("Project room archived"),
    "room.unarchived": _("Project room brought back"),
    "room.joined": _("Joined a project room"),
    "room.left": _("Left a project room"),
    "room.members_added": _("People added to a project room"),
    "room.member_removed": _("Person removed from a project room"),
    "room.owner_set": _("Room owners changed"),
    "room.taken_over": _("Project room taken over"),
    "room.notify_set": _("Room notifications changed"),
    "room_post.created": _("Room post written"),
    "room_post.edited": _("Room post changed"),
    "room_post.deleted": _("Room post deleted"),
    "room_post.pinned": _("Room post pinned"),
    "room_post.unpinned": _("Room post unpinned"),
    "room_post.reacted": _("Reaction to a room post"),
    "room_post.reaction_removed": _("Reaction taken back"),
    "wiki.space_created": _("Wiki space created"),
    "wiki.space_updated": _("Wiki space changed"),
    "wiki.space_exported": _("Wiki space exported"),
    "wiki.page_created": _("Wiki page created"),
    "wiki.page_saved": _("Wiki page saved"),
    "wiki.page_moved": _("Wiki page moved"),
    "wiki.page_deleted": _("Wiki page moved to the trash"),
    "wiki.page_undeleted": _("Wiki page brought back"),
    "wiki.page_published": _("Wiki page published"),
    "wiki.page_review_set": _("Review date set"),
    "wiki.page_reviewed": _("Wiki page reviewed"),
    "wiki.page_exported": _("Wiki page exported"),
    "wiki.review_reminded": _("Reminded to review a page"),
    "wiki.draft_kept": _("Wiki draft kept"),
    "wiki.draft_discarded": _("Wiki draft discarded"),
    "saved_reply.synced": _("Saved reply updated from the wiki"),
    "site.updated": _("Site changed"),
    "site.deleted": _("Site deleted"),
    "settings.changed": _("Settings changed"),
    "two_factor.enabled": _("Two-factor authentication turned on"),
    "two_factor.disabled": _("Two-factor authentication turned off"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "channel.added": _("Channel connected"),
    "channel.reconnected": _("Channel connected again"),
    "message.send_retried": _("Reply queued again"),
    "monitor.created": _("Monitor created"),
    "monitor.changed": _("Monitor changed"),
    "monitor.deleted": _("Monitor deleted"),
    "contact.exported": _("Customer data exported"),
    "contact.erased": _("Customer erased"),
    "contact.merged": _("Contacts merged"),
    "retention.applied": _("Old conversations anonymised"),
    "settings.business_hours_saved": _("Business hours saved"),
    "settings.sla_policy_saved": _("SLA policy saved"),
    "settings.sla_policy_deleted": _("SLA policy deleted"),
    "settings.keys_rotated": _("Encryption key changed"),
    "conversation.assigned": _("Conversation assigned"),
    "saved_reply.created": _("Saved reply added"),
    "saved_reply.deleted": _("Saved reply deleted"),
    "feedback.created": _("Feedback captured"),
    "feedback.forwarded": _("Feedback forwarded"),
    "feedback.status_changed": _("Feedback status changed"),
    "feedback.topic_created": _("Topic created"),
    "feedback.topic_saved": _("Topic changed"),
    "feedback.rule_created": _("Routing rule added"),
    "feedback.rule_deleted": _("Routing rule removed"),
    # publishing: the composer
    "post.created": _("Post written"),
    "post.submitted": _("Post sent for review"),
    "post.media_added": _("Images added to a post"),
    "post.media_removed": _("Image removed from a post"),
    # publishing, review (issue 12)
    "post.approved": _("Post approved"),
    "post.scheduled": _("Post scheduled"),
    "post.changes_requested": _("Changes to a post requested"),
    "post.publish_now": _("Post published now"),
    "post.commented": _("Post commented"),
    "approval_step.added": _("Approval step added"),
    "approval_step.removed": _("Approval step removed"),
    "approval_step.moved": _("Approval step moved"),
    # publishing: story ideas and campaigns (issue 12)
    "idea.submitted": _("Story idea submitted"),
    "idea.accepted": _("Story idea accepted"),
    "idea.declined": _("Story idea declined"),
    "idea.planned": _("Story idea planned"),
    "idea.posts_linked": _("Posts linked to the story idea"),
    "idea.published": _("Story idea published"),
    "idea.campaign_changed": _("Campaign of the story idea changed"),
    "idea.commented": _("Story idea commented"),
    "campaign.created": _("Campaign created"),
    "campaign.changed": _("Campaign changed"),
    "campaign.archived": _("Campaign archived"),
    "campaign.restored": _("Campaign brought back"),
    # publishing: posts (the foundation's actions) and the calendar
    "publishing.slot_added": _("Posting slot added"),
    "publishing.slot_removed": _("Posting slot removed"),
    "publishing.calendar_feed_created": _("Calendar address made"),
    "publishing.calendar_feed_revoked": _("Calendar address revoked"),
    # goals: the strategy (issue 13 item 1)
    "strategy.section_saved": _("Strategy section saved"),
    "strategy.section_campaigns": _("Campaigns of the strategy section changed"),
    "strategy.objective_added": _("Objective added"),
    "strategy.objective_changed": _("Objective changed"),
    "strategy.objective_moved": _("Objective moved"),
    "strategy.objective_removed": _("Objective removed"),
    # goals: guidelines and onboarding (issue 13 item 2)
    "guidelines.published": _("Guidelines published"),
    "guidelines.confirmed": _("Guidelines read and confirmed"),
    "guidelines.reminded": _("Reminded to confirm the guidelines"),
    "onboarding.marked": _("Onboarding item ticked"),
    # goals: goals with targets (issue 13 item 4)
    "goal.created": _("Goal set"),
    "goal.changed": _("Goal changed"),
    "goal.archived": _("Goal archived"),
    "goal.restored": _("Goal brought back"),
    # goals: reports (issue 13 item 6)
    "report.shared": _("Report link created"),
    "report.unshared": _("Report link withdrawn"),
    "report.scheduled": _("Report by e-mail set up"),
    "report.schedule_changed": _("Report by e-mail changed"),
    "report.schedule_paused": _("Report by e-mail paused"),
    "report.schedule_resumed": _("Report by e-mail resumed"),
    "report.schedule_deleted": _("Report by e-mail deleted"),
}
