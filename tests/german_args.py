"""How `test_german_pages` opens each page: the URL arguments of every page name (`ARGS`,
from the German fixture's objects) and the further states of some pages (`QUERIES`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from socialdesk.accounts.models import Department, Invitation, User
from socialdesk.accounts.site_models import Site
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.feedback.models import FeedbackItem, ReplyDraft
from socialdesk.goals.guideline_models import Publication
from socialdesk.goals.models import Goal, Objective
from socialdesk.inbox.job_models import BulkJob, ImportJob
from socialdesk.inbox.models import Contact, Conversation, Message, Notification, SavedReply
from socialdesk.listening.models import Monitor
from socialdesk.publishing.models import (
    Campaign,
    Idea,
    IdeaPhoto,
    Post,
    PostEvent,
    PostMetric,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)
from socialdesk.sla.models import BusinessHours, SlaPolicy
from tests import issue14


def _import_job(data: dict[str, Any]) -> dict[str, Any]:
    """A finished import of a German manager, with a row the reader rejected."""
    job = ImportJob.objects.create(
        created_by=data["people"]["manager"], file_name="verlauf.csv", format="twcs",
        state="done", rows_total=4, rows_read=4, rows_stored=3, rejected=1,
        first_rejections=[["verlauf.csv", 5, "inbound: „vielleicht“ ist kein Wahrheitswert (wahr oder falsch)"]],
    )  # fmt: skip
    return {"pk": job.pk}


def _bulk_job(data: dict[str, Any]) -> dict[str, Any]:
    job = BulkJob.objects.create(
        created_by=data["people"]["agent"], action="resolve", state="done",
        total=3, done=3, changed=3,
    )  # fmt: skip
    return {"pk": job.pk}


def _published_post(data: dict[str, Any]) -> dict[str, Any]:
    """A post out on Mastodon with figures at three ages, a deletion elsewhere in its history."""
    channel, _new = ChannelAccount.objects.get_or_create(
        network=Network.MASTODON, handle="nordlicht@sozial.example",
        defaults={"name": "Nordlicht auf Mastodon"},
    )  # fmt: skip
    manager = data["people"]["manager"]
    post = Post.objects.create(text="Nachtschicht im Stellwerk", author=manager,
                               status=PostStatus.PUBLISHED)  # fmt: skip
    at = timezone.now() - timedelta(days=4)
    target = PostTarget.objects.create(post=post, channel=channel, state=TargetState.PUBLISHED,
                                       published_at=at, remote_id="1")  # fmt: skip
    PostPart.objects.create(target=target, text=post.text, key=f"k{post.pk}", state="sent",
                            remote_id="1", sent_at=at)  # fmt: skip
    for age, hours, likes in (("1h", 1, 12), ("24h", 24, 1234), ("72h", 72, 2345)):
        PostMetric.objects.create(target=target, age=age, taken_at=at + timedelta(hours=hours),
                                  likes=likes, reposts=likes // 10, replies=3, quotes=0)  # fmt: skip
    PostEvent.objects.create(post=post, actor=manager, kind="deleted_published",
                             data={"channel": "Nordlicht auf Mastodon"})  # fmt: skip
    PostEvent.objects.create(post=post, kind="metrics_set_aside",
                             data={"channel": "Nordlicht auf Mastodon", "values": {}})  # fmt: skip
    return {"pk": post.pk}


def _delivery(data: dict[str, Any]) -> dict[str, Any]:
    """A post published on one channel (a thread of two) and refused by another."""
    from socialdesk.publishing.models import PartState, Post, PostPart, PostTarget

    known = Post.objects.filter(text="Nachtschicht im Stellwerk, ausgeliefert").first()
    if known is not None:
        return {"pk": known.pk}
    post = Post.objects.create(
        text="Nachtschicht im Stellwerk, ausgeliefert",
        status="partly_published",
        author=data["people"]["agent"],
    )
    for network, state in (("mastodon", "published"), ("bluesky", "failed")):
        channel = ChannelAccount.objects.create(network=network, handle=f"nordlicht-{network}")
        target = PostTarget.objects.create(
            post=post, channel=channel, state=state, url="https://social.example/@n/1",
            error_code="refused" if state == "failed" else "",
            error="Bluesky refused the request (Text is too long)" if state == "failed" else "",
            published_at=timezone.now(),
        )  # fmt: skip
        for position in range(2):
            sent = state == "published" or position == 0
            PostPart.objects.create(
                target=target, position=position, text=f"Teil {position + 1}", key=f"k{network}{position}",
                state=PartState.SENT if sent else PartState.FAILED,
            )  # fmt: skip
    return {"pk": post.pk}


def _failed_target(data: dict[str, Any]) -> dict[str, Any]:
    from socialdesk.publishing.models import PostTarget

    _delivery(data)
    target = PostTarget.objects.filter(state="failed").order_by("pk").first()
    assert target is not None
    return {"pk": target.pk}


def _first(model_name: str) -> int:
    from django.apps import apps

    return int(apps.get_model("goals", model_name).objects.order_by("pk").first().pk)


def _pk(model: Any, **filters: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {"pk": model.objects.filter(**filters).order_by("pk").first().pk}


ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "shared_reports:report": lambda data: {"token": data["report_token"]},
    "publishing:post_delivery": _delivery,
    "publishing:post_publish_now": _delivery,
    "publishing:target_retry": _failed_target,
    "accounts:department_detail": _pk(Department),
    "accounts:department_edit": _pk(Department),
    "accounts:department_delete": _pk(Department),
    "accounts:site_edit": _pk(Site),
    "accounts:site_delete": _pk(Site),
    "accounts:person_detail": _pk(User, role="agent"),
    "accounts:person_edit": _pk(User, role="agent"),
    "accounts:person_deactivate": _pk(User, role="agent"),
    "accounts:person_reactivate": _pk(User, role="agent"),
    "accounts:person_reset_two_factor": _pk(User, role="agent"),
    "accounts:invitation_revoke": _pk(Invitation),
    "accounts:invitation_resend": _pk(Invitation),
    "accounts:invitation_accept": lambda data: {"token": "nicht-gueltig"},
    "accounts:password_reset_confirm": lambda data: {"uidb64": "MQ", "token": "x-y"},
    "accounts:token_revoke": lambda data: {"pk": 1},
    "inbox:conversation": lambda data: {"pk": data["conversation"].pk},
    "inbox:reply": _pk(Conversation),
    "inbox:note": _pk(Conversation),
    "inbox:assign": _pk(Conversation),
    "inbox:status": _pk(Conversation),
    "inbox:tags": _pk(Conversation),
    "inbox:presence": _pk(Conversation),
    "inbox:needs_reply": _pk(Message),
    "inbox:retry_send": _pk(Message),
    "inbox:delivery": _pk(Message),
    "inbox:saved_reply_delete": _pk(SavedReply),
    "inbox:saved_reply_edit": _pk(SavedReply),
    "inbox:notification_open": _pk(Notification),
    "listening:monitor": _pk(Monitor),
    "listening:monitor_edit": _pk(Monitor),
    "listening:monitor_delete": _pk(Monitor),
    "feedback:item": lambda data: {"pk": data["items"][1].pk},
    "feedback:item_forward": _pk(FeedbackItem),
    "feedback:item_status": _pk(FeedbackItem),
    "feedback:item_handoff": _pk(FeedbackItem),
    "feedback:link_remove": lambda data: {"pk": 1},
    "feedback:draft_send": _pk(ReplyDraft),
    "feedback:board": _pk(Department, name="Produktentwicklung"),
    "feedback:act": lambda data: {"token": "nicht-gueltig"},
    "feedback:correct": _pk(Message),
    "sla:hours_edit": _pk(BusinessHours),
    "sla:policy_edit": _pk(SlaPolicy),
    "sla:policy_delete": _pk(SlaPolicy),
    "privacy:contact": _pk(Contact),
    "privacy:contact_export": lambda data: {**_pk(Contact)(data), "kind": "json"},
    "privacy:contact_erase": _pk(Contact),
    "channels:webhook": _pk(ChannelAccount),
    "inbox:import_job": _import_job,
    "inbox:import_rejected": _import_job,
    "inbox:bulk_job": _bulk_job,
    "inbox:bulk_undo": _bulk_job,
    "channels:channel": _pk(ChannelAccount),
    "channels:pause": _pk(ChannelAccount),
    "channels:resume": _pk(ChannelAccount),
    "channels:reconnect": _pk(ChannelAccount),
    "channels:disconnect": _pk(ChannelAccount),
    "channels:webhook_secret": _pk(ChannelAccount),
    "publishing:post": lambda data: {"pk": data["composed"].pk},
    "publishing:post_edit": lambda data: {"pk": data["composed"].pk},
    "publishing:post_media_delete": lambda data: {
        "pk": data["composed"].pk,
        "media_pk": data["composed"].media.get().pk,
    },
    "publishing:post_review": lambda data: {"pk": data["post"].pk},
    "publishing:post_submit": lambda data: {"pk": data["post"].pk},
    "publishing:post_approve": lambda data: {"pk": data["post"].pk},
    "publishing:post_changes": lambda data: {"pk": data["post"].pk},
    "publishing:post_comment": lambda data: {"pk": data["post"].pk},
    "publishing:approval_link": lambda data: {"token": data["approval_token"]},
    "publishing:idea": _pk(Idea),
    "goals:strategy_edit": lambda data: {"key": "objectives"},
    "goals:strategy_history": lambda data: {"key": "objectives"},
    "goals:objective_edit": _pk(Objective),
    "goals:objective_move": _pk(Objective),
    "goals:objective_remove": _pk(Objective),
    "goals:publication": _pk(Publication),
    "goals:goal": _pk(Goal),
    "goals:goal_edit": _pk(Goal),
    "goals:goal_archive": _pk(Goal),
    "goals:goal_evaluate": _pk(Goal),
    "goals:publication_confirm": _pk(Publication),
    "goals:adoption_department": _pk(Department),
    "goals:dashboard_department": _pk(Department),
    "goals:dashboard_channel": _pk(ChannelAccount),
    "publishing:idea_photo": _pk(IdeaPhoto),
    "publishing:idea_comment": _pk(Idea),
    "publishing:idea_follow": _pk(Idea),
    "publishing:idea_accept": _pk(Idea),
    "publishing:idea_decline": _pk(Idea),
    "publishing:idea_plan": _pk(Idea),
    "publishing:idea_campaign": _pk(Idea),
    "publishing:campaign": _pk(Campaign),
    "publishing:campaign_edit": _pk(Campaign),
    "publishing:campaign_archive": _pk(Campaign),
    "publishing:post_after": _published_post,
    "publishing:post_edit_published": _published_post,
    "publishing:post_delete_published": _published_post,
    "publishing:post_reschedule": lambda data: {"pk": 999999},
    "publishing:post_queue": lambda data: {"pk": 999999},
    "publishing:ical": lambda data: {"secret": "nicht-gueltig"},
    # reports (issue 13 item 6)
    "goals:report_share_revoke": lambda data: {"pk": _first("ReportShare")},
    "goals:report_schedule": lambda data: {"pk": _first("ReportSchedule")},
    "goals:report_schedule_pause": lambda data: {"pk": _first("ReportSchedule")},
    "goals:report_schedule_delete": lambda data: {"pk": _first("ReportSchedule")},
}
# Also opened with these queries, to show the states they lead to.
QUERIES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "publishing:posts": lambda data: ["?status=draft", "?status=published"],
    "feedback:item_new": lambda data: [f"?message={data['items'][3].links.get().message_id}"],
    "feedback:items": lambda data: ["?status=all"],
    "inbox:list": lambda data: ["?needs_reply=1", "?order=waiting"],
    "publishing:ideas": lambda data: ["?status=declined", "?status=published"],
    "publishing:campaigns": lambda data: ["?archived=yes"],
    "goals:strategy_history": lambda data: ["?version=1", "?version=99"],
    "goals:dashboard": lambda data: [
        "?range=last_month&compare=year",
        "?range=custom&since=2025-03-01&until=2025-02-01",
    ],
    "publishing:calendar": lambda data: ["?view=week", "?view=list"],
    "goals:goals": lambda data: ["?archived=1"],
    "goals:goal_new": lambda data: [
        "?template=answer_within_24h",
        "?kpi=first_response_median",
        "?kpi=sentiment_share",
        "?kpi=inbound_volume",
        "?kpi=engagement_per_post",
    ],
    "goals:goal_edit": lambda data: ["?kpi=feedback_deadlines_kept"],
}
for _module in issue14.MODULES:  # issue 14: each work package's pages from its own file
    ARGS.update(getattr(_module, "ARGS", {}))
# Also posted empty, so the field errors are read too.
