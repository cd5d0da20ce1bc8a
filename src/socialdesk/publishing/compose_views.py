"""The composer (new post, edit post, remove an image), a post's page and the list of posts."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import CONNECTORS, Capability, supports
from socialdesk.core.http import AppRequest
from socialdesk.core.params import id_param
from socialdesk.inbox.selectors import day_bounds
from socialdesk.insights.language import guess_language
from socialdesk.publishing import compose_services, rules, selectors, services
from socialdesk.publishing.compose_forms import NEW_IMAGES, ComposeForm, MediaDeleteForm
from socialdesk.publishing.models import (
    EDITABLE,
    Idea,
    Post,
    PostMedia,
    PostStatus,
    PostTarget,
    TargetState,
)

LIST_SIZE = 200


def _options(post: Post | None) -> QuerySet[ChannelAccount]:
    """Channels a post can go out on (connected, their connector publishes), and the post's
    own channels (also one that has been disconnected since: the rules then say so)."""
    networks = [n for n in CONNECTORS if supports(n, Capability.PUBLISH)]
    usable = Q(network__in=networks, disconnected_at__isnull=True) & ~Q(handle="")
    if post is not None:
        usable |= Q(pk__in=post.targets.values("channel_id"))
    return ChannelAccount.objects.filter(usable).order_by("network", "handle")


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for m in v] for k, v in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def _state(
    request: AppRequest,
    post: Post | None,
    channels: list[ChannelAccount],
    initial_text: str = "",
    extra: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """What the composer shows: the main parts, the chosen channels and each one's variant
    (from the form as posted, else from the post)."""
    if request.method == "POST":
        main = [request.POST.get("text", ""), *request.POST.getlist("thread")]
        chosen = {id_param(v) for v in request.POST.getlist("channels")}
        variants = {
            c.pk: {
                "customised": request.POST.get(f"customise_{c.pk}") == "on",
                "parts": request.POST.getlist(f"variant_{c.pk}"),
            }
            for c in channels
        }
    elif post is not None:
        main = services.texts(post)
        targets = {t.channel_id: t for t in post.targets.prefetch_related("parts")}
        chosen = set(targets)
        variants = {
            pk: {"customised": t.customised, "parts": [p.text for p in t.parts.all()]}
            for pk, t in targets.items()
        }
    else:
        main, variants = [initial_text], {}
        chosen = {channels[0].pk} if len(channels) == 1 else set()
    rows = []
    for channel in channels:
        own = variants.get(channel.pk) or {"customised": False, "parts": []}
        rows.append(
            {
                "channel": channel,
                "checked": channel.pk in chosen,
                "customised": own["customised"],
                "parts": own["parts"] if own["customised"] and own["parts"] else main,
                "errors": (extra or {}).get(f"variant_{channel.pk}", []),
            }
        )
    return {"main": main, "later": main[1:], "channels": rows}


def _media(post: Post | None) -> list[dict[str, Any]]:
    if post is None:
        return []
    return [
        {"media": m, "src": f"data:{m.mime};base64,{base64.b64encode(bytes(m.content)).decode()}"}
        for m in post.media.all()
    ]


def _render(
    request: AppRequest,
    form: ComposeForm,
    post: Post | None,
    idea: Idea | None,
    channels: list[ChannelAccount],
    initial_text: str = "",
) -> HttpResponse:
    images = _media(post)
    for item in images:
        item["field"] = form[f"alt_{item['media'].pk}"]
        item["errors"] = form.extra_errors.get(f"image_{item['media'].pk}", [])
    return render(
        request,
        "publishing/compose/form.html",
        {
            "form": form,
            "post": post,
            "idea": idea,
            "state": _state(request, post, channels, initial_text, form.extra_errors),
            "campaigns": selectors.campaigns_for_user(request.user).filter(
                archived_at__isnull=True
            ),
            "campaign_id": _campaign_id(form),
            "images": images,
            "slots": [
                (form[f"image_new_{i}"], form[f"alt_new_{i}"], form[f"part_new_{i}"])
                for i in range(NEW_IMAGES)
            ],
            "extra": form.extra_errors,
            "summary": form.all_errors() if form.is_bound else [],
            "client_rules": rules.client_rules(channels),
        },
    )


def _campaign_id(form: ComposeForm) -> int | None:
    if form.is_bound:
        return id_param(form.data.get("campaign"))
    value = form.initial.get("campaign")
    return value if isinstance(value, int) else None


def _save(
    request: AppRequest, form: ComposeForm, post: Post | None, idea: Idea | None
) -> Post | None:
    if not form.valid():
        return None
    try:
        saved, warning = compose_services.post_compose(
            by=acting(request), post=post, data=form.composed(idea)
        )
    except ValidationError as error:
        form.add_errors(_errors(error))
        return None
    if warning:
        messages.warning(request, warning)
    if saved.status == PostStatus.IN_REVIEW and form.cleaned_data.get("action") == "submit":
        messages.success(request, _("The post is saved and sent for review."))
    else:
        messages.success(request, _("The post is saved as a draft."))
    return saved


@require_http_methods(["GET", "POST"])
def post_new(request: AppRequest) -> HttpResponse:
    """Write a new post, optionally from a story idea (`?idea=<id>`)."""
    idea_id = id_param(request.GET.get("idea") or request.POST.get("idea"))
    idea = selectors.idea_for_user(request.user, idea_id) if idea_id is not None else None
    channels = list(_options(None))
    initial_text = ""
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, channels=_options(None))
        saved = _save(request, form, None, idea)
        if saved is not None:
            return redirect("publishing:post", saved.pk)
    else:
        initial: dict[str, Any] = {}
        if idea is not None:
            initial_text = "\n\n".join(t for t in (idea.what_happened, idea.why_it_matters) if t)
            initial = {
                "title": idea.title,
                "campaign": idea.campaign_id,
                "language": guess_language(initial_text),
            }
        form = ComposeForm(initial=initial, channels=_options(None))
    return _render(request, form, None, idea, channels, initial_text)


@require_http_methods(["GET", "POST"])
def post_edit(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    if post.status not in EDITABLE:
        messages.error(request, _("This post is already on its way; it can no longer be changed."))
        return redirect("publishing:post", post.pk)
    channels = list(_options(post))
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, channels=_options(post), post=post)
        saved = _save(request, form, post, post.idea)
        if saved is not None:
            return redirect("publishing:post", saved.pk)
    else:
        initial = {
            "title": post.title,
            "text": post.text,
            "content_warning": post.content_warning,
            "language": post.language,
            "visibility": post.visibility,
            "link_url": post.link_url,
            "campaign": post.campaign_id,
            "scheduled_at": post.scheduled_at,
            **{f"alt_{m.pk}": m.alt_text for m in post.media.all()},
        }
        form = ComposeForm(initial=initial, channels=_options(post), post=post)
    return _render(request, form, post, post.idea, channels)


@require_POST
def post_media_delete(request: AppRequest, pk: int, media_pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    media = get_object_or_404(PostMedia, pk=media_pk, post=post)
    MediaDeleteForm(request.POST).is_valid()
    try:
        compose_services.post_media_delete(by=acting(request), media=media)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("publishing:post", post.pk)
    messages.success(request, _("The image is removed."))
    return redirect("publishing:post_edit", post.pk)


def post(request: AppRequest, pk: int) -> HttpResponse:
    """A post: its state, and how each part will look on each network."""
    found = selectors.post_for_user(request.user, pk)
    media = _media(found)
    previews = []
    for target in found.targets.select_related("channel").prefetch_related("parts"):
        parts = [
            {"text": p.text, "images": [m for m in media if m["media"].part == p.position]}
            for p in target.parts.all()
        ]
        previews.append({"target": target, "parts": parts, "network": target.channel.network})
    return render(
        request,
        "publishing/compose/post.html",
        {
            "post": found,
            "previews": previews,
            "editable": found.status in EDITABLE,
            "card_src": _card_src(found.link_card),
        },
    )


def _card_src(card: dict[str, Any]) -> str:
    if (
        not card
        or not card.get("thumb")
        or not str(card.get("thumb_mime", "")).startswith("image/")
    ):
        return ""
    return f"data:{card['thumb_mime']};base64,{card['thumb']}"


FAILED_ANY = "failed_any"  # failed everywhere or on some channels (the dashboards' link)


def _drilled(found: QuerySet[Post], get: QueryDict, failed: bool) -> QuerySet[Post]:
    """The dashboards' drill-down: posts gone out in `since`…`until` (on `account`), or with
    `status=failed_any&account=` those that failed on that channel."""
    account = id_param(get.get("account"))
    start, end = day_bounds(get.get("since", ""), get.get("until", ""))
    if account is None and start is None and end is None:
        return found
    targets = PostTarget.objects.all()
    if account is not None:
        targets = targets.filter(channel_id=account)
    if failed:
        targets = targets.filter(state=TargetState.FAILED)
    if start is not None:
        targets = targets.filter(published_at__gte=start)
    if end is not None:
        targets = targets.filter(published_at__lt=end)
    return found.filter(pk__in=targets.values("post_id"))


def posts(request: AppRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = selectors.posts_for_user(request.user).prefetch_related("targets__channel")
    if status in PostStatus.values:
        found = found.filter(status=status)
    elif status == FAILED_ANY:
        found = found.filter(status__in=[PostStatus.FAILED, PostStatus.PARTLY_PUBLISHED])
    else:
        status = ""
    found = _drilled(found, request.GET, status == FAILED_ANY)
    campaigns = selectors.campaigns_for_user(request.user).filter(archived_at=None)
    campaign = id_param(request.GET.get("campaign"))
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    return render(
        request,
        "publishing/compose/posts.html",
        {
            "posts": found[:LIST_SIZE],
            "statuses": PostStatus.choices,
            "status": status,
            "campaigns": campaigns,
            "campaign": campaign,
        },
    )
