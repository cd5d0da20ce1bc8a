"""REST API for the inbox: conversations with their messages and notes; reply, note, assign,
status, tags and the needs-reply override, through the same selectors and services as the
pages (a department member sees exactly the conversations their inbox shows)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from socialdesk.accounts.models import Department, Role, User
from socialdesk.api import conversation_schemas as out
from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import (
    AssignIn,
    ConversationDetail,
    ConversationFilters,
    ConversationOut,
    ConversationPage,
    MessageOut,
    NeedsReplyIn,
    NoteIn,
    NoteOut,
    ReplyIn,
    StatusIn,
    TagsIn,
)
from socialdesk.api.inputs import Id
from socialdesk.api.paging import Order, page
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core.http import ApiRequest
from socialdesk.inbox import selectors, services
from socialdesk.inbox.models import Conversation, Message, Note, Tag

router = Router(tags=["conversations"])

ORDERS = {
    "oldest": Order("waiting_for_us_since"),
    "due": Order("sla_due_at"),
    "newest": Order("last_message_at", descending=True),
}


def _conversation(request: ApiRequest, pk: int) -> Conversation:
    return selectors.conversation_for_user(request.auth, pk)


def _detail(conversation: Conversation) -> ConversationDetail:
    thread = selectors.thread(conversation)
    return ConversationDetail(
        **out.summary(conversation).model_dump(),
        messages=[out.message(m) for m in thread if isinstance(m, Message)],
        notes=[out.note(n) for n in thread if isinstance(n, Note)],
    )


@router.get(
    "/conversations",
    response={200: ConversationPage, **ERRORS, 400: Error},
    summary="List conversations",
    **allow("list_conversations"),
)
def list_conversations(request: ApiRequest, filters: Query[ConversationFilters]) -> Any:
    """The conversations the caller's inbox shows, with the inbox's filters, a page at a time:
    pass `next` as `cursor` for the next page. Default: open ones, the customer waiting
    longest first. A department member sees those handed to their departments or to them."""
    try:
        rows = selectors.inbox_list(request.auth, filters.chosen(filters.sort))
    except selectors.TextQueryError as error:  # as /search: 400 naming the problem at `q`
        return Status(400, Error(detail=error.message, errors={"q": [error.message]}))
    rows = rows.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
    found, following = page(rows, ORDERS[filters.sort], filters.cursor, filters.limit)
    return ConversationPage(items=[out.summary(c) for c in found], next=following)


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetail, **ERRORS},
    summary="One conversation with its messages and notes",
    **allow("get_conversation"),
)
def get_conversation(request: ApiRequest, conversation_id: Id) -> Any:
    """The conversation, its messages (customer's and replies, with their delivery state) and
    its internal notes, in time order."""
    return _detail(_conversation(request, conversation_id))


@router.post(
    "/conversations/{conversation_id}/reply",
    response={201: MessageOut, **ERRORS},
    summary="Reply to the customer",
    **allow("reply_conversation"),
)
def reply_conversation(request: ApiRequest, conversation_id: Id, payload: ReplyIn) -> Any:
    """Store the reply and, in a connected channel, queue it for sending (`delivery` says how
    far it got: read the conversation again). It stops the first-response clock."""
    conversation = _conversation(request, conversation_id)
    message = services.conversation_reply(
        by=acting(request), conversation=conversation, text=payload.text, then=payload.then
    )
    return Status(201, out.message(message))


@router.post(
    "/conversations/{conversation_id}/notes",
    response={201: NoteOut, **ERRORS},
    summary="Add an internal note",
    **allow("add_note"),
)
def add_note(request: ApiRequest, conversation_id: Id, payload: NoteIn) -> Any:
    """A note for the team (never sent; @mentions notify the people named)."""
    conversation = _conversation(request, conversation_id)
    note = services.conversation_add_note(
        by=acting(request), conversation=conversation, text=payload.text
    )
    return Status(201, out.note(note))


@router.post(
    "/conversations/{conversation_id}/assign",
    response={200: ConversationOut, **ERRORS},
    summary="Hand the conversation to a person or department",
    **allow("assign_conversation"),
)
def assign_conversation(request: ApiRequest, conversation_id: Id, payload: AssignIn) -> Any:
    """Set both the person and the department (null: nobody, none). The person must be an
    active member of the team who may work on conversations (not read-only)."""
    conversation = _conversation(request, conversation_id)
    errors: dict[str, list[str]] = {}
    assignee = department = None
    if payload.assignee_id is not None:
        assignee = (
            User.objects.filter(pk=payload.assignee_id, is_active=True)
            .exclude(role=Role.VIEWER)
            .first()
        )
        if assignee is None:
            errors["assignee_id"] = [
                _("There is no active person with this id who may work on conversations.")
            ]
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            errors["department_id"] = [_("There is no department with this id.")]
    if errors:
        raise ValidationError(errors)
    services.conversation_assign(
        by=acting(request), conversation=conversation, assignee=assignee, department=department
    )
    return out.summary(_conversation(request, conversation_id))


@router.post(
    "/conversations/{conversation_id}/status",
    response={200: ConversationOut, **ERRORS},
    summary="Open, wait on the customer, or resolve",
    **allow("set_conversation_status"),
)
def set_conversation_status(request: ApiRequest, conversation_id: Id, payload: StatusIn) -> Any:
    """Reopening keeps the history; the SLA clocks follow as on the page."""
    conversation = _conversation(request, conversation_id)
    services.conversation_set_status(
        by=acting(request), conversation=conversation, status=payload.status
    )
    return out.summary(_conversation(request, conversation_id))


@router.put(
    "/conversations/{conversation_id}/tags",
    response={200: ConversationOut, **ERRORS},
    summary="Replace the tags",
    **allow("set_conversation_tags"),
)
def set_conversation_tags(request: ApiRequest, conversation_id: Id, payload: TagsIn) -> Any:
    """The conversation's tags become exactly these names (new names become new tags)."""
    conversation = _conversation(request, conversation_id)
    services.conversation_set_tags(
        by=acting(request), conversation=conversation, names=payload.names
    )
    return out.summary(_conversation(request, conversation_id))


@router.post(
    "/messages/{message_id}/needs-reply",
    response={200: MessageOut, **ERRORS},
    summary="Say whether a customer's message needs a reply",
    **allow("set_needs_reply"),
)
def set_needs_reply(request: ApiRequest, message_id: Id, payload: NeedsReplyIn) -> Any:
    """Override the detector for one message from a customer (the KPIs follow)."""
    message = selectors.message_for_user(request.auth, message_id)
    return out.message(
        services.message_set_needs_reply(by=acting(request), message=message, value=payload.value)
    )
