"""Reads for the inbox: which conversations a person may see, filtered and sorted.

`conversations_for_user` is the one rule of who sees which conversation. Every page, list,
count, chart, export and preview that shows conversations, messages or contacts reads through
it (or through `messages_for_user` / `contacts_for_user`, which are built on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404

from socialdesk.accounts.models import Membership, Organisation, Role, User
from socialdesk.core.params import id_param
from socialdesk.inbox.job_models import BulkJob
from socialdesk.inbox.models import (
    Contact,
    Conversation,
    Direction,
    Message,
    Note,
    Notification,
    SlaState,
    Status,
)


def sees_every_conversation(user: User) -> bool:
    """Return whether the person may see every conversation (everyone but department members)."""
    return bool(user.role != Role.MEMBER)


def conversations_for_user(user: User) -> QuerySet[Conversation]:
    """Return the conversations the person may see.

    The community team (admins, social media managers, agents) and read-only people see all;
    department members see the conversations handed to their departments or to them.
    """
    rule = visibility(user)
    return Conversation.objects.all() if rule is None else Conversation.objects.filter(rule)


def visibility(user: User) -> Q | None:
    """The visibility rule as a condition on `department_id` and `assignee_id` (None: sees
    all). Conversations and the message rollup (`rollups.counts`) both read it."""
    departments = visible_departments(user)
    if departments is None:
        return None
    return Q(department_id__in=departments) | Q(assignee_id=user.pk)


def visible_departments(user: User) -> list[int] | None:
    """The departments whose conversations the person sees besides those assigned to them
    (None: sees all). As values, not a subquery: PostgreSQL then estimates the rule from its
    statistics and reads the indexes (as a subquery it guessed half of all conversations and
    scanned every one: 40 ms at 306,000 conversations). In order, read with one plain
    statement: building the ORM's query for them took 0.25 ms, longer than the search of a
    rare word that asks for them."""
    if sees_every_conversation(user):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT department_id FROM {Membership._meta.db_table} "  # noqa: S608 - a constant
            "WHERE user_id = %s ORDER BY department_id",
            [user.pk],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def conversation_for_user(user: User, pk: int) -> Conversation:
    try:
        return (
            conversations_for_user(user)
            .select_related("channel_account", "contact", "assignee", "department")
            .get(pk=pk)
        )
    except Conversation.DoesNotExist:
        raise Http404 from None


def messages_for_user(user: User) -> QuerySet[Message]:
    """Return the messages the person may see: those of the conversations they may see.

    A correlated EXISTS: looking up a few messages (a search's hits, a preview) then checks
    only their conversations, where `IN (subquery)` lists every visible conversation first."""
    if sees_every_conversation(user):
        return Message.objects.all()
    return Message.objects.filter(
        Exists(conversations_for_user(user).filter(pk=OuterRef("conversation_id")))
    )


def message_for_user(user: User, pk: int) -> Message:
    try:
        return messages_for_user(user).select_related("conversation").get(pk=pk)
    except Message.DoesNotExist:
        raise Http404 from None


def bulk_job_for_user(user: User, pk: int) -> BulkJob:
    """One of the person's own bulk jobs: each follows and undoes only what they started."""
    job = BulkJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404
    return job


def contacts_for_user(user: User) -> QuerySet[Contact]:
    """Return the contacts the person may see: those with a conversation they may see."""
    if sees_every_conversation(user):
        return Contact.objects.all()
    return Contact.objects.filter(
        Exists(conversations_for_user(user).filter(contact_id=OuterRef("pk")))
    )


def notifications_for_user(user: User) -> QuerySet[Notification]:
    """Return the person's notifications, each with `conversation_visible`.

    A notification can be about a conversation the person may not open (a colleague mentioned
    them in a note there, or it was handed to another department since): it then shows neither
    the contact nor a link.
    """
    notifications = Notification.objects.filter(user=user)
    visible: Exists | Value
    if sees_every_conversation(user):
        visible = Value(True, output_field=BooleanField())
    else:
        visible = Exists(conversations_for_user(user).filter(pk=OuterRef("conversation_id")))
    # A mention names who wrote the note and what (the latest note mentioning the person
    # there up to the notification), in whatever language the reader reads the page.
    note = Note.objects.filter(
        conversation_id=OuterRef("conversation_id"),
        mentions=OuterRef("user_id"),
        created_at__lte=OuterRef("created_at"),
    ).order_by("-created_at", "-pk")
    return notifications.annotate(
        conversation_visible=visible,
        mention_by=Subquery(note.values("author__full_name")[:1]),
        mention_text=Subquery(note.values("text")[:1]),
    )


@dataclass(frozen=True)
class InboxFilters:
    account: str = ""
    status: str = Status.OPEN
    assignee: str = ""  # "", "me", "none" or a user id
    department: str = ""
    language: str = ""
    needs_reply: str = ""  # "", "yes", "no"
    tag: str = ""
    query: str = ""
    sla_state: str = ""
    sort: str = "oldest"  # the customer waiting longest for us first, answered ones last
    # Drill-down from the dashboards: the days (both included, the organisation's days) in
    # which a customer wrote; with `questions`, the questions first asked in them instead
    # (what the first-response figures count).
    since: str = ""
    until: str = ""
    questions: str = ""
    # The search box's words, looked up once (`with_text`): which conversations hold them.
    text: TextMatch | None = field(default=None, init=False, compare=False, repr=False)

    def stored(self) -> dict[str, str]:
        """The filters as a bulk job keeps them (what was asked, not what it found)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "text"}


@dataclass(frozen=True)
class TextMatch:
    """The conversations holding the search box's words, as a condition on conversations.

    `many`: the words are frequent (the condition is checked row by row as the list is read),
    so a list counts fewer of them (`TEXT_COUNT_CAP`)."""

    condition: Q | Expression
    many: bool = False


class TextQueryError(ValueError):
    """The search box's text cannot be searched; `message` says why and where, in the
    reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


TEXT_COUNT_CAP = 200
"""How far a list counts conversations holding a frequent word (four pages): each one is
checked against the index as the list is read. At 10 million messages a manager's page of all
conversations holding one of five frequent words took 21–94 ms the first time with 200
counted, 100–355 ms with 1,000."""

_text_matchers: list[Callable[[str], TextMatch]] = []


def match_text_with(matcher: Callable[[str], TextMatch]) -> None:
    """Register what looks the search box's words up (the search's index, `search.inbox_box`,
    from its `AppConfig.ready`): the inbox knows nothing of the index (layers point down)."""
    _text_matchers[:] = [matcher]


def with_text(filters: InboxFilters) -> InboxFilters:
    """The filters with their search box's words looked up (once for a list and its count);
    TextQueryError when the words cannot be searched."""
    if not filters.query or filters.text is not None:
        return filters
    looked_up = replace(filters)
    object.__setattr__(looked_up, "text", text_match(filters))  # frozen: set once, here
    return looked_up


def text_match(filters: InboxFilters) -> TextMatch:
    """The conversations holding the search box's words (looked up unless `with_text` did)."""
    if filters.text is not None:
        return filters.text
    if not _text_matchers:
        raise RuntimeError("no search for the inbox's search box (search app not installed?)")
    return _text_matchers[0](filters.query)


def inbox_list(user: User, filters: InboxFilters) -> QuerySet[Conversation]:
    """Return the conversations of the inbox list for these filters, in their order."""
    return _ordered(
        _filtered(conversations_for_user(user), user, filters).select_related(
            "channel_account", "contact", "assignee", "department"
        ),
        filters,
    )


def inbox_count(user: User, filters: InboxFilters, most: int | None = None) -> int:
    """How many conversations `inbox_list` gives, counted up to `most` (a list's capped count,
    `core.paging`; None: all), branch by branch (`count_visible`)."""
    rows = _filtered(Conversation.objects.all(), user, filters)
    if filters.query and most is not None and text_match(filters).many:
        # Checked row by row: counted in the list's order, so the count reads the rows the
        # page has just read first and the same rows every time. Unordered, PostgreSQL read
        # the table from wherever another scan of it was (synchronised scans), other rows each
        # time, their entries seldom in memory: 63–106 ms for 200 instead of 20–35.
        return count_visible(user, _ordered(rows, filters), most, keep_order=True)
    return count_visible(user, rows, most)


def count_visible(
    user: User, rows: QuerySet[Conversation], most: int | None = None, *, keep_order: bool = False
) -> int:
    """How many of `rows` (conversations not yet narrowed to the person) the person may see,
    counted up to `most` (None: all). A department member's rule is counted branch by branch,
    their departments' and then those assigned to them in other departments: together,
    PostgreSQL reads the two as a BitmapOr and visits every row's table page (95 ms for 10,000
    open conversations at 2M messages; 240 ms for the 380,000 breached ones of a department
    at 10M); apart, each count reads its index alone. `keep_order`: count the first `most` in
    the order of `rows` (else in any)."""
    departments = visible_departments(user)
    every = rows if keep_order else rows.order_by()
    if departments is None:
        return int((every if most is None else every[:most]).count())
    theirs = every.filter(department_id__in=departments)
    counted = int((theirs if most is None else theirs[:most]).count())
    mine = every.filter(assignee_id=user.pk).exclude(department_id__in=departments)
    if most is None:
        return counted + int(mine.count())
    # always both statements (a page's queries do not depend on the data); the second counts
    # at least one row, so the sum may pass `most` by one before it is cut
    return min(most, counted + int(mine[: max(most - counted, 1)].count()))


def _filtered(
    conversations: QuerySet[Conversation], user: User, filters: InboxFilters
) -> QuerySet[Conversation]:
    if filters.status in Status.values:
        conversations = conversations.filter(status=filters.status)
    if (account_id := id_param(filters.account)) is not None:
        conversations = conversations.filter(channel_account_id=account_id)
    if filters.assignee == "me":
        conversations = conversations.filter(assignee=user)
    elif filters.assignee == "none":
        conversations = conversations.filter(assignee__isnull=True)
    elif (assignee_id := id_param(filters.assignee)) is not None:
        conversations = conversations.filter(assignee_id=assignee_id)
    if (department_id := id_param(filters.department)) is not None:
        conversations = conversations.filter(department_id=department_id)
    if filters.language:
        conversations = conversations.filter(language=filters.language)
    if filters.needs_reply == "yes":
        # Unanswered questions: the customer wrote after our last reply and it needs one.
        conversations = conversations.filter(waiting_for_us_since__isnull=False)
    elif filters.needs_reply == "no":
        conversations = conversations.filter(waiting_for_us_since__isnull=True)
    if filters.tag:
        conversations = conversations.filter(tags__name=filters.tag)
    if filters.query:
        conversations = conversations.filter(text_match(filters).condition)
    if filters.sla_state in SlaState.values and filters.sla_state:
        conversations = conversations.filter(sla_state=filters.sla_state)
    return _in_days(conversations, filters)


def _ordered(
    conversations: QuerySet[Conversation], filters: InboxFilters
) -> QuerySet[Conversation]:
    if filters.sort == "due":
        return conversations.order_by(F("sla_due_at").asc(nulls_last=True), "pk")
    if filters.sort == "newest":  # no date last, on both databases (`conversation_newest`)
        return conversations.order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    # Longest waiting for *us* first (the first customer message after our last reply); the
    # conversations nobody waits on (answered, or nothing to answer) last. Both orders are
    # read from the indexes on (status,) waiting_for_us_since, so no page sorts the table.
    return conversations.order_by(F("waiting_for_us_since").asc(nulls_last=True), "pk")


def day_bounds(since: str, until: str) -> tuple[datetime | None, datetime | None]:
    """`?since=2026-11-01&until=2026-11-30` (both days included, the organisation's days) as
    aware moments [start, end); None where not given or not a date."""
    first, last = date_param(since), date_param(until)
    if first is None and last is None:
        return None, None
    # The first and last days of the calendar cannot be moments in every time zone: no bound.
    if first is not None and not date.min + timedelta(days=1) < first < date.max:
        first = None
    if last is not None and not date.min < last < date.max - timedelta(days=1):
        last = None
    zone = ZoneInfo(Organisation.current().time_zone)
    start = datetime.combine(first, time.min, tzinfo=zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone) if last else None
    return start, end


def _in_days(
    conversations: QuerySet[Conversation], filters: InboxFilters
) -> QuerySet[Conversation]:
    start, end = day_bounds(filters.since, filters.until)
    if start is None and end is None:
        return conversations
    if filters.questions:
        conversations = conversations.filter(first_message_inbound=True, needs_reply=True)
        if start is not None:
            conversations = conversations.filter(first_message_at__gte=start)
        if end is not None:
            conversations = conversations.filter(first_message_at__lt=end)
        return conversations
    written = Message.objects.filter(direction=Direction.INBOUND)
    if start is not None:
        written = written.filter(created_at__gte=start)
    if end is not None:
        written = written.filter(created_at__lt=end)
    return conversations.filter(pk__in=written.values("conversation_id"))


def date_param(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def thread(conversation: Conversation) -> list[Message | Note]:
    """Return messages and internal notes of a conversation in time order."""
    messages = list(conversation.messages.select_related("author_user", "needs_reply_set_by"))
    notes = list(
        Note.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("mentions")
    )
    return sorted([*messages, *notes], key=lambda item: (item.created_at, isinstance(item, Note)))


def earlier_conversations(
    user: User, conversation: Conversation, limit: int = 10
) -> QuerySet[Conversation]:
    """Return the contact's other conversations that the person may see, newest first."""
    if conversation.contact_id is None:
        return Conversation.objects.none()
    return (
        conversations_for_user(user)
        .filter(contact_id=conversation.contact_id)
        .exclude(pk=conversation.pk)
        .select_related("channel_account")
        .order_by("-last_message_at")[:limit]
    )
