from __future__ import annotations

from typing import Any

from django import template

from socialdesk.access import user_may
from socialdesk.publishing import after_selectors, after_services
from socialdesk.publishing.after_chart import age_label, chart, figure_label, number
from socialdesk.publishing.metrics import AGES, FIGURES
from socialdesk.publishing.models import Post, TargetState

register = template.Library()

OWN_EVENTS = ("edited_published", "deleted_published", "metrics_set_aside")


@register.inclusion_tag("publishing/post/_after.html", takes_context=True)
def post_after(context: dict[str, Any], post: Post) -> dict[str, Any]:
    """How the post does after it went out: figures over time (chart and table), the replies
    (linked to their conversations), and edit/delete where the networks allow it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    all_series = after_selectors.series(post)
    totals = after_selectors.totals_by_age(all_series)
    rows = []
    for one in all_series:
        for age, reading in one.readings.items():
            if reading is not None:
                figures = [number(getattr(reading, name)) for name in FIGURES]
                rows.append((one.target, age_label(age), reading.taken_at, figures))
    out_on = [t for t in post.targets.select_related("channel") if t.state in
              (TargetState.PUBLISHED, TargetState.DELETED)]  # fmt: skip
    visible = user is not None and user.is_authenticated
    viewer: Any = user
    return {
        "post": post,
        "request": request,
        "published": bool(out_on),
        "targets": out_on,
        "chart": chart(totals),
        "ages": [age_label(age) for age, _o in AGES],
        "figure_names": [figure_label(name) for name in FIGURES],
        "rows": rows,
        "reply_count": after_selectors.replies_for_post(viewer, post).count() if visible else 0,
        "conversations": after_selectors.reply_conversations(viewer, post) if visible else [],
        "may_edit": visible
        and user_may(user, "publishing:post_edit_published")
        and bool(after_services.editable_targets(post)),
        "may_delete": visible
        and user_may(user, "publishing:post_delete_published")
        and bool(after_services.deletable_targets(post)),
        "events": post.events.filter(kind__in=OWN_EVENTS).select_related("actor"),
    }


@register.inclusion_tag("publishing/campaign/_engagement.html", takes_context=True)
def campaign_engagement(context: dict[str, Any], campaign: Any) -> dict[str, Any]:
    """A campaign's summed public figures, on the campaign's page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    totals = (
        after_selectors.campaign_totals(user, campaign)
        if user is not None and user.is_authenticated
        else dict.fromkeys((*FIGURES, "posts"), 0)
    )
    return {
        "campaign": campaign,
        "request": request,
        "figures": [(figure_label(name), number(totals[name])) for name in FIGURES],
        "posts": totals["posts"],
        "any": any(totals[name] for name in FIGURES),
    }
