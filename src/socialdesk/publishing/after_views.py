"""After publishing: the post's figures and replies, edit it on Mastodon, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.publishing import after_services
from socialdesk.publishing.after_forms import DeletePublishedForm, EditPublishedForm
from socialdesk.publishing.after_selectors import post_url
from socialdesk.publishing.selectors import post_for_user


@require_GET
def post_after(request: AppRequest, pk: int) -> HttpResponse:
    """How the post does: its figures over time, the replies, edit and delete."""
    post = post_for_user(request.user, pk)
    return render(request, "publishing/post/after_page.html", {"post": post})


@require_http_methods(["GET", "POST"])
def post_edit_published(request: AppRequest, pk: int) -> HttpResponse:
    post = post_for_user(request.user, pk)
    targets = after_services.editable_targets(post)
    first = targets[0] if targets else None
    part = first.parts.filter(position=0).first() if first else None
    initial = {
        "target": first.pk if first else None,
        "text": part.text if part else post.text,
        "content_warning": (part.meta or {}).get("content_warning", post.content_warning)
        if part
        else post.content_warning,
    }
    form = EditPublishedForm(request.POST or None, initial=initial, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            after_services.post_edit_published(
                by=acting(request), post=post, target=form.cleaned_data["target"],
                text=form.cleaned_data["text"],
                content_warning=form.cleaned_data["content_warning"],
            )  # fmt: skip
        except ValidationError as error:
            for name, errors in (
                error.message_dict.items()
                if hasattr(error, "error_dict")
                else [(None, error.messages)]
            ):
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The post is changed on the network."))
            return redirect(post_url(post))
    return render(
        request,
        "publishing/post/edit_published.html",
        {"post": post, "form": form, "targets": targets},
    )


@require_http_methods(["GET", "POST"])
def post_delete_published(request: AppRequest, pk: int) -> HttpResponse:
    """A confirmation page naming the networks; deleting needs a POST of that page."""
    post = post_for_user(request.user, pk)
    targets = after_services.deletable_targets(post)
    wanted = request.GET.get("target", "")
    chosen = [t.pk for t in targets if not wanted or str(t.pk) == wanted]
    form = DeletePublishedForm(request.POST or None, initial={"targets": chosen}, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            result = after_services.post_delete_published(
                by=acting(request), post=post, targets=form.cleaned_data["targets"]
            )
        except ValidationError as error:
            form.add_error("targets", error.messages)
        else:
            if result.deleted:
                names = ", ".join(str(t.channel) for t in result.deleted)
                messages.success(request, _("Deleted from %(channels)s.") % {"channels": names})
            for target, reason in result.failed:
                messages.error(
                    request,
                    _("%(channel)s did not delete the post: %(error)s")
                    % {"channel": target.channel, "error": reason},
                )
            return redirect(post_url(post))
    return render(
        request,
        "publishing/post/delete_published.html",
        {"post": post, "form": form, "targets": targets},
    )
