"""REST API for feedback items: capture (from a customer's message or not), link more
messages, forward to a department, move on the board, and send or discard the drafted answers
to the customers; through the feedback app's selectors and services, with the pages' roles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from socialdesk.accounts.models import Department
from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import MessageOut, Short, message
from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error, Ref
from socialdesk.core.http import ApiRequest
from socialdesk.feedback import selectors, services
from socialdesk.feedback.models import (
    FeedbackItem,
    FeedbackLink,
    FeedbackStatus,
    ReplyDraft,
    Topic,
)
from socialdesk.inbox.selectors import message_for_user

router = Router(tags=["feedback"])
Statuses = Literal["new", "acknowledged", "planned", "in_progress", "done", "wont_do"]


class FeedbackOut(Schema):
    id: int
    url: str
    title: str
    description: str
    status: str
    reason: str
    topic: Ref | None
    department: Ref | None
    mention_count: int = Field(description="Customer messages linked so far.")
    first_seen: datetime | None
    last_seen: datetime | None
    forwarded_at: datetime | None
    due_at: datetime | None = Field(description="The department's answer is due then.")
    created_at: datetime
    updated_at: datetime


class FeedbackPage(Schema):
    items: list[FeedbackOut]
    next: str | None


class LinkOut(Schema):
    message: MessageOut
    conversation_id: int
    linked_at: datetime


class EventOut(Schema):
    at: datetime
    what: str = Field(description="In the caller's language.")
    by: str
    text: str


class DraftOut(Schema):
    id: int
    conversation_id: int
    language: str
    text: str
    state: str


class FeedbackDetail(FeedbackOut):
    links: list[LinkOut] = Field(description="The linked messages the caller may see.")
    history: list[EventOut]
    drafts: list[DraftOut] = Field(description="Answers to customers the caller may see.")


class FeedbackFilters(PageQuery):
    status: Statuses | Literal["", "open", "closed"] = Field(
        default="", description="A status, `open` (not done or won't do), `closed`, or all."
    )
    department: Id | None = None
    topic: Id | None = None
    q: Short = Field(default="", description="Words in the title or description.")


class FeedbackIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(max_length=10_000)] = ""
    message_id: Id | None = Field(default=None, description="The customer's message it is from.")
    topic_id: Id | None = None


class LinkIn(Schema):
    message_id: Id


class ForwardIn(Schema):
    department_id: Id


class FeedbackStatusIn(Schema):
    status: Statuses
    reason: Annotated[Text, Field(max_length=5_000)] = Field(
        default="", description="Required for `wont_do`: the customers hear it."
    )


class DraftSendIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=10_000)]


def _out(item: FeedbackItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "url": reverse("feedback:item", args=[item.pk]),
        "title": item.title,
        "description": item.description,
        "status": item.status,
        "reason": item.reason,
        "topic": Ref(id=item.topic.pk, name=item.topic.name) if item.topic else None,
        "department": (
            Ref(id=item.department.pk, name=item.department.name) if item.department else None
        ),
        "mention_count": item.mention_count,
        "first_seen": item.first_seen,
        "last_seen": item.last_seen,
        "forwarded_at": item.forwarded_at,
        "due_at": item.due_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _detail(request: ApiRequest, pk: int) -> FeedbackDetail:
    user = request.auth
    item = selectors.item_for_user(user, pk)
    links = selectors.links_for_user(user, item).select_related("message__author_user")
    return FeedbackDetail(
        **_out(item),
        links=[
            LinkOut(
                message=message(link.message),
                conversation_id=link.message.conversation_id,
                linked_at=link.created_at,
            )
            for link in links.order_by("created_at", "pk")
        ],
        history=[
            EventOut(
                at=e.created_at,
                what=e.label,
                by=(e.actor.full_name or e.actor.email) if e.actor else e.actor_label,
                text=e.text,
            )
            for e in selectors.history_for_user(user, item)
        ],
        drafts=[
            DraftOut(
                id=d.pk,
                conversation_id=d.conversation_id,
                language=d.language,
                text=d.text,
                state=d.state,
            )
            for d in selectors.drafts_for_user(user, item)
        ],
    )


@router.get(
    "",
    response={200: FeedbackPage, **ERRORS, 400: Error},
    summary="List feedback items",
    **allow("list_feedback"),
)
def list_feedback(request: ApiRequest, filters: Query[FeedbackFilters]) -> Any:
    """The feedback the caller may see (a department member: their departments'), the most
    recently changed first."""
    items = selectors.items_for_user(request.auth)
    closed = [FeedbackStatus.DONE, FeedbackStatus.WONT_DO]
    if filters.status == "open":
        items = items.exclude(status__in=closed)
    elif filters.status == "closed":
        items = items.filter(status__in=closed)
    elif filters.status:
        items = items.filter(status=filters.status)
    if filters.department is not None:
        items = items.filter(department_id=filters.department)
    if filters.topic is not None:
        items = items.filter(topic_id=filters.topic)
    if filters.q:
        items = items.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    found, following = page(
        items, Order("updated_at", descending=True), filters.cursor, filters.limit
    )
    return FeedbackPage(items=[FeedbackOut(**_out(i)) for i in found], next=following)


class BoardOut(Schema):
    id: int = Field(description="The department's id.")
    name: str
    open: int = Field(description="Items not done or won't do.")
    overdue: int = Field(description="New items past the department's deadline.")


class BoardDetail(BoardOut):
    columns: dict[str, list[FeedbackOut]] = Field(
        description="Per status (new, acknowledged, planned, in_progress, done, wont_do) its "
        "items, the nearest deadline first."
    )


@router.get(
    "/boards",
    response={200: list[BoardOut], **ERRORS},
    summary="The departments' feedback boards",
    **allow("list_feedback_boards"),
)
def list_feedback_boards(request: ApiRequest) -> Any:
    """The boards the caller may open (a department member: her departments'), with counts."""
    boards = selectors.boards_for_user(request.auth, timezone.now()).order_by("name")
    return [BoardOut(id=b.pk, name=b.name, open=b.open, overdue=b.overdue) for b in boards]  # type: ignore[attr-defined]


@router.get(
    "/boards/{department_id}",
    response={200: BoardDetail, **ERRORS},
    summary="One department's feedback board",
    **allow("get_feedback_board"),
)
def get_feedback_board(request: ApiRequest, department_id: Id) -> Any:
    department = selectors.board_for_user(request.auth, department_id)
    counted = selectors.boards_for_user(request.auth, timezone.now()).get(pk=department.pk)
    items = department.feedback.select_related("topic", "department").order_by(
        "due_at", "-last_seen", "pk"
    )
    columns: dict[str, list[FeedbackOut]] = {status: [] for status in FeedbackStatus.values}
    for item in items:
        columns[item.status].append(FeedbackOut(**_out(item)))
    return BoardDetail(
        id=department.pk,
        name=department.name,
        open=counted.open,  # type: ignore[attr-defined]
        overdue=counted.overdue,  # type: ignore[attr-defined]
        columns=columns,
    )


@router.get(
    "/{item_id}",
    response={200: FeedbackDetail, **ERRORS},
    summary="One feedback item with its messages, history and answers",
    **allow("get_feedback"),
)
def get_feedback(request: ApiRequest, item_id: Id) -> Any:
    return _detail(request, item_id)


@router.post(
    "",
    response={201: FeedbackDetail, **ERRORS},
    summary="Capture feedback",
    **allow("create_feedback"),
)
def create_feedback(request: ApiRequest, payload: FeedbackIn) -> Any:
    """A new item, from a customer's message or not; a topic with a department forwards it
    there at once (as on the page)."""
    found = message_for_user(request.auth, payload.message_id) if payload.message_id else None
    topic = None
    if payload.topic_id is not None:
        topic = Topic.objects.filter(pk=payload.topic_id).first()
        if topic is None:
            raise ValidationError({"topic_id": _("There is no topic with this id.")})
    item = services.item_create(
        by=acting(request),
        title=payload.title,
        message=found,
        topic=topic,
        description=payload.description,
    )
    return Status(201, _detail(request, item.pk))


@router.post(
    "/{item_id}/links",
    response={200: FeedbackDetail, **ERRORS},
    summary="Link another customer message",
    **allow("link_feedback"),
)
def link_feedback(request: ApiRequest, item_id: Id, payload: LinkIn) -> Any:
    """Another customer said the same: linking it counts them (twice the same message: once)."""
    item = selectors.item_for_user(request.auth, item_id)
    found = message_for_user(request.auth, payload.message_id)
    services.item_link(by=acting(request), item=item, message=found)
    return _detail(request, item_id)


@router.delete(
    "/{item_id}/links/{message_id}",
    response={200: FeedbackDetail, **ERRORS},
    summary="Unlink a customer message",
    **allow("unlink_feedback"),
)
def unlink_feedback(request: ApiRequest, item_id: Id, message_id: Id) -> Any:
    """The message does not say this after all: it no longer counts (its history entry stays)."""
    item = selectors.item_for_user(request.auth, item_id)
    found = message_for_user(request.auth, message_id)
    link = get_object_or_404(
        FeedbackLink.objects.select_related("item", "message"), item=item, message=found
    )
    services.item_unlink(by=acting(request), link=link)
    return _detail(request, item_id)


@router.post(
    "/{item_id}/forward",
    response={200: FeedbackDetail, **ERRORS},
    summary="Forward to a department",
    **allow("forward_feedback"),
)
def forward_feedback(request: ApiRequest, item_id: Id, payload: ForwardIn) -> Any:
    """It lands on the department's board with their deadline; its members are told."""
    item = selectors.item_for_user(request.auth, item_id)
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise ValidationError({"department_id": _("There is no department with this id.")})
    services.item_forward(by=acting(request), item=item, department=department)
    return _detail(request, item_id)


@router.post(
    "/{item_id}/status",
    response={200: FeedbackDetail, **ERRORS},
    summary="Move the item on its board",
    **allow("set_feedback_status"),
)
def set_feedback_status(request: ApiRequest, item_id: Id, payload: FeedbackStatusIn) -> Any:
    """`done` or `wont_do` (with its reason) drafts an answer to every customer who said it."""
    item = selectors.item_for_user(request.auth, item_id)
    services.item_set_status(
        by=acting(request), item=item, status=payload.status, reason=payload.reason
    )
    return _detail(request, item_id)


def _draft(request: ApiRequest, pk: int) -> ReplyDraft:
    draft = get_object_or_404(ReplyDraft.objects.select_related("item", "conversation"), pk=pk)
    item = selectors.item_for_user(request.auth, draft.item_id)
    get_object_or_404(selectors.drafts_for_user(request.auth, item), pk=pk)
    return draft


@router.post(
    "/drafts/{draft_id}/send",
    response={201: MessageOut, **ERRORS},
    summary="Send a drafted answer to the customer",
    **allow("send_feedback_draft"),
)
def send_feedback_draft(request: ApiRequest, draft_id: Id, payload: DraftSendIn) -> Any:
    """The reviewed text goes out through the customer's own conversation."""
    sent = services.draft_send(
        by=acting(request), draft=_draft(request, draft_id), text=payload.text
    )
    return Status(201, message(sent))


@router.post(
    "/drafts/{draft_id}/discard",
    response={204: None, **ERRORS},
    summary="Discard a drafted answer",
    **allow("discard_feedback_draft"),
)
def discard_feedback_draft(request: ApiRequest, draft_id: Id) -> Any:
    services.draft_discard(by=acting(request), draft=_draft(request, draft_id))
    return Status(204, None)
