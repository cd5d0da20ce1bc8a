"""Bulk actions over many conversations, each one undoable for a few seconds.

A bulk job changes the conversations of a selection (ids picked in the list) or of everything
a filter matches, always through `conversations_for_user` of the person who started it: a
conversation the person cannot see is never touched. Work goes in chunks, one transaction
each: the state before of every conversation that changes is kept in a `BulkChange`, the
change is written with a few set-wise statements, and the SLA clocks of the chunk are
refreshed through one `conversations_changed` signal. The job is audited once, with the count.
Undo puts back exactly the recorded states (status and the status events the job wrote,
assignee, department, the tag, the needs-reply overrides of the customer's messages).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, Role, User
from socialdesk.core import changes as core_changes
from socialdesk.core.db import insert_rows, update_rows
from socialdesk.inbox import event_data, selectors
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.job_models import BulkChange, BulkJob
from socialdesk.inbox.models import Conversation, ConversationEvent, Direction, Message, Status, Tag
from socialdesk.inbox.signals import conversations_changed

logger = logging.getLogger(__name__)

CHUNK = 2000
"""Conversations per transaction (and per signal to the SLA clocks)."""
BACKGROUND_FROM = 200
"""Selections larger than this run in the background with a progress display."""
UNDO_SECONDS = 30
"""How long after a job finished it may be undone (the page offers it for 10 s)."""
MAX_PICKED = 1000
"""At most this many ids picked by hand; larger selections are "all matching"."""

Action = BulkJob.Action
State = BulkJob.State
TAG = Conversation.tags.through


def bulk_start(
    *,
    by: Acting,
    action: str,
    conversation_ids: Sequence[int] = (),
    filters: selectors.InboxFilters | None = None,
    assignee: User | None = None,
    department: Department | None = None,
    tag: str = "",
) -> BulkJob:
    """Record a bulk job; small selections run now, "all matching" in the background."""
    user = by.user
    if user is None:
        raise ValidationError(_("Only a signed-in person can change conversations in bulk."))
    if action not in Action.values:
        raise ValidationError({"action": _("Choose what to do with the selection.")})
    if assignee is not None and (not assignee.is_active or assignee.role == Role.VIEWER):
        raise ValidationError({"assignee": _("This person cannot work on conversations.")})
    params: dict[str, Any] = {}
    if action == Action.ASSIGN:
        params["assignee"] = assignee.pk if assignee else None
    elif action == Action.DEPARTMENT:
        params["department"] = department.pk if department else None
    elif action in (Action.TAG_ADD, Action.TAG_REMOVE):
        name = tag.strip()[:60]
        if not name:
            raise ValidationError({"tag": _("Name the tag.")})
        if action == Action.TAG_ADD:
            params["tag"] = Tag.objects.get_or_create(name=name)[0].pk
        else:
            found = Tag.objects.filter(name=name).first()
            if found is None:
                raise ValidationError({"tag": _("There is no tag “%(name)s”.") % {"name": name}})
            params["tag"] = found.pk
    if filters is None:
        picked = sorted({int(i) for i in conversation_ids})[:MAX_PICKED]
        if not picked:
            raise ValidationError(_("Select at least one conversation."))
        visible = list(
            selectors.conversations_for_user(user)
            .filter(pk__in=picked)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not visible:
            raise ValidationError(_("Select at least one conversation."))
        total = len(visible)
    else:
        visible = []
        try:
            total = selectors.inbox_list(user, filters).count()
        except selectors.TextQueryError as error:
            raise ValidationError({"q": error.message}) from None
        if not total:
            raise ValidationError(_("No conversation matches this filter."))
    job = BulkJob.objects.create(
        created_by=user,
        actor_ip=by.ip,
        actor_token=by.token[:80],
        action=action,
        params=params,
        conversation_ids=visible,
        filters=filters.stored() if filters is not None else None,
        total=total,
    )
    if total > BACKGROUND_FROM:
        transaction.on_commit(lambda: _enqueue(run=True, job_id=job.pk))
        return job
    return bulk_run(job.pk)


def _enqueue(*, run: bool, job_id: int) -> None:
    from socialdesk.inbox.tasks import run_bulk_job, undo_bulk_job

    (run_bulk_job if run else undo_bulk_job).enqueue(job_id)


def _selection(job: BulkJob, user: User) -> list[int]:
    """The ids the job works on, re-read through the person's visibility at run time."""
    visible = selectors.conversations_for_user(user)
    if job.filters is None:
        visible = visible.filter(pk__in=job.conversation_ids)
    else:
        known = set(selectors.InboxFilters().stored())
        filters = selectors.InboxFilters(
            **{k: str(v) for k, v in job.filters.items() if k in known}
        )
        visible = selectors.inbox_list(user, filters)
    return list(visible.order_by("pk").values_list("pk", flat=True).distinct())


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def bulk_run(job_id: int) -> BulkJob:
    """Apply a queued job chunk by chunk; progress is stored after each chunk."""
    job = BulkJob.objects.select_related("created_by").get(pk=job_id)
    if job.state != State.QUEUED:
        return job
    user = job.created_by
    if user is None or not user.is_active:
        BulkJob.objects.filter(pk=job.pk).update(state=State.FAILED, finished_at=timezone.now())
        job.refresh_from_db()
        return job
    by = Acting(user=user, ip=job.actor_ip, token=job.actor_token)
    ids = _selection(job, user)
    now = timezone.now()
    BulkJob.objects.filter(pk=job.pk).update(
        state=State.RUNNING, total=len(ids), done=0, applied_at=now
    )
    job.applied_at = now
    apply = _APPLY[job.action]
    try:
        for chunk in _chunks(ids):
            with transaction.atomic():
                before = _states(job, chunk)
                changed = apply(job, chunk, by)
                BulkJob.objects.filter(pk=job.pk).update(
                    done=F("done") + len(chunk), changed=F("changed") + len(changed)
                )
                event_data.announce_moves({pk: before[pk] for pk in changed if pk in before}, by=by)
                _signal(changed)
    except Exception as error:
        logger.exception("bulk job %s failed", job.pk)
        BulkJob.objects.filter(pk=job.pk).update(
            state=State.FAILED, error=str(error)[:1000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        job.refresh_from_db()
        job.state, job.finished_at = State.DONE, timezone.now()
        job.save(update_fields=["state", "finished_at"])
        record(
            by,
            "conversation.bulk_changed",
            job,
            after={"action": job.action, "count": job.changed, "selected": job.total},
            object_repr=f"bulk job #{job.pk}",
        )
    return job


def bulk_undoable(job: BulkJob, now: datetime | None = None) -> bool:
    """Whether the job may still be undone (finished a few seconds ago and not undone)."""
    now = now or timezone.now()
    return (
        job.state == State.DONE
        and job.finished_at is not None
        and now - job.finished_at <= timedelta(seconds=UNDO_SECONDS)
    )


def bulk_undo(*, by: Acting, job: BulkJob) -> BulkJob:
    """Put back the state before of every conversation the job changed."""
    if not bulk_undoable(job):
        raise ValidationError(_("This bulk action can no longer be undone."))
    claimed = BulkJob.objects.filter(pk=job.pk, state=State.DONE).update(
        state=State.UNDOING, done=0, actor_ip=by.ip, actor_token=by.token[:80]
    )
    if not claimed:
        raise ValidationError(_("This bulk action can no longer be undone."))
    if job.changed > BACKGROUND_FROM:
        transaction.on_commit(lambda: _enqueue(run=False, job_id=job.pk))
        job.refresh_from_db()
        return job
    return bulk_undo_run(job.pk, by=by)


def bulk_undo_run(job_id: int, *, by: Acting | None = None) -> BulkJob:
    """Restore chunk by chunk what a job changed (the job is in the state "undoing")."""
    job = BulkJob.objects.select_related("created_by").get(pk=job_id)
    if job.state != State.UNDOING:
        return job
    by = by or Acting(user=job.created_by, ip=job.actor_ip, token=job.actor_token)
    restore = _RESTORE[job.action]
    last = 0
    while True:
        with transaction.atomic():
            changes = list(
                BulkChange.objects.filter(job=job, pk__gt=last)
                .order_by("pk")
                .values_list("pk", "conversation_id", "before")[:CHUNK]
            )
            if not changes:
                break
            last = changes[-1][0]
            rows = [(conversation_id, before) for _pk, conversation_id, before in changes]
            states = _states(job, [conversation_id for conversation_id, _before in rows])
            restore(job, rows)
            BulkJob.objects.filter(pk=job.pk).update(done=F("done") + len(rows))
            event_data.announce_moves(states, by=by)
            _signal([conversation_id for conversation_id, _before in rows])
    with transaction.atomic():
        job.refresh_from_db()
        job.state, job.finished_at = State.UNDONE, timezone.now()
        job.save(update_fields=["state", "finished_at"])
        record(
            by,
            "conversation.bulk_undone",
            job,
            after={"action": job.action, "count": job.changed},
            object_repr=f"bulk job #{job.pk}",
        )
    return job


def _states(job: BulkJob, ids: list[int]) -> dict[int, event_data.State]:
    """Status and assignment before a chunk changes, for the events (other tools listening)."""
    moves = (Action.RESOLVE, Action.REOPEN, Action.ASSIGN, Action.DEPARTMENT)
    return event_data.states(ids) if job.action in moves else {}


def _signal(conversation_ids: list[int]) -> None:
    """One signal for the whole chunk: the SLA app recomputes these clocks together."""
    if conversation_ids:
        conversations_changed.send(sender=Conversation, conversation_ids=conversation_ids)


def _keep(job: BulkJob, befores: dict[int, dict[str, Any]]) -> list[int]:
    insert_rows(
        BulkChange,
        ["job", "conversation", "before"],
        [[job.pk, pk, before] for pk, before in befores.items()],
    )
    return list(befores)


def _status_target(job: BulkJob) -> str:
    return Status.RESOLVED if job.action == Action.RESOLVE else Status.OPEN


def _apply_status(job: BulkJob, ids: list[int], by: Acting) -> list[int]:
    target = _status_target(job)
    now = job.applied_at or timezone.now()
    rows = list(
        Conversation.objects.filter(pk__in=ids)
        .exclude(status=target)
        .order_by("pk")  # the chunk's order, whatever order conversations have
        .values_list("pk", "status", "resolved_at")
    )
    if not rows:
        return []
    befores = {
        pk: {"status": status, "resolved_at": at.isoformat() if at else None}
        for pk, status, at in rows
    }
    user_id = by.user.pk if by.user else None
    insert_rows(
        ConversationEvent,
        ["conversation", "at", "old_status", "new_status", "actor"],
        [[pk, now, status, target, user_id] for pk, status, _at in rows],
    )
    Conversation.objects.filter(pk__in=list(befores)).update(
        status=target, resolved_at=now if target == Status.RESOLVED else None
    )
    return _keep(job, befores)


def _restore_status(job: BulkJob, rows: list[tuple[int, dict[str, Any]]]) -> None:
    ids = [pk for pk, _before in rows]
    ConversationEvent.objects.filter(
        conversation_id__in=ids,
        at=job.applied_at or timezone.now(),
        actor_id=job.created_by_id,
        new_status=_status_target(job),
    ).delete()
    update_rows(
        Conversation,
        ["status", "resolved_at"],
        [[b["status"], _when(b["resolved_at"]), pk] for pk, b in rows],
    )


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _field_applier(field: str) -> Callable[[BulkJob, list[int], Acting], list[int]]:
    def apply(job: BulkJob, ids: list[int], by: Acting) -> list[int]:
        value = job.params.get(field)
        column = f"{field}_id"
        current = Conversation.objects.filter(pk__in=ids)
        current = (
            current.exclude(**{f"{field}__isnull": True})
            if value is None
            else current.exclude(**{column: value})
        )
        befores = {pk: {field: old} for pk, old in current.values_list("pk", column)}
        if not befores:
            return []
        Conversation.objects.filter(pk__in=list(befores)).update(**{column: value})
        return _keep(job, befores)

    return apply


def _field_restorer(field: str) -> Callable[[BulkJob, list[tuple[int, dict[str, Any]]]], None]:
    def restore(job: BulkJob, rows: list[tuple[int, dict[str, Any]]]) -> None:
        update_rows(Conversation, [field], [[before[field], pk] for pk, before in rows])

    return restore


def _apply_tag_add(job: BulkJob, ids: list[int], by: Acting) -> list[int]:
    tag_id = job.params["tag"]
    having = set(
        TAG.objects.filter(conversation_id__in=ids, tag_id=tag_id).values_list(
            "conversation_id", flat=True
        )
    )
    befores = {pk: {"tag": False} for pk in ids if pk not in having}
    insert_rows(TAG, ["conversation", "tag"], [[pk, tag_id] for pk in befores])
    core_changes.changed("inbox.conversation", befores)
    return _keep(job, befores)


def _apply_tag_remove(job: BulkJob, ids: list[int], by: Acting) -> list[int]:
    tag_id = job.params["tag"]
    having = list(
        TAG.objects.filter(conversation_id__in=ids, tag_id=tag_id).values_list(
            "conversation_id", flat=True
        )
    )
    TAG.objects.filter(conversation_id__in=having, tag_id=tag_id).delete()
    core_changes.changed("inbox.conversation", having)
    return _keep(job, {pk: {"tag": True} for pk in having})


def _restore_tag(job: BulkJob, rows: list[tuple[int, dict[str, Any]]]) -> None:
    tag_id = job.params["tag"]
    ids = [pk for pk, _before in rows]
    TAG.objects.filter(conversation_id__in=ids, tag_id=tag_id).delete()
    had = [pk for pk, before in rows if before["tag"]]
    insert_rows(TAG, ["conversation", "tag"], [[pk, tag_id] for pk in had])
    core_changes.changed("inbox.conversation", ids)


def _apply_no_reply(job: BulkJob, ids: list[int], by: Acting) -> list[int]:
    """Override the detector on every customer message that needs a reply."""
    flagged = Message.objects.filter(
        conversation_id__in=ids, direction=Direction.INBOUND, needs_reply=True
    ).values_list("pk", "conversation_id", "needs_reply_set_by_id")
    per_conversation: dict[int, list[list[int | None]]] = defaultdict(list)
    for pk, conversation_id, set_by in flagged:
        per_conversation[conversation_id].append([pk, set_by])
    if not per_conversation:
        return []
    message_ids = [pk for ms in per_conversation.values() for pk, _by in ms if pk is not None]
    for start in range(0, len(message_ids), CHUNK):
        Message.objects.filter(pk__in=message_ids[start : start + CHUNK]).update(
            needs_reply=False, needs_reply_set_by=by.user
        )
    refresh_conversations(set(per_conversation))
    return _keep(job, {pk: {"messages": ms} for pk, ms in per_conversation.items()})


def _restore_no_reply(job: BulkJob, rows: list[tuple[int, dict[str, Any]]]) -> None:
    update_rows(
        Message,
        ["needs_reply", "needs_reply_set_by"],
        [[True, set_by, pk] for _c, before in rows for pk, set_by in before["messages"]],
    )
    refresh_conversations({pk for pk, _before in rows})


_APPLY: dict[str, Callable[[BulkJob, list[int], Acting], list[int]]] = {
    Action.RESOLVE: _apply_status,
    Action.REOPEN: _apply_status,
    Action.ASSIGN: _field_applier("assignee"),
    Action.DEPARTMENT: _field_applier("department"),
    Action.TAG_ADD: _apply_tag_add,
    Action.TAG_REMOVE: _apply_tag_remove,
    Action.NO_REPLY: _apply_no_reply,
}
_RESTORE: dict[str, Callable[[BulkJob, list[tuple[int, dict[str, Any]]]], None]] = {
    Action.RESOLVE: _restore_status,
    Action.REOPEN: _restore_status,
    Action.ASSIGN: _field_restorer("assignee"),
    Action.DEPARTMENT: _field_restorer("department"),
    Action.TAG_ADD: _restore_tag,
    Action.TAG_REMOVE: _restore_tag,
    Action.NO_REPLY: _restore_no_reply,
}
