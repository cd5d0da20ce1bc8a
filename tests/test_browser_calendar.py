"""In headless Chromium: the editorial calendar. A post is dragged to another day and hour with
the mouse, another is moved with the keyboard only (and moved back with "Undo")."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import services, slot_services
from socialdesk.publishing.models import Campaign, Post, PostStatus
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "a long passphrase 42"


def _sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until `selector` has the focus (a date field has a stop per segment)."""
    for _ in range(8):
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    expect(page.locator(selector)).to_be_focused()


def _type_date(page: Page, selector: str, day: date) -> None:
    """Type a date into a focused date field, segment by segment, in the order the browser's
    own locale puts them (day first, or month first as in en-US)."""
    field = page.locator(selector)
    for order in ("%d%m%Y", "%m%d%Y"):
        page.keyboard.type(day.strftime(order))
        if field.input_value() == day.isoformat():
            return
        page.keyboard.press("Shift+Tab")  # back to the first segment
        page.keyboard.press("Shift+Tab")
    assert field.input_value() == day.isoformat()


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _local(post: Post) -> datetime:
    post.refresh_from_db()
    assert post.scheduled_at is not None
    return post.scheduled_at.astimezone(BERLIN)


@pytest.mark.django_db(transaction=True)
def test_a_post_is_dragged_to_another_day_and_one_is_moved_with_the_keyboard(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    manager = User.objects.create_user(
        "max@example.com", PASSWORD, full_name="Max Manager", role=Role.MANAGER, language="en"
    )
    admin = User.objects.create_user(
        "ada@example.com", PASSWORD, full_name="Ada Admin", role=Role.ADMIN, language="en"
    )
    mastodon = ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")
    bluesky = ChannelAccount.objects.create(network=Network.BLUESKY, handle="bahn.bsky.social")
    campaign = Campaign.objects.create(name="Hinter den Kulissen", colour="#db2777")
    today = timezone.now().astimezone(BERLIN).date()
    monday = today + timedelta(days=14 - today.weekday())  # in two weeks: always ahead
    by = Acting(user=manager)
    dragged = services.post_create(
        by=by, text="Nachtschicht im Stellwerk", title="Stellwerk", channels=[mastodon, bluesky],
        scheduled_at=_at(monday + timedelta(days=1), 10, 15), campaign=campaign,
    )  # fmt: skip
    keyed = services.post_create(
        by=by, text="Unser Azubi-Tag", title="Azubi-Tag", channels=[mastodon],
        scheduled_at=_at(monday + timedelta(days=2), 9, 0),
    )  # fmt: skip
    services.post_approve(by=Acting(user=admin), post=keyed)
    slot_services.slots_add_weekdays(by=by, channel=mastodon, times=[time(9, 30), time(15)])
    _sign_in(page, live_server.url, "max@example.com")
    # Tall enough for a whole week: an HTML5 drag does not scroll the page on its way.
    page.set_viewport_size({"width": 1280, "height": 1800})

    # The Publishing area opens on the calendar.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Publishing").click()
    expect(page.locator("h1")).to_have_text("Editorial calendar")
    page.goto(f"{live_server.url}/publishing/calendar/?view=week&date={monday.isoformat()}")
    _shot(page, "calendar-week-en")

    # The mouse: drag "Stellwerk" from Tuesday 10:15 to Thursday's 14:00 row.
    post = page.locator(f"#post-{dragged.pk}")
    thursday = monday + timedelta(days=3)
    target = page.locator(f'td.cal-hour[data-date="{thursday.isoformat()}"][data-hour="14:00"]')
    post.drag_to(target)
    expect(page.locator(".message.success")).to_contain_text("“Stellwerk” now goes out on")
    assert _local(dragged) == _at(thursday, 14, 15)
    expect(target.locator(f"#post-{dragged.pk}")).to_be_visible()

    # In the month view, drag it by day: it keeps its time.
    page.goto(f"{live_server.url}/publishing/calendar/?view=month&date={monday.isoformat()}")
    friday = monday + timedelta(days=4)
    page.locator(f"#post-{dragged.pk}").drag_to(
        page.locator(f'.cal-day[data-date="{friday.isoformat()}"]')
    )
    expect(page.locator(".message.success")).to_contain_text("now goes out on")
    assert _local(dragged) == _at(friday, 14, 15)
    _shot(page, "calendar-month-en")

    # The keyboard only: focus the approved post's "Move", open it, give a day and time.
    page.goto(f"{live_server.url}/publishing/calendar/?view=week&date={monday.isoformat()}")
    move = page.locator(f"#post-{keyed.pk} summary")
    move.focus()
    page.keyboard.press("Enter")
    _tab_to(page, f"#move-{keyed.pk}-date")
    new_day = monday + timedelta(days=4)
    _type_date(page, f"#move-{keyed.pk}-date", new_day)
    _tab_to(page, f"#move-{keyed.pk}-time")
    page.keyboard.type("1645")
    _tab_to(page, f"#move-{keyed.pk} button")
    page.keyboard.press("Enter")
    message = page.locator(".message.success")
    expect(message).to_contain_text("“Azubi-Tag” now goes out on")
    expect(message).to_contain_text("goes back to review")
    assert _local(keyed) == _at(new_day, 16, 45)
    keyed.refresh_from_db()
    assert keyed.status == PostStatus.IN_REVIEW

    # Undo, by keyboard too: back to Wednesday 09:00.
    undo = page.get_by_role("button", name="Undo: move “Azubi-Tag” back")
    undo.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message.success")).to_contain_text("“Azubi-Tag” now goes out on")
    assert _local(keyed) == _at(monday + timedelta(days=2), 9, 0)

    # A time in the past is refused with the reason, and nothing moves.
    page.locator(f"#post-{keyed.pk} summary").click()
    page.locator(f"#move-{keyed.pk}-date").fill((today - timedelta(days=3)).isoformat())
    page.locator(f"#move-{keyed.pk} button").click()
    expect(page.locator(".message.error")).to_contain_text("This time is in the past.")
    assert _local(keyed) == _at(monday + timedelta(days=2), 9, 0)
    assert console_errors == []

    # Pages for the screenshots, in English and in German.
    page.goto(f"{live_server.url}/publishing/slots/")
    _shot(page, "calendar-slots-en")
    page.goto(f"{live_server.url}/publishing/calendar/feed/")
    page.get_by_role("button", name="Make my calendar address").click()
    _shot(page, "calendar-feed-en")
    User.objects.filter(pk=manager.pk).update(language="de")
    for name, path in [
        ("month", f"/publishing/calendar/?view=month&date={monday.isoformat()}"),
        ("week", f"/publishing/calendar/?view=week&date={monday.isoformat()}"),
        ("list", f"/publishing/calendar/?view=list&date={monday.isoformat()}"),
        ("slots", "/publishing/slots/"),
        ("feed", "/publishing/calendar/feed/"),
    ]:
        page.goto(live_server.url + path)
        _shot(page, f"calendar-{name}-de")
    expect(page.locator("h1")).to_have_text("Ihre Kalenderadresse")
