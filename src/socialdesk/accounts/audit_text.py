"""Audit log entries as sentences in the reader's language, with readable values.

"Anna Berger hat den Status von Feedback #12 von „Neu“ auf „Geplant“ gesetzt." instead of
`feedback.status_changed {'status': 'new'} -> {'status': 'planned'}`. The log stores keys and
raw values (it is append-only and outlives translations); this module only reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialdesk.core.durations import human_duration
from socialdesk.core.formatting import german_state_name, opening_hours

if TYPE_CHECKING:
    from socialdesk.accounts.models import AuditEvent

# What happened, as a sentence; %(actor)s did it to %(object)s; %(before)s / %(after)s are
# the values of the entry's main field (MAIN_FIELD), already in the reader's words.
SENTENCES: dict[str, Promise] = {
    "login.succeeded": _("%(actor)s signed in."),
    "login.failed": _("Signing in as %(object)s failed."),
    "login.signed_out": _("%(actor)s signed out."),
    "person.admin_created": _("%(actor)s created the first admin, %(object)s."),
    "person.role_changed": _(
        "%(actor)s changed the role of %(object)s from “%(before)s” to “%(after)s”."
    ),
    "person.departments_changed": _("%(actor)s changed the departments of %(object)s."),
    "person.deactivated": _("%(actor)s deactivated %(object)s."),
    "person.reactivated": _("%(actor)s reactivated %(object)s."),
    "person.preferences_changed": _("%(actor)s changed the profile of %(object)s."),
    "person.password_changed": _("%(actor)s changed the password of %(object)s."),
    "invitation.sent": _("%(actor)s invited %(object)s."),
    "invitation.revoked": _("%(actor)s withdrew the invitation of %(object)s."),
    "invitation.accepted": _("%(actor)s accepted the invitation."),
    "department.created": _("%(actor)s created the department %(object)s."),
    "department.updated": _("%(actor)s changed the department %(object)s."),
    "department.deleted": _("%(actor)s deleted the department %(object)s."),
    "settings.changed": _("%(actor)s changed the settings of %(object)s."),
    "settings.business_hours_saved": _("%(actor)s saved the business hours %(object)s."),
    "settings.sla_policy_saved": _("%(actor)s saved the SLA policy %(object)s."),
    "settings.sla_policy_deleted": _("%(actor)s deleted the SLA policy %(object)s."),
    "settings.keys_rotated": _("%(actor)s encrypted the stored secrets with a new key."),
    "two_factor.enabled": _("%(actor)s turned on two-factor authentication for %(object)s."),
    "two_factor.disabled": _("%(actor)s turned off two-factor authentication for %(object)s."),
    "api_token.created": _("%(actor)s created the API token %(object)s."),
    "api_token.revoked": _("%(actor)s revoked the API token %(object)s."),
    "channel.added": _("%(actor)s connected the channel %(object)s."),
    "channel.reconnected": _("%(actor)s connected the channel %(object)s again."),
    "message.send_retried": _("%(actor)s queued the reply %(object)s again."),
    "conversation.assigned": _("%(actor)s changed who works on %(object)s."),
    "saved_reply.created": _("%(actor)s added the saved reply %(object)s."),
    "saved_reply.deleted": _("%(actor)s deleted the saved reply %(object)s."),
    "feedback.created": _("%(actor)s captured %(object)s."),
    "feedback.forwarded": _("%(actor)s forwarded %(object)s to %(after)s."),
    "feedback.status_changed": _(
        "%(actor)s set the status of %(object)s from “%(before)s” to “%(after)s”."
    ),
    "feedback.topic_created": _("%(actor)s created the topic %(object)s."),
    "feedback.topic_saved": _("%(actor)s changed the topic %(object)s."),
    "feedback.rule_created": _("%(actor)s added a routing rule to %(after)s."),
    "feedback.rule_deleted": _("%(actor)s removed a routing rule of %(before)s."),
    # publishing, review (issue 12)
    "post.approved": _("The post %(object)s has every approval it needs."),
    "post.scheduled": _("The post %(object)s was scheduled."),
    "post.changes_requested": _("%(actor)s asked for changes to the post %(object)s."),
    "post.publish_now": _("%(actor)s had the post %(object)s published now."),
    "post.commented": _("%(actor)s commented on the post %(object)s."),
    "approval_step.added": _("%(actor)s added an approval step."),
    "approval_step.removed": _("%(actor)s removed an approval step."),
    "approval_step.moved": _("%(actor)s moved an approval step."),
    "monitor.created": _("%(actor)s created the monitor %(object)s."),
    "monitor.changed": _("%(actor)s changed the monitor %(object)s."),
    "monitor.deleted": _("%(actor)s deleted the monitor %(object)s."),
    "contact.exported": _("%(actor)s exported the data of %(object)s."),
    "contact.erased": _("%(actor)s erased %(object)s."),
    "contact.merged": _("%(actor)s merged another contact into %(object)s."),
    "retention.applied": _("%(actor)s anonymised old conversations."),
    "post.created": _("%(actor)s wrote the post %(object)s."),
    "post.submitted": _("%(actor)s sent the post %(object)s for review."),
    "post.media_added": _("%(actor)s added images to the post %(object)s."),
    "post.media_removed": _("%(actor)s removed an image from the post %(object)s."),
    # publishing: posts (the foundation's actions) and the calendar
    "publishing.slot_added": _("%(actor)s added the posting slot %(object)s."),
    "publishing.slot_removed": _("%(actor)s removed the posting slot %(object)s."),
    "publishing.calendar_feed_created": _("%(actor)s made a new calendar address."),
    "publishing.calendar_feed_revoked": _("%(actor)s revoked the calendar address of %(object)s."),
    # goals: goals with targets (issue 13 item 4)
    "goal.created": _("%(actor)s set the goal %(object)s."),
    "goal.changed": _("%(actor)s changed the goal %(object)s."),
    "goal.archived": _("%(actor)s archived the goal %(object)s."),
    "goal.restored": _("%(actor)s brought back the goal %(object)s."),
    # goals: reports (issue 13 item 6)
    "report.shared": _("%(actor)s created a link to the report %(object)s."),
    "report.unshared": _("%(actor)s withdrew the link to the report %(object)s."),
    "report.scheduled": _("%(actor)s set up the report by e-mail %(object)s."),
    "report.schedule_changed": _("%(actor)s changed the report by e-mail %(object)s."),
    "report.schedule_paused": _("%(actor)s paused the report by e-mail %(object)s."),
    "report.schedule_resumed": _("%(actor)s resumed the report by e-mail %(object)s."),
    "report.schedule_deleted": _("%(actor)s deleted the report by e-mail %(object)s."),
    # sites (issue 14)
    "site.created": _("%(actor)s created the site %(object)s."),
    "site.updated": _("%(actor)s changed the site %(object)s."),
    "site.deleted": _("%(actor)s deleted the site %(object)s."),
    "person.site_changed": _(
        "%(actor)s changed the site of %(object)s from “%(before)s” to “%(after)s”."
    ),
    "department.site_changed": _(
        "%(actor)s changed the site of the department %(object)s from “%(before)s” to “%(after)s”."
    ),
    # project rooms (issue 14)
    "room.created": _("%(actor)s opened the project room %(object)s."),
    "room.updated": _("%(actor)s changed the project room %(object)s."),
    "room.archived": _("%(actor)s archived the project room %(object)s."),
    "room.unarchived": _("%(actor)s brought back the project room %(object)s."),
    "room.joined": _("%(actor)s joined the project room %(object)s."),
    "room.left": _("%(actor)s left the project room %(object)s."),
    "room.members_added": _("%(actor)s added people to the project room %(object)s."),
    "room.member_removed": _("%(actor)s removed someone from the project room %(object)s."),
    "room.owner_set": _("%(actor)s changed who looks after the project room %(object)s."),
    "room.taken_over": _("%(actor)s took over the project room %(object)s."),
    "room.notify_set": _("%(actor)s changed their notifications for %(object)s."),
    "room_post.created": _("%(actor)s wrote %(object)s."),
    "room_post.edited": _("%(actor)s changed %(object)s."),
    "room_post.deleted": _("%(actor)s deleted %(object)s."),
    "room_post.pinned": _("%(actor)s pinned %(object)s."),
    "room_post.unpinned": _("%(actor)s unpinned %(object)s."),
    "room_post.reacted": _("%(actor)s reacted to %(object)s."),
    "room_post.reaction_removed": _("%(actor)s took back a reaction to %(object)s."),
    # wiki (issue 14)
    "wiki.space_created": _("%(actor)s created the wiki space %(object)s."),
    "wiki.space_updated": _("%(actor)s changed the wiki space %(object)s."),
    "wiki.space_exported": _("%(actor)s exported the wiki space %(object)s."),
    "wiki.page_created": _("%(actor)s created the wiki page %(object)s."),
    "wiki.page_saved": _("%(actor)s saved the wiki page %(object)s."),
    "wiki.page_moved": _("%(actor)s moved the wiki page %(object)s."),
    "wiki.page_deleted": _("%(actor)s moved the wiki page %(object)s to the trash."),
    "wiki.page_undeleted": _("%(actor)s brought back the wiki page %(object)s."),
    "wiki.page_published": _("%(actor)s published the wiki page %(object)s."),
    "wiki.page_review_set": _("%(actor)s set the review date of the wiki page %(object)s."),
    "wiki.page_reviewed": _("%(actor)s reviewed the wiki page %(object)s."),
    "wiki.page_exported": _("%(actor)s exported the wiki page %(object)s."),
    "wiki.review_reminded": _("%(actor)s reminded the owner to review %(object)s."),
    "wiki.draft_kept": _("%(actor)s kept a draft of the wiki page %(object)s."),
    "wiki.draft_discarded": _("%(actor)s discarded a draft of the wiki page %(object)s."),
    "saved_reply.synced": _("%(actor)s updated the saved reply %(object)s from its wiki page."),
}
FALLBACK = _("%(actor)s: %(action)s (%(object)s).")

# The field whose before/after the sentence names.
MAIN_FIELD = {
    "person.role_changed": "role",
    "person.site_changed": "site",
    "department.site_changed": "site",
    "feedback.status_changed": "status",
    "feedback.forwarded": "department",
    "feedback.rule_created": "department",
    "feedback.rule_deleted": "department",
}

# How objects are named: by number where the name may be a customer's or a long title.
NUMBERED: dict[str, Promise] = {
    "feedbackitem": _("feedback #%(id)s"),
    "conversation": _("conversation #%(id)s"),
    "message": _("message #%(id)s"),
    "contact": _("contact #%(id)s"),
    "strategysection": _("strategy section #%(id)s"),
    "roompost": _("room post #%(id)s"),
}
PEOPLE = {"user", "invitation"}  # named as they are, without quotes

FIELDS: dict[str, Promise] = {
    # project rooms and the wiki (issue 14)
    "room": _("Project room"),
    "reply_to": _("Reply to post"),
    "files": _("Attachments"),
    "emoji": _("Reaction"),
    "notify": _("Notifications"),
    "people": _("People"),
    "person": _("Person"),
    "count": _("Number"),
    "space": _("Space"),
    "parent": _("Parent page"),
    "revision": _("Version"),
    "base_revision": _("Edited from version"),
    "review_by": _("Review by"),
    "format": _("Format"),
    "key": _("Short name"),
    "source": _("Source"),
    # goals: the strategy (issue 13 item 1)
    "version": _("Version"),
    "length": _("Characters"),
    "campaigns": _("Campaigns"),
    "position": _("Position"),
    "name": _("Name"),
    "full_name": _("Name"),
    "title": _("Title"),
    "body": _("Text"),
    "description": _("Description"),
    "email": _("E-mail address"),
    "owner": _("Owner"),
    "role": _("Role"),
    "departments": _("Departments"),
    "department": _("Department"),
    "site": _("Site"),
    "members": _("Members"),
    "status": _("Status"),
    "state": _("State"),
    "active": _("Active"),
    "is_active": _("Active"),
    "two_factor": _("Two-factor authentication"),
    "sessions_ended": _("Sessions ended"),
    "api_tokens_revoked": _("API tokens revoked"),
    "language": _("Language"),
    "default_language": _("Default language"),
    "time_zone": _("Time zone"),
    "two_factor_roles": _("Roles that must sign in with two-factor authentication"),
    "retention_months": _("Anonymise conversations older than (months)"),
    "greeting_form": _("How drafts address customers"),
    "greet_by_first_name": _("Drafts greet by first name"),
    "feedback_answer_hours": _("Answers new feedback within (hours)"),
    "issue_tracker_url": _("Issue tracker webhook"),
    "query": _("Query"),
    "keywords": _("Keywords"),
    "priority": _("Priority"),
    "network": _("Network"),
    "url": _("Address"),
    "backfill_url": _("Address"),
    "handle": _("Handle"),
    "secret": _("Secret"),
    "hours": _("Opening hours"),
    "closed": _("Other closed days"),
    "first_response_minutes": _("First response"),
    "next_response_minutes": _("Next response"),
    "resolution_minutes": _("Resolution"),
    "assignee": _("Assigned to"),
    "messages": _("Messages"),
    "conversations": _("Conversations"),
    "credentials": _("Channel accounts"),
    "issue_tracker_addresses": _("Departments"),
    "reason": _("Reason"),
    "error": _("Error"),
    # publishing: story ideas and campaigns (issue 12)
    "colour": _("Colour"),
    "goal": _("Goal"),
    "starts_on": _("Starts on"),
    "ends_on": _("Ends on"),
    "campaign": _("Campaign"),
    "posts": _("Posts"),
    # goals: goals with targets (issue 13 item 4)
    "kpi": _("KPI"),
    "params": _("Parameters"),
    "target": _("Target"),
    "comparison": _("Comparison"),
    "start": _("Start"),
    "deadline": _("Deadline"),
    "accounts": _("Channel accounts"),
    "tags": _("Tags"),
    "objective": _("Objective"),
    # goals: reports (issue 13 item 6)
    "valid_days": _("Link works for (days)"),
    "frequency": _("How often"),
    "recipients": _("Recipients"),
}

# Where a field means something else in one kind of entry.
FIELDS_BY_ACTION: dict[str, dict[str, Promise]] = {
    "settings.business_hours_saved": {"state": _("German federal state for public holidays")},
}

# Stored values that are words of the code, by their names.
VALUES: dict[str, Promise] = {
    "new": _("New"),
    "acknowledged": _("Acknowledged"),
    "planned": _("Planned"),
    "in_progress": _("In progress"),
    "done": _("Done"),
    "wont_do": _("Won't do"),
    "open": _("Open"),
    "waiting": _("Waiting on customer"),
    "resolved": _("Resolved"),
    "pending": _("waiting"),
    "revoked": _("withdrawn"),
    "admin": _("Admin"),
    "manager": _("Social media manager"),
    "agent": _("Agent"),
    "member": _("Department member"),
    "viewer": _("Read-only"),
    "du": _("informal (du)"),
    "sie": _("formal (Sie)"),
    "wrong e-mail address or password": _("E-mail address or password is wrong."),
    "accepted": _("Accepted"),
    "declined": _("Declined"),
    "published": _("Published"),
    "ge": _("at least (≥)"),
    "le": _("at most (≤)"),
    "weekly": _("weekly, on Monday (the week before)"),
    "monthly": _("monthly, on the 1st (the month before)"),
}

# How an app above names its own stored values (e.g. goals: a KPI by its label): key → function.
VALUE_NAMES: dict[str, Callable[[Any], str]] = {}


def name_values(key: str, function: Callable[[Any], str]) -> None:
    """Let an app above say how the values under `key` read (called from its `ready`)."""
    VALUE_NAMES[key] = function


def actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        name = event.actor.full_name or event.actor.email
    elif event.actor_label in ("", "system"):
        name = "socialdesk"
    else:
        name = event.actor_label
    if event.token_name:
        return gettext("%(person)s (API token “%(token)s”)") % {
            "person": name,
            "token": event.token_name,
        }
    return name


def object_name(event: AuditEvent) -> str:
    numbered = NUMBERED.get(event.object_type)
    if numbered is not None and event.object_id:
        return str(numbered) % {"id": event.object_id}
    name = event.object_repr or (f"#{event.object_id}" if event.object_id else "–")
    if event.object_type in PEOPLE or not event.object_type:
        return name
    return gettext("“%(name)s”") % {"name": name}


def value_text(key: str, value: Any) -> str:
    """Return one stored value as people read it."""
    if value is None or value == "" or value == []:
        return "–"
    if key in VALUE_NAMES:
        return VALUE_NAMES[key](value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, float):
        return number_format(value, force_grouping=True)
    if key == "hours" and isinstance(value, Mapping):
        return opening_hours(dict(value))
    if key == "state" and isinstance(value, str) and value not in VALUES:
        return german_state_name(value)
    if key in ("starts_on", "ends_on", "start", "deadline") and isinstance(value, str):
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    if key.endswith("_minutes") and isinstance(value, int):
        return human_duration(value * 60)
    if key in ("language", "default_language") and isinstance(value, str):
        return str(dict(settings.LANGUAGES).get(value, value))
    if isinstance(value, list):
        return ", ".join(value_text(key, inner) for inner in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{field_label(k)}: {value_text(k, v)}" for k, v in value.items())
    if isinstance(value, str) and value in VALUES:
        return str(VALUES[value])
    return str(value)


def field_label(key: str, action: str = "") -> str:
    label = FIELDS_BY_ACTION.get(action, {}).get(key) or FIELDS.get(key)
    return str(label) if label is not None else key


def sentence(event: AuditEvent) -> str:
    """Return what happened as one sentence in the active language."""
    from socialdesk.accounts.audit import ACTION_LABELS

    main = MAIN_FIELD.get(event.action, "")
    values = {
        "actor": actor_name(event),
        "object": object_name(event),
        "before": value_text(main, event.before.get(main)) if main else "",
        "after": value_text(main, event.after.get(main)) if main else "",
        "action": str(ACTION_LABELS.get(event.action, event.action)),
    }
    template = SENTENCES.get(event.action, FALLBACK)
    return str(template) % values


def changes(event: AuditEvent) -> list[tuple[str, str | None, str]]:
    """Return (field, before, after) in the reader's words for every field that differs.

    `before` is None when the field had no earlier value recorded (a creation).
    """
    keys = sorted(set(event.before) | set(event.after))
    rows = []
    for key in keys:
        old, new = event.before.get(key), event.after.get(key)
        if old == new or key == MAIN_FIELD.get(event.action):
            continue
        rows.append(
            (
                field_label(key, event.action),
                value_text(key, old) if key in event.before else None,
                value_text(key, new) if key in event.after else "–",
            )
        )
    return rows
