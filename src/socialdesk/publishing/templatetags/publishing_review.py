from __future__ import annotations

from typing import Any

from django import template

from socialdesk.access import user_may
from socialdesk.publishing import approvals, post_history, review_forms
from socialdesk.publishing.models import Post, PostStatus

register = template.Library()


@register.inclusion_tag("publishing/post/_review.html", takes_context=True)
def post_review(context: dict[str, Any], post: Post) -> dict[str, Any]:
    """Approvals, comments and the history of a post, on its page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False)
    steps = approvals.needed(post)
    current = next((one for one in steps if not one.done), None)
    in_review = post.status == PostStatus.IN_REVIEW
    _step, waiting_for = approvals.asked_now(post)
    refused = approvals.why_not_approve(user, post) if signed_in else ""
    return {
        "post": post,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "",
        "steps": [
            {
                "who": approvals.describe(one.step),
                "mode": one.step.get_mode_display(),
                "authors_may_approve": one.step.authors_may_approve,
                "approved_by": one.approved_by,
                "awaited": one.awaited if in_review else [],
                "done": one.done,
                "current": in_review and one is current,
            }
            for one in steps
        ],
        "waiting_for": waiting_for if not steps else [],
        "approved_fully": approvals.approved_fully(post),
        # a draft is approved only from the command line (`posts add --approve`); here it is
        # sent for review first
        "may_approve": signed_in
        and in_review
        and refused is None
        and user_may(user, "publishing:post_approve"),
        "why_not": refused if in_review else "",
        "may_request_changes": signed_in
        and approvals.may_request_changes(user, post)
        and user_may(user, "publishing:post_changes"),
        "may_submit": signed_in
        and post.status == PostStatus.DRAFT
        and user_may(user, "publishing:post_submit"),
        "may_comment": signed_in and user_may(user, "publishing:post_comment"),
        "comments": list(post.comments.select_related("author")),
        "history": post_history.history(post),
        "comment_max": review_forms.COMMENT_MAX,
    }
