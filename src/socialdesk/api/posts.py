"""REST API v1, posts: write, review, schedule and publish posts, and read their figures.

Every read goes through `publishing.selectors` (a department member sees only the posts they
wrote or that are sent to them: any other id is a 404), every write through
`publishing.services`. Who may call what is `access.API`; approving is checked per post too.
Wrong input is a 422 with `errors` per field, and nothing is saved when anything is wrong.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from socialdesk.accounts.models import Role, User
from socialdesk.api import post_checks as checks
from socialdesk.api import post_out
from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id
from socialdesk.api.post_schemas import (
    ERRORS,
    ChangesIn,
    CommentIn,
    MetricsOut,
    PostChangeOut,
    PostFilters,
    PostIn,
    PostOut,
    PostPage,
    PostPatch,
    ScheduleIn,
)
from socialdesk.core.http import ApiRequest
from socialdesk.publishing import services
from socialdesk.publishing.models import Post, PostStatus
from socialdesk.publishing.selectors import post_for_user, posts_for_user, steps_for_user

router = Router(tags=["posts"])

BACK_TO_REVIEW = (PostStatus.APPROVED, PostStatus.SCHEDULED)


def _post(request: ApiRequest, post_id: int) -> Post:
    return post_for_user(request.auth, post_id)


def _changed(request: ApiRequest, post_id: int, before: str) -> PostChangeOut:
    post = _post(request, post_id)
    back = before in BACK_TO_REVIEW and post.status == PostStatus.IN_REVIEW
    notice = _("The post had been approved; this change sends it back to review.") if back else ""
    return PostChangeOut(**post_out.detail(post).model_dump(), back_to_review=back, notice=notice)


def may_approve(user: User, post: Post) -> bool:
    """Managers and admins approve; anyone else only a post an approval step sends to them
    (by name or through their department), for one of its channels or its campaign."""
    if user.role in (Role.ADMIN, Role.MANAGER):
        return True
    asked = Q(channel__in=post.targets.values("channel"))
    if post.campaign_id is not None:
        asked |= Q(campaign_id=post.campaign_id)
    return steps_for_user(user).filter(asked).exists()


@router.get(
    "",
    response={200: PostPage, **ERRORS},
    summary="List posts",
    **allow("list_posts"),
)
def list_posts(request: ApiRequest, filters: Query[PostFilters]) -> Any:
    """The posts the caller may see, newest first, a page at a time. Filter by `status`,
    `campaign` (id), `channel` (id) and the time they are planned for: `from` and `to` are ISO
    8601 times with offset (`from` included, `to` excluded). A department member sees only
    the posts they wrote or that an approval step sends to them."""
    status, campaign, channel = filters.status, filters.campaign, filters.channel
    since, until, page, per_page = filters.since, filters.until, filters.page, filters.per_page
    posts = posts_for_user(request.auth)
    if status is not None:
        posts = posts.filter(status=status)
    if campaign is not None:
        posts = posts.filter(campaign_id=campaign)
    if channel is not None:
        posts = posts.filter(targets__channel_id=channel)
    if since is not None:
        posts = posts.filter(scheduled_at__gte=since)
    if until is not None:
        posts = posts.filter(scheduled_at__lt=until)
    posts = posts.distinct().order_by("-created_at", "-pk")
    start = (page - 1) * per_page
    items = [post_out.summary(p) for p in post_out.for_list(posts[start : start + per_page])]
    return PostPage(count=posts.count(), page=page, per_page=per_page, items=items)


@router.get(
    "/{post_id}",
    response={200: PostOut, **ERRORS},
    summary="One post",
    **allow("get_post"),
)
def get_post(request: ApiRequest, post_id: Id) -> Any:
    """The post with, per channel, its state, address, remote id, error and parts; its images
    (count, how many lack alt text, each alt text) and the approvals given."""
    return post_out.detail(_post(request, post_id))


@router.post(
    "",
    response={201: PostOut, **ERRORS},
    summary="Write a post",
    **allow("create_post"),
)
def create_post(request: ApiRequest, payload: PostIn) -> Any:
    """A new draft for one or more channels that can publish (Mastodon, Bluesky). `variants`
    give a channel its own text; `images` are base64 files with their alt text, checked,
    re-encoded without metadata and shrunk to fit every chosen network. Each part is checked
    against each network's length. Any wrong field: 422 naming every wrong field, nothing
    saved."""
    check = checks.Checked()
    user = request.auth
    chosen = checks.channels(check, payload.channel_ids)
    own = checks.variants(check, payload.variants, chosen)
    if not payload.text.strip():
        check.refuse("text", _("Write the text of the post."))
    main = [payload.text, *payload.thread]
    index = {v.channel_id: i for i, v in enumerate(payload.variants)}
    checks.lengths(check, chosen, main, own, index)
    campaign = checks.campaign(check, user, payload.campaign_id)
    idea = checks.idea(check, user, payload.idea_id)
    checks.language(check, payload.language)
    checks.link(check, payload.link_url)
    parts = max([len(main), *(len(p) for p in own.values())])
    images = checks.images(check, payload.images, chosen, parts)
    check.raise_if_wrong()
    by = acting(request)
    with transaction.atomic():  # the post and its images, or nothing
        post = services.post_create(
            by=by, text=payload.text, channels=chosen, thread=payload.thread,
            variants=dict(own), campaign=campaign, idea=idea,
            scheduled_at=payload.scheduled_at, title=payload.title, language=payload.language,
            content_warning=payload.content_warning, visibility=payload.visibility.value,
            link_url=payload.link_url,
        )  # fmt: skip
        for image in images:
            services.post_add_image(
                by=by, post=post, image=image.prepared, alt_text=image.alt_text,
                part=image.part, filename=image.filename,
            )  # fmt: skip
    return Status(201, post_out.detail(_post(request, post.pk)))


def _patched_fields(check: checks.Checked, user: User, payload: PostPatch) -> dict[str, Any]:
    """The post's own fields a PATCH gives, checked (`None` clears a time, campaign, idea)."""
    given = payload.model_fields_set
    fields: dict[str, Any] = {}
    for name in ("title", "content_warning"):
        if name in given and getattr(payload, name) is not None:
            fields[name] = getattr(payload, name)
    if "text" in given:
        if payload.text is None or not payload.text.strip():
            check.refuse("text", _("Write the text of the post."))
        else:
            fields["text"] = payload.text
    if "thread" in given:
        fields["thread"] = list(payload.thread or [])
    if "scheduled_at" in given:
        fields["scheduled_at"] = payload.scheduled_at
    if "visibility" in given and payload.visibility is not None:
        fields["visibility"] = payload.visibility.value
    if "language" in given:
        fields["language"] = checks.language(check, payload.language or "")
    if "link_url" in given:
        fields["link_url"] = checks.link(check, payload.link_url or "")
    if "campaign_id" in given:
        fields["campaign"] = checks.campaign(check, user, payload.campaign_id)
    if "idea_id" in given:
        fields["idea"] = checks.idea(check, user, payload.idea_id)
    return fields


@router.patch(
    "/{post_id}",
    response={200: PostChangeOut, **ERRORS},
    summary="Change a post",
    **allow("update_post"),
)
def update_post(request: ApiRequest, post_id: Id, payload: PostPatch) -> Any:
    """Change the fields given while the post has not gone out; add `images`, set `alt_texts`
    of its images, remove `remove_image_ids`. A change of text, thread, channels, variants,
    images, time, content warning or link after an approval sends the post back to review:
    the answer says so (`back_to_review`, `notice`). Any wrong field: nothing changes."""
    post = _post(request, post_id)
    check = checks.Checked()
    fields = _patched_fields(check, request.auth, payload)
    current = [t.channel for t in post.targets.select_related("channel")]
    chosen = current
    if payload.channel_ids is not None:
        chosen = checks.channels(check, payload.channel_ids)
    variants: dict[int, list[str] | None] | None = None
    main = [fields.get("text", post.text), *fields.get("thread", post.thread or [])]
    index: dict[int, int] = {}
    own: dict[int, list[str]] = {
        t.channel_id: list(t.parts.values_list("text", flat=True))
        for t in post.targets.filter(customised=True)
    }
    if payload.variants is not None:
        own = checks.variants(check, payload.variants, chosen)
        index = {v.channel_id: i for i, v in enumerate(payload.variants)}
        variants = {c.pk: own.get(c.pk) for c in chosen}
    checks.lengths(check, chosen, main, own, index)
    parts = max([len(main), *(len(p) for p in own.values())])
    kept = post.media.exclude(pk__in=payload.remove_image_ids).values_list("part", flat=True)
    existing = {part: list(kept).count(part) for part in set(kept)}
    images = checks.images(check, payload.images, chosen, parts, existing)
    alt_texts, remove = checks.own_images(check, post, payload.alt_texts, payload.remove_image_ids)
    check.raise_if_wrong()
    by = acting(request)
    before = post.status
    with transaction.atomic():  # every change, or none
        services.post_update(
            by=by,
            post=post,
            channels=chosen if payload.channel_ids is not None else None,
            variants=variants,  # type: ignore[arg-type]
            **fields,
        )
        if alt_texts or remove:
            services.post_change_images(by=by, post=post, alt_texts=alt_texts, remove=remove)
        for image in images:
            services.post_add_image(
                by=by, post=post, image=image.prepared, alt_text=image.alt_text,
                part=image.part, filename=image.filename,
            )  # fmt: skip
    return _changed(request, post_id, before)


@router.post(
    "/{post_id}/submit",
    response={200: PostOut, **ERRORS},
    summary="Send a draft for review",
    **allow("submit_post"),
)
def submit_post(request: ApiRequest, post_id: Id) -> Any:
    """A draft goes to review (draft → in review)."""
    post = _post(request, post_id)
    services.post_submit(by=acting(request), post=post)
    return post_out.detail(_post(request, post_id))


@router.post(
    "/{post_id}/approve",
    response={200: PostOut, **ERRORS},
    summary="Approve a post",
    **allow("approve_post"),
)
def approve_post(request: ApiRequest, post_id: Id, payload: CommentIn | None = None) -> Any:
    """Approve the post's current version. Managers and admins may; anyone else only when an
    approval step sends the post to them (403 otherwise). Every image needs alt text first
    (422, field `alt_text`). With every approval it needs, the post is approved, and
    scheduled when it has a time."""
    post = _post(request, post_id)
    if not may_approve(request.auth, post):
        raise HttpError(403, _("This post is not sent to you for approval."))
    services.check_alt_texts(post)
    comment = payload.comment if payload is not None else ""
    services.post_approve(by=acting(request), post=post, comment=comment)
    return post_out.detail(_post(request, post_id))


@router.post(
    "/{post_id}/request-changes",
    response={200: PostOut, **ERRORS},
    summary="Ask for changes",
    **allow("request_changes"),
)
def request_changes(request: ApiRequest, payload: ChangesIn, post_id: Id) -> Any:
    """Send the post back to its author as a draft, with a comment saying what should change
    (who may: as for approving)."""
    post = _post(request, post_id)
    if not may_approve(request.auth, post):
        raise HttpError(403, _("This post is not sent to you for approval."))
    services.post_request_changes(by=acting(request), post=post, comment=payload.comment)
    return post_out.detail(_post(request, post_id))


@router.post(
    "/{post_id}/schedule",
    response={200: PostChangeOut, **ERRORS},
    summary="Set the time of a post",
    **allow("schedule_post"),
)
def schedule_post(request: ApiRequest, payload: ScheduleIn, post_id: Id) -> Any:
    """Set when the post goes out (ISO 8601 with offset, not in the past). An approved post is
    then scheduled; moving the time a post was approved with sends it back to review."""
    post = _post(request, post_id)
    before = post.status
    services.post_schedule(by=acting(request), post=post, at=payload.scheduled_at)
    return _changed(request, post_id, before)


@router.post(
    "/{post_id}/publish-now",
    response={200: PostOut, **ERRORS},
    summary="Publish an approved post now",
    **allow("publish_now"),
)
def publish_now(request: ApiRequest, post_id: Id) -> Any:
    """An approved or scheduled post goes out at once (the worker takes it within seconds)."""
    post = _post(request, post_id)
    services.post_publish_now(by=acting(request), post=post)
    return post_out.detail(_post(request, post_id))


@router.get(
    "/{post_id}/metrics",
    response={200: MetricsOut, **ERRORS},
    summary="Figures of a published post",
    **allow("post_metrics"),
)
def post_metrics(request: ApiRequest, post_id: Id) -> Any:
    """Per channel the public figures (likes, reposts, replies, quotes) read back 1 h, 6 h,
    24 h, 72 h and 7 days after publishing, the latest of each, and their totals."""
    return post_out.metrics(_post(request, post_id))
