"""The editorial calendar: the posts of a month, a week or a list, by day in the organisation's
time zone, with the public holidays of its federal state.

Every read goes through `selectors.posts_for_user`, and a range costs the same few queries
whatever the number of posts in it (targets with their channels are prefetched, the campaign
and author come with the post): Postiz' calendar hung 30 s at 67 posts with a query per post.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Count, F, IntegerField, Prefetch, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import get_language
from holidays.countries.germany import Germany as GermanHolidays

from socialdesk.accounts.models import Organisation, User
from socialdesk.publishing.models import Post, PostTarget
from socialdesk.publishing.selectors import posts_for_user
from socialdesk.sla.models import BusinessHours, SlaPolicy

VIEWS = ("month", "week", "list")
# A day of the month view shows this many posts and "+ N more" (a link to the day's list);
# the week view shows more. The list view shows a page of posts at a time.
PER_DAY = {"month": 4, "week": 24}
LIST_PAGE = 100
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Filters:
    """What the calendar shows: empty values show everything."""

    channel: int | None = None
    campaign: int | None = None
    status: str = ""
    author: int | None = None

    def apply(self, posts: QuerySet[Post]) -> QuerySet[Post]:
        if self.channel is not None:
            # A subquery, not a join: a join would repeat a post once per matching target.
            on_channel = PostTarget.objects.filter(channel_id=self.channel).values("post_id")
            posts = posts.filter(pk__in=on_channel)
        if self.campaign is not None:
            posts = posts.filter(campaign_id=self.campaign)
        if self.status:
            posts = posts.filter(status=self.status)
        if self.author is not None:
            posts = posts.filter(author_id=self.author)
        return posts


@dataclass
class Day:
    day: date
    posts: list[Post] = field(default_factory=list)
    holiday: str = ""
    in_range: bool = True
    is_today: bool = False
    total: int = 0  # posts on this day, shown or not
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @property
    def hours(self) -> list[tuple[str, list[Post]]]:
        """The week view's rows: ("09:00", posts of that hour) for every hour of the day."""
        rows: list[tuple[str, list[Post]]] = [(f"{h:02d}:00", []) for h in range(24)]
        for post in self.posts:
            assert post.scheduled_at is not None
            rows[post.scheduled_at.astimezone(self.zone).hour][1].append(post)
        return rows

    @property
    def more(self) -> int:
        return max(self.total - len(self.posts), 0)

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class Calendar:
    view: str
    anchor: date
    start: date  # first day shown
    end: date  # the day after the last day shown
    previous: date
    next: date
    today: date
    days: list[Day]
    zone: ZoneInfo
    total: int = 0  # posts in the range
    page: int = 1
    pages: int = 1

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[i : i + 7] for i in range(0, len(self.days), 7)]

    @property
    def hour_rows(self) -> list[tuple[str, list[tuple[Day, list[Post]]]]]:
        """The week view as rows of hours, each with the posts of every day in that hour."""
        columns = [day.hours for day in self.days]
        return [
            (
                label,
                [(day, column[hour][1]) for day, column in zip(self.days, columns, strict=True)],
            )
            for hour, (label, _posts) in enumerate(columns[0])
        ]

    @property
    def busy_days(self) -> list[Day]:
        """The days with a post or a holiday (the list view)."""
        return [d for d in self.days if d.in_range and (d.posts or d.holiday)]


def organisation_zone() -> ZoneInfo:
    try:
        return ZoneInfo(Organisation.current().time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Berlin")


def federal_state() -> str:
    """The state of the default business calendar: that of the first active SLA policy with
    business hours, else of the first business hours; empty means nationwide holidays only."""
    policy = (
        SlaPolicy.objects.filter(is_active=True, business_hours__isnull=False)
        .select_related("business_hours")
        .order_by("priority", "pk")
        .first()
    )
    hours = policy.business_hours if policy else BusinessHours.objects.order_by("pk").first()
    return hours.german_state if hours else ""


def holidays_between(start: date, end: date, state: str | None = None) -> dict[date, str]:
    """The public holidays from `start` up to (not including) `end`, named in the language
    of the page."""
    state = federal_state() if state is None else state
    language = "de" if (get_language() or "en").startswith("de") else "en_US"
    years = range(start.year, end.year + 1)
    try:
        public = GermanHolidays(subdiv=state or None, years=years, language=language)
    except NotImplementedError:  # a state the package does not know: the nationwide ones
        public = GermanHolidays(years=years, language=language)
    return {day: name for day, name in public.items() if start <= day < end}


def bounds(view: str, anchor: date) -> tuple[date, date, date, date, date, date]:
    """(first day shown, day after the last, first day of the range, day after it, previous
    anchor, next anchor) for a view around `anchor`."""
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        end = monday + timedelta(days=7)
        return monday, end, monday, end, monday - timedelta(days=7), end
    first = anchor.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    if view == "list":
        return first, after, first, after, previous, after
    start = first - timedelta(days=first.weekday())
    end = after + timedelta(days=(7 - after.weekday()) % 7)
    return start, end, first, after, previous, after


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def posts_between(
    user: User, start: datetime, end: datetime, filters: Filters = Filters()
) -> QuerySet[Post]:
    """The posts `user` may see that are planned from `start` up to `end`, with their targets
    and channels (two queries in all)."""
    posts = posts_for_user(user).filter(scheduled_at__gte=start, scheduled_at__lt=end)
    # Only what the page shows: JSON fields (a channel's cursor, limits, mapping; a post's
    # thread and link card) would be decoded row by row for nothing.
    targets = (
        PostTarget.objects.select_related("channel")
        .only("id", "post_id", "state", "channel__id", "channel__network", "channel__handle",
              "channel__name")
        .order_by("pk")
    )  # fmt: skip
    posts = posts.defer("thread", "link_card", "link_url", "content_warning")
    return (
        filters.apply(posts)
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("scheduled_at", "pk")
    )


def by_local_day(posts: list[Post], zone: ZoneInfo) -> dict[date, list[Post]]:
    """The posts by their local day; each gets `local_date` and `local_time` for the page."""
    grouped: dict[date, list[Post]] = defaultdict(list)
    for post in posts:
        if post.scheduled_at is not None:
            local = post.scheduled_at.astimezone(zone)
            post.local_date = local.date().isoformat()  # type: ignore[attr-defined]
            post.local_time = f"{local:%H:%M}"  # type: ignore[attr-defined]
            grouped[local.date()].append(post)
    return grouped


def _day_number(days: list[date], zone: ZoneInfo) -> RawSQL:
    """The day of the view a post falls on (0, 1, …), by comparing its instant with each local
    midnight: plain comparisons on the column that the database does natively (a time zone
    conversion per row runs as Python on SQLite: 0.3 s for 5,000 posts). Written as SQL
    because the ORM takes longer to compile 42 `When`s three times than to run the query."""
    column = f'"{Post._meta.db_table}"."scheduled_at"'
    ends = [
        connection.ops.adapt_datetimefield_value(local_midnight(day + timedelta(days=1), zone))
        for day in days
    ]
    whens = " ".join(f"WHEN {column} < %s THEN {number}" for number in range(len(days)))
    # Only our table's name and whole numbers are in the text; the instants are parameters.
    sql = f"CASE {whens} ELSE {len(days)} END"
    return RawSQL(sql, ends, output_field=IntegerField())  # noqa: S611


def build(
    user: User, view: str, anchor: date, filters: Filters = Filters(), page: int = 1
) -> Calendar:
    """The calendar `user` sees: every day of the view with its holiday, how many posts it
    has, and the first of them (all of them on a page of the list view)."""
    view = view if view in VIEWS else "month"
    zone = organisation_zone()
    start, end, first, after, previous, following = bounds(view, anchor)
    posts = posts_between(user, local_midnight(start, zone), local_midnight(end, zone), filters)
    dates = [start + timedelta(days=n) for n in range((end - start).days)]
    totals: dict[date, int] = {}
    if view == "list":
        total = posts.order_by().count()
        pages = max((total + LIST_PAGE - 1) // LIST_PAGE, 1)
        page = min(max(page, 1), pages)
        shown = list(posts[(page - 1) * LIST_PAGE : page * LIST_PAGE])
    else:
        # The first posts of each day and how many the day has, chosen and counted by the
        # database over narrow rows (ids): a month of 5,000 posts costs as much as one of 50.
        # Then only the posts shown are read in full.
        day_number = _day_number(dates, zone)
        ranked = posts.order_by().annotate(
            day_number=day_number,
            rank=Window(
                RowNumber(), partition_by=[day_number],
                order_by=[F("scheduled_at").asc(), F("pk").asc()],
            ),
            day_total=Window(Count("pk"), partition_by=[day_number]),
        )  # fmt: skip
        first_ids = []
        for pk, number, day_total in ranked.filter(rank__lte=PER_DAY[view]).values_list(
            "pk", "day_number", "day_total"
        ):
            first_ids.append(pk)
            if number < len(dates):
                totals[dates[number]] = day_total
        total, pages, page = sum(totals.values()), 1, 1
        shown = list(posts.filter(pk__in=first_ids))
    grouped = by_local_day(shown, zone)
    holidays = holidays_between(start, end)
    today = timezone.now().astimezone(zone).date()
    days = []
    day = start
    while day < end:
        days.append(
            Day(
                day=day,
                posts=grouped.get(day, []),
                holiday=holidays.get(day, ""),
                in_range=first <= day < after,
                is_today=day == today,
                total=totals.get(day, 0),
                zone=zone,
            )
        )
        day += timedelta(days=1)
    return Calendar(
        view=view, anchor=anchor, start=start, end=end, previous=previous, next=following,
        today=today, days=days, zone=zone, total=total, page=page, pages=pages,
    )  # fmt: skip


def colour(value: str | None) -> str:
    """A campaign colour safe to put into an attribute (#rrggbb, else none)."""
    return value if value and COLOUR.fullmatch(value) else ""
