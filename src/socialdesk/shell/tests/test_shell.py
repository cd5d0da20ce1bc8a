"""The shell: language, time zone, navigation, areas to come, security headers."""

from __future__ import annotations

import datetime as dt

from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent


def test_it_shows_a_german_sign_in_page_to_a_browser_that_prefers_german(db):
    page = Client(headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}).get(
        reverse("accounts:login")
    )
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Passwort vergessen?" in html


def test_it_shows_an_english_sign_in_page_to_a_browser_that_prefers_english(db):
    html = (
        Client(headers={"Accept-Language": "en-GB,en;q=0.9"})
        .get(reverse("accounts:login"))
        .content.decode()
    )
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Forgot your password?" in html


def test_it_saves_the_chosen_language_with_the_person(client_as, people):
    client = client_as("agent")
    client.post(reverse("shell:set_language"), {"language": "de", "next": "/"})
    people["agent"].refresh_from_db()
    assert people["agent"].language == "de"
    # Another browser, which prefers English, still gets German for this person.
    other = Client(headers={"Accept-Language": "en"})
    other.force_login(people["agent"])
    assert "Übersicht" in other.get(reverse("shell:home")).content.decode()


def test_it_shows_dates_in_the_persons_language_and_time_zone(client_as, people):
    people["admin"].language, people["admin"].time_zone = "de", "America/New_York"
    people["admin"].save()
    AuditEvent.objects.create(
        action="settings.changed",
        actor_label="x",
        at=timezone.make_aware(dt.datetime(2026, 3, 2, 12, 0), dt.UTC),
    )
    html = client_as("admin").get(reverse("accounts:audit_log")).content.decode()
    assert "02.03.2026 07:00" in html  # 12:00 UTC is 07:00 in New York, written the German way


def test_it_opens_the_project_rooms_from_the_menu(client_as):
    response = client_as("agent").get(reverse("shell:spaces"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("spaces:rooms")
    assert "This area is not built yet." not in html  # issue 14 built it
    assert f'href="{reverse("shell:spaces")}" aria-current="page"' in html


def test_it_opens_goals_on_the_overview(client_as):
    response = client_as("agent").get(reverse("shell:goals"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("goals:dashboard")
    assert 'aria-current="page"' in response.content.decode()


def test_it_shows_navigation_by_role(client_as):
    viewer = client_as("viewer").get(reverse("shell:settings")).content.decode()
    admin = client_as("admin").get(reverse("shell:settings")).content.decode()
    assert reverse("accounts:audit_log") not in viewer
    assert reverse("accounts:audit_log") in admin


def test_it_sends_a_strict_content_security_policy(db):
    response = Client().get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_it_serves_its_own_static_assets(db):
    response = Client().get("/static/socialdesk/app.css")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert b"--accent" in b"".join(response.streaming_content)


def test_it_answers_a_friendly_404(client_as):
    response = client_as("agent").get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_it_reports_health_without_signing_in(db):
    assert Client().get(reverse("shell:healthz")).json() == {"status": "ok"}


def test_the_publishing_pages_share_a_sub_navigation_that_marks_where_you_are(client_as):
    from django.urls import reverse

    page = client_as("manager").get(reverse("publishing:ideas")).content.decode()
    nav = page[page.index('class="sub-nav"') :]
    nav = nav[: nav.index("</nav>")]
    for name in ("publishing:calendar", "publishing:posts", "publishing:campaigns",
                 "publishing:approval_steps", "publishing:slots"):  # fmt: skip
        assert f'href="{reverse(name)}"' in nav
    assert f'<a href="{reverse("publishing:ideas")}" aria-current="page">' in nav
    # A department member is offered only what they may open.
    member = client_as("member").get(reverse("publishing:calendar")).content.decode()
    assert reverse("publishing:ideas") in member and reverse("publishing:slots") not in member
    # The short "Tell us your story" address belongs to the story ideas.
    story = client_as("member").get("/story/").content.decode()
    assert f'<a href="{reverse("publishing:ideas")}" aria-current="page">' in story
    # Outside the area there is none.
    assert 'class="sub-nav"' not in client_as("manager").get(reverse("inbox:list")).content.decode()
