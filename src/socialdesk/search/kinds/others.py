"""Kinds of feedback, publishing and people."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import User
from socialdesk.core.reversing import page_url
from socialdesk.feedback.models import FeedbackItem
from socialdesk.feedback.selectors import items_for_user
from socialdesk.inbox.selectors import sees_every_conversation
from socialdesk.publishing import selectors as publishing
from socialdesk.publishing.models import Idea, Post
from socialdesk.search.kinds.base import Doc, Ids, Kind, Shown, among, first_line, keys, same


def _build_feedback(ids: Ids) -> list[Doc]:
    rows = FeedbackItem.objects.filter(keys(ids)).order_by().select_related("topic")
    return [
        Doc(
            object_id=i.pk,
            title=i.title,
            body="\n".join([i.description, i.reason, i.topic.name if i.topic else ""]),
            at=i.updated_at,
            author_id=i.created_by_id,
        )
        for i in rows
    ]


def _feedback_rule(user: User) -> Q | None:
    if sees_every_conversation(user):
        return None
    return among("object_id", items_for_user(user))


def _show_feedback(user: User, ids: Ids) -> dict[int, Shown]:
    return {
        i.pk: Shown(i.title, i.description, page_url("feedback:item", i.pk), i.updated_at)
        for i in items_for_user(user).filter(pk__in=ids).order_by()
    }


def _feedback_department(pk: int) -> Q:
    return among("object_id", FeedbackItem.objects.filter(department_id=pk))


def _build_posts(ids: Ids) -> list[Doc]:
    docs = []
    for p in Post.objects.filter(keys(ids)).order_by():
        thread = [t for t in p.thread if isinstance(t, str)] if isinstance(p.thread, list) else []
        docs.append(
            Doc(
                object_id=p.pk,
                title=p.title or first_line(p.text),
                body="\n".join([p.text, *thread, p.content_warning]),
                at=p.published_at or p.scheduled_at or p.created_at,
                language=p.language,
                author_id=p.author_id,
            )
        )
    return docs


def _post_rule(user: User) -> Q | None:
    if publishing.sees_all(user):
        return None
    return among("object_id", publishing.posts_for_user(user))


def _show_posts(user: User, ids: Ids) -> dict[int, Shown]:
    shown = {}
    for p in publishing.posts_for_user(user).filter(pk__in=ids).order_by():
        badges = (str(_("Draft")),) if p.status == "draft" else ()
        at = p.published_at or p.scheduled_at or p.created_at
        shown[p.pk] = Shown(
            p.title or first_line(p.text), p.text, page_url("publishing:post", p.pk), at, badges
        )
    return shown


def _post_channel(pk: int) -> Q:
    return among("object_id", Post.objects.filter(targets__channel_id=pk))


def _build_ideas(ids: Ids) -> list[Doc]:
    return [
        Doc(
            object_id=i.pk,
            title=i.title,
            body="\n".join([i.what_happened, i.why_it_matters, i.people_involved]),
            at=i.updated_at,
            author_id=i.submitted_by_id,
        )
        for i in Idea.objects.filter(keys(ids)).order_by()
    ]


def _idea_rule(user: User) -> Q | None:
    if publishing.sees_all(user):
        return None
    return among("object_id", publishing.ideas_for_user(user))


def _show_ideas(user: User, ids: Ids) -> dict[int, Shown]:
    return {
        i.pk: Shown(i.title, i.what_happened, page_url("publishing:idea", i.pk), i.updated_at)
        for i in publishing.ideas_for_user(user).filter(pk__in=ids).order_by()
    }


def _idea_department(pk: int) -> Q:
    return among("object_id", Idea.objects.filter(department_id=pk))


def _build_people(ids: Ids) -> list[Doc]:
    rows = (
        User.objects.filter(keys(ids))
        .order_by()
        .select_related("site")
        .prefetch_related("departments")
    )
    return [
        Doc(
            object_id=u.pk,
            title=u.full_name,
            body=" ".join(
                [
                    u.email,
                    *(d.name for d in u.departments.all()),
                    u.site.name if u.site else "",
                    str(u.get_role_display()),
                ]
            ),
            at=u.date_joined,
        )
        for u in rows
    ]


def _everyone(user: User) -> Q | None:
    return None


def _show_people(user: User, ids: Ids) -> dict[int, Shown]:
    shown = {}
    for u in User.objects.filter(pk__in=ids).order_by().prefetch_related("departments"):
        badges = () if u.is_active else (str(_("deactivated")),)
        departments = ", ".join(d.name for d in u.departments.all())
        text = " · ".join(x for x in [u.email, departments] if x)
        shown[u.pk] = Shown(
            u.full_name or u.email,
            text,
            page_url("accounts:person_detail", u.pk),
            u.date_joined,
            badges,
        )
    return shown


def _person_department(pk: int) -> Q:
    return among("object_id", User.objects.filter(departments=pk))


FEEDBACK = Kind(
    key="feedback",
    label=_("Feedback"),
    entry_kind="feedback",
    sources={"feedback.item": same},
    build=_build_feedback,
    objects=lambda: FeedbackItem.objects.all(),
    visible=_feedback_rule,
    show=_show_feedback,
    department=_feedback_department,
    has_author=True,
)
POST = Kind(
    key="post",
    label=_("Posts"),
    entry_kind="post",
    sources={"publishing.post": same},
    build=_build_posts,
    objects=lambda: Post.objects.all(),
    visible=_post_rule,
    show=_show_posts,
    channel=_post_channel,
    has_author=True,
)
IDEA = Kind(
    key="idea",
    label=_("Story ideas"),
    entry_kind="idea",
    sources={"publishing.idea": same},
    build=_build_ideas,
    objects=lambda: Idea.objects.all(),
    visible=_idea_rule,
    show=_show_ideas,
    department=_idea_department,
    has_author=True,
)
PERSON = Kind(
    key="person",
    label=_("People"),
    entry_kind="person",
    sources={"accounts.user": same},
    build=_build_people,
    objects=lambda: User.objects.all(),
    visible=_everyone,
    show=_show_people,
    department=_person_department,
)
