"""Inbox KPIs: inbound volume, share needing a reply, the backlog now, sentiment shares."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from socialdesk.channels.selectors import account_ids
from socialdesk.core import figure_cache
from socialdesk.feedback.models import Classification
from socialdesk.feedback.understanding import SENTIMENTS
from socialdesk.goals.kpis.registry import Kpi, Param, Query, Unit, register
from socialdesk.goals.kpis.scoping import (
    CONVERSATION_SCOPES,
    count_conversations,
    inbound_counts,
    inbound_messages,
    narrowed,
)
from socialdesk.inbox import waiting
from socialdesk.inbox.selectors import visibility

FAMILY = "inbox"
CLASSIFICATIONS = "feedback_classification"  # the change log's name (feedback/migrations/0006)


def _volume(query: Query) -> float | None:
    return float(inbound_counts(query)[0])


def _needs_reply_share(query: Query) -> float | None:
    total, needing = inbound_counts(query)
    return needing / total if total else None


def _backlog(query: Query) -> float | None:
    """Conversations whose customer wrote after our last reply and needs one (as the inbox's
    "needs a reply" filter). Read from the count the database keeps (`inbox.waiting`),
    narrowed by the same visibility rule as the conversations; counted from the
    conversations where it cannot answer (narrowed by tags)."""
    scope = query.scope
    if scope.tags:
        return float(count_conversations(scope, waiting_for_us_since__isnull=False))
    return float(
        waiting.count(
            accounts=account_ids(scope.accounts) if scope.accounts else None,
            departments=list(scope.departments) if scope.departments else None,
            visible=None if scope.user is None else visibility(scope.user),
        )
    )


def _sentiment_share(query: Query) -> float | None:
    """Of the period's judged inbound messages, the share with this sentiment (both counted
    in one pass). The period's classifications come from the index `classification_kpi_written`
    alone (a classification carries the time its customer wrote, and its conversation's
    department and assignee: a person's visibility and a department are checked there, see
    `feedback.copies`); narrowed to accounts or tags they are kept to the period's inbound
    messages of the scope's conversations (`inbound_messages`)."""
    judged = Classification.objects.filter(
        written_at__gte=query.start, written_at__lt=query.end
    ).exclude(sentiment="")
    scope = query.scope
    if scope.accounts or scope.tags:
        judged = judged.filter(message__in=inbound_messages(query))
    elif narrowed(scope):  # a person's visibility, departments: the classification's copies
        if scope.user is not None and (rule := visibility(scope.user)) is not None:
            judged = judged.filter(rule)
        if scope.departments:
            judged = judged.filter(department_id__in=scope.departments)

    # Counting a column of the index (never NULL), not the id: the index then answers alone.
    def read() -> tuple[dict[str, int], None]:
        return judged.aggregate(
            total=Count("sentiment"),
            this=Count("sentiment", filter=Q(sentiment=query.params["sentiment"])),
        ), None

    # A past period's counts are kept until a classification in it changes (core.figure_cache);
    # not when narrowed by the messages of accounts or tags, whose changes it does not log.
    where = None
    if not (scope.accounts or scope.tags):
        where = figure_cache.place(
            judged, ("sentiment_share", query.params["sentiment"]), sources=(CLASSIFICATIONS,),
            start=query.start, end=query.end, now=query.now,
        )  # fmt: skip
    counts = figure_cache.kept(where, read)
    return counts["this"] / counts["total"] if counts["total"] else None


register(
    Kpi(
        name="inbound_volume",
        label=_("Inbound messages"),
        description=_("Messages customers wrote in the period."),
        unit=Unit.COUNT,
        scopes=CONVERSATION_SCOPES,
        family=FAMILY,
        compute=_volume,
    )
)
register(
    Kpi(
        name="needs_reply_share",
        label=_("Share of messages needing a reply"),
        description=_(
            "Of the messages customers wrote in the period, the share that needs a reply."
        ),
        unit=Unit.SHARE,
        scopes=CONVERSATION_SCOPES,
        family=FAMILY,
        compute=_needs_reply_share,
    )
)
register(
    Kpi(
        name="backlog_now",
        label=_("Backlog now"),
        description=_(
            "Conversations waiting for our reply at this moment (the customer wrote after our "
            "last reply). A figure of now: it has no history."
        ),
        unit=Unit.COUNT,
        scopes=CONVERSATION_SCOPES,
        family=FAMILY,
        point_in_time=True,
        compute=_backlog,
    )
)
register(
    Kpi(
        name="sentiment_share",
        label=_("Sentiment share"),
        description=_(
            "Of the customers' messages in the period whose sentiment socialdesk judged (or a "
            "person corrected), the share with this sentiment."
        ),
        unit=Unit.SHARE,
        params=(
            Param(
                "sentiment", "choice", "negative", _("negative, neutral or positive"), SENTIMENTS
            ),
        ),
        scopes=CONVERSATION_SCOPES,
        family=FAMILY,
        compute=_sentiment_share,
    )
)
