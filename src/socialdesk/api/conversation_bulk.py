"""REST API for bulk actions on conversations: start one on picked conversations or on "all
matching" the inbox's filters, follow its progress, undo it. Through the inbox page's own form
(`BulkForm`) and services (`inbox.bulk`), so the API refuses what the page refuses, acts only on
the conversations the caller's inbox shows, and is audited the same way (with the token)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import InboxFilterIn
from socialdesk.api.inputs import Id, Text
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core.http import ApiRequest
from socialdesk.inbox import bulk, selectors
from socialdesk.inbox.forms import BulkForm
from socialdesk.inbox.job_models import BulkJob

router = Router(tags=["conversations"])

# The page's form fields, as the API names them in its 422 answers.
_FIELDS = {
    "ids": "conversation_ids",
    "assignee": "assignee_id",
    "department": "department_id",
    "q": "filters.q",
}


class BulkIn(Schema):
    action: BulkJob.Action = Field(
        description="`resolve`, `reopen`, `assign` (`assignee_id`), `department` "
        "(`department_id`), `tag_add` / `tag_remove` (`tag`), `no_reply` (the customer's "
        "messages need no reply)."
    )
    conversation_ids: list[Id] = Field(
        default_factory=list,
        max_length=bulk.MAX_PICKED,
        description="The conversations picked (those the caller may not see are left out).",
    )
    all_matching: bool = Field(
        default=False,
        description="Instead of ids: every conversation the inbox shows for `filters`.",
    )
    filters: InboxFilterIn = Field(
        default_factory=InboxFilterIn,
        description="With `all_matching`: the inbox's filters, as `GET /conversations` takes "
        "them (default: the open conversations).",
    )
    assignee_id: Id | None = Field(default=None, description="`assign`: the person (null: nobody).")
    department_id: Id | None = Field(
        default=None, description="`department`: the department (null: none)."
    )
    tag: Annotated[Text, Field(max_length=60)] = Field(
        default="", description="`tag_add` (a new name makes a new tag) and `tag_remove`."
    )


class BulkJobOut(Schema):
    id: int
    action: str
    state: str = Field(description="queued, running, done, failed, undoing or undone.")
    all_matching: bool
    total: int = Field(description="Conversations selected that the caller may see.")
    done: int = Field(description="Worked through so far (while undoing: put back).")
    changed: int = Field(description="Changed by the action (the others already were so).")
    error: str
    created_at: datetime
    finished_at: datetime | None
    undoable: bool = Field(description="Whether `/undo` still puts everything back.")
    undo_until: datetime | None = Field(description="Until when undo is possible.")


def _out(job: BulkJob) -> BulkJobOut:
    undoable = bulk.bulk_undoable(job)
    until = None
    if undoable and job.finished_at is not None:
        until = job.finished_at + timedelta(seconds=bulk.UNDO_SECONDS)
    return BulkJobOut(
        id=job.pk,
        action=job.action,
        state=job.state,
        all_matching=job.filters is not None,
        total=job.total,
        done=job.done,
        changed=job.changed,
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        undoable=undoable,
        undo_until=until,
    )


def _renamed(error: ValidationError, selection: str) -> ValidationError:
    """The page's field names as the API's; a message about no field is about the selection."""
    if not hasattr(error, "error_dict"):
        return ValidationError({selection: error.messages})
    named: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        name = selection if field == "__all__" else _FIELDS.get(field, field)
        named.setdefault(name, []).extend(messages)
    return ValidationError(named)


@router.post(
    "/conversations/bulk",
    response={202: BulkJobOut, **ERRORS},
    summary="Change many conversations at once",
    **allow("start_bulk_job"),
)
def start_bulk_job(request: ApiRequest, payload: BulkIn) -> Any:
    """Picked conversations (up to 1,000) or `all_matching` the filters; only those the
    caller's inbox shows are touched. A small selection is done when this answers; a larger one
    (over 200) runs in the background: follow it at `/conversations/bulk/{id}`. It can be undone
    for 30 seconds after it finished."""
    selection = "filters" if payload.all_matching else "conversation_ids"
    if payload.all_matching and payload.conversation_ids:
        raise ValidationError(
            {"conversation_ids": [_("Give conversation ids or all_matching, not both.")]}
        )
    form = BulkForm(
        {
            "action": payload.action,
            "ids": [str(pk) for pk in payload.conversation_ids],
            "all_matching": "1" if payload.all_matching else "",
            "assignee": payload.assignee_id or "",
            "department": payload.department_id or "",
            "tag": payload.tag,
        }
    )
    if not form.is_valid():
        raise _renamed(ValidationError(form.errors.as_data()), selection)
    data = form.cleaned_data
    try:
        job = bulk.bulk_start(
            by=acting(request),
            action=data["action"],
            conversation_ids=data["ids"],
            filters=payload.filters.chosen() if payload.all_matching else None,
            assignee=data["assignee"],
            department=data["department"],
            tag=data["tag"],
        )
    except ValidationError as error:
        raise _renamed(error, selection) from None
    return Status(202, _out(job))


@router.get(
    "/conversations/bulk/{job_id}",
    response={200: BulkJobOut, **ERRORS},
    summary="How far a bulk action is",
    **allow("get_bulk_job"),
)
def get_bulk_job(request: ApiRequest, job_id: Id) -> Any:
    """Only the caller's own bulk actions (another's is a 404, as on the page)."""
    return _out(selectors.bulk_job_for_user(request.auth, job_id))


@router.post(
    "/conversations/bulk/{job_id}/undo",
    response={202: BulkJobOut, **ERRORS, 409: Error},
    summary="Undo a bulk action",
    **allow("undo_bulk_job"),
)
def undo_bulk_job(request: ApiRequest, job_id: Id) -> Any:
    """Puts back exactly what the action changed (status, assignment, tag, needs-reply), within
    30 seconds after it finished; later, or a second time, is a 409. A large one is undone in
    the background (`state` is `undoing` until it is `undone`)."""
    job = selectors.bulk_job_for_user(request.auth, job_id)
    try:
        job = bulk.bulk_undo(by=acting(request), job=job)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from None
    return Status(202, _out(job))
