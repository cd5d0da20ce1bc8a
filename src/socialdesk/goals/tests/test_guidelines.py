"""Guidelines people actually read: versions, confirmations, the one reminder, safe Markdown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, User
from socialdesk.goals import guideline_services as services
from socialdesk.goals.guideline_models import Confirmation, ConfirmationReminder, Publication
from socialdesk.goals.guideline_selectors import share_per_department
from socialdesk.goals.markdown import render
from socialdesk.inbox.models import Notification

pytestmark = pytest.mark.django_db


def by(user: User) -> Acting:
    return Acting(user=user, ip="127.0.0.1")


def publish(manager: User, title: str = "Leitlinien", **kw: object) -> Publication:
    return services.publish(by=by(manager), title=title, text=kw.pop("text", "# Tone"), **kw)  # type: ignore[arg-type]


def test_it_publishes_v2_of_the_same_title_and_asks_to_confirm_again(
    people: dict[str, User],
) -> None:
    v1 = publish(people["manager"])
    services.confirm(by=by(people["agent"]), publication=v1)
    v2 = publish(people["manager"], text="# Tone, v2")
    assert (v1.version, v2.version) == (1, 2)
    with pytest.raises(ValidationError):
        services.confirm(by=by(people["member"]), publication=v1)
    assert not Confirmation.objects.filter(person=people["agent"], publication=v2).exists()
    services.confirm(by=by(people["agent"]), publication=v2)
    assert Confirmation.objects.filter(person=people["agent"]).count() == 2
    assert AuditEvent.objects.filter(action="guidelines.published").count() == 2
    assert AuditEvent.objects.filter(action="guidelines.confirmed").count() == 2


def test_it_lets_only_the_audience_confirm(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    p = publish(people["manager"], everyone=False, departments=[departments["Customer Service"]])
    with pytest.raises(PermissionDenied):
        services.confirm(by=by(people["member"]), publication=p)  # Product Development
    services.confirm(by=by(people["agent"]), publication=p)
    services.confirm(by=by(people["agent"]), publication=p)  # a double click: still one
    assert Confirmation.objects.filter(publication=p).count() == 1


def test_it_refuses_publishing_by_others_and_without_an_audience(
    people: dict[str, User],
) -> None:
    with pytest.raises(PermissionDenied):
        publish(people["agent"])
    with pytest.raises(ValidationError) as error:
        publish(people["manager"], everyone=False, departments=[])
    assert "departments" in error.value.message_dict


@pytest.mark.parametrize(
    ("title", "text", "field"),
    [
        ("\x00\x00", "text", "title"),
        ("x" * 201, "text", "title"),
        ("Titel", "\x00 ", "text"),
        ("Titel", "x" * 200_001, "text"),
    ],
)
def test_it_refuses_hostile_values_at_the_field(
    people: dict[str, User], title: str, text: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.publish(by=by(people["manager"]), title=title, text=text)
    assert field in error.value.message_dict
    assert Publication.objects.count() == 0


def test_it_stores_nul_bytes_removed(people: dict[str, User]) -> None:
    p = services.publish(by=by(people["manager"]), title="Leit\x00linien", text="A\x00B")
    p.refresh_from_db()
    assert (p.title, p.text) == ("Leitlinien", "AB")


def test_it_reminds_each_unconfirmed_person_once_in_their_language(
    people: dict[str, User], departments: dict[str, Department], settings: object
) -> None:
    people["agent"].language = "de"
    people["agent"].save()
    people["manager"].language = "en"
    people["manager"].save()
    p = publish(people["manager"], everyone=False, departments=[departments["Customer Service"]])
    services.confirm(by=by(people["manager"]), publication=p)
    assert services.send_confirmation_reminders() == 0  # not three days yet
    later = timezone.now() + timedelta(days=3, minutes=1)
    assert services.send_confirmation_reminders(later) == 1  # Alex (agent), not Max
    assert services.send_confirmation_reminders(later) == 0  # once
    assert ConfirmationReminder.objects.get().person == people["agent"]
    note = Notification.objects.get(user=people["agent"])
    assert note.title == "Bitte lesen und bestätigen: Leitlinien (Fassung 1)"
    assert note.link == reverse("goals:publication", args=[p.pk])


def test_it_sends_the_reminder_by_e_mail(
    people: dict[str, User], django_capture_on_commit_callbacks: object
) -> None:
    people["viewer"].language = "de"
    people["viewer"].save()
    publish(people["manager"])
    later = timezone.now() + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sent = services.send_confirmation_reminders(later)
    assert sent == 5  # everyone of the five
    viewer_mail = [m for m in mail.outbox if m.to == [people["viewer"].email]]
    assert viewer_mail[0].subject == "Bitte lesen und bestätigen: Leitlinien (Fassung 1)"
    assert "„Ich habe es gelesen“" in viewer_mail[0].body


def test_it_shows_the_share_per_department(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    p = publish(people["manager"], everyone=False, departments=[departments["Customer Service"]])
    services.confirm(by=by(people["agent"]), publication=p)
    [row] = share_per_department(p)
    assert (row.department, row.share.done, row.share.total, row.share.percent) == (
        departments["Customer Service"],
        1,
        2,
        50,
    )
    client = Client()
    client.force_login(people["manager"])
    page = client.get(reverse("goals:publication", args=[p.pk])).content.decode()
    assert "1 of 2 (50 %)" in page


def test_it_shows_members_only_what_is_addressed_to_them(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    legal = publish(people["manager"], "Recht", everyone=False, departments=[departments["Legal"]])
    mine = publish(
        people["manager"],
        "Produkt",
        everyone=False,
        departments=[departments["Product Development"]],
    )
    everyone = publish(people["manager"], "Alle")
    client = Client()
    client.force_login(people["member"])
    listing = client.get(reverse("goals:publications")).content.decode()
    assert "Produkt" in listing and "Alle" in listing and "Recht" not in listing
    assert client.get(reverse("goals:publication", args=[legal.pk])).status_code == 404
    assert client.post(reverse("goals:publication_confirm", args=[legal.pk])).status_code == 404
    client.post(reverse("goals:publication_confirm", args=[mine.pk]))
    client.post(reverse("goals:publication_confirm", args=[everyone.pk]))
    assert Confirmation.objects.filter(person=people["member"]).count() == 2


def test_it_publishes_through_the_form_with_errors_at_the_field(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    client = Client()
    client.force_login(people["manager"])
    url = reverse("goals:publication_new")
    bad = client.post(url, {"title": "T", "text": "x", "audience": "departments"})
    assert "Choose the departments, or publish to everyone." in bad.content.decode()
    ok = client.post(
        url,
        {"title": "T", "text": "x", "audience": "departments",
         "departments": [departments["Legal"].pk]},
    )  # fmt: skip
    p = Publication.objects.get()
    assert ok["Location"] == reverse("goals:publication", args=[p.pk])
    assert list(p.departments.all()) == [departments["Legal"]] and not p.everyone
    agent = Client()
    agent.force_login(people["agent"])
    assert agent.post(url, {"title": "T", "text": "x", "audience": "everyone"}).status_code == 403


def test_it_renders_markdown_without_raw_html_or_javascript_links() -> None:
    html = render(
        "# Ton\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
        "[klick](javascript:alert(1)) [ok](https://example.com) **fett**\x00"
    )
    assert "<h1>Ton</h1>" in html
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html.lower() and "&lt;script&gt;" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<strong>fett</strong>" in html


def test_it_asks_only_the_audience_to_read_in_the_list(
    people: dict[str, User], departments: dict[str, Department]
) -> None:
    publish(people["manager"], everyone=False, departments=[departments["Legal"]])
    client = Client()
    client.force_login(people["agent"])  # sees it (the team sees all), is not asked to read it
    page = client.get(reverse("goals:publications")).content.decode()
    assert "Leitlinien" in page and "to read" not in page
    services.publish(by=by(people["manager"]), title="Alle", text="x")
    assert "to read" in client.get(reverse("goals:publications")).content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "\x00", "1e9", "x" * 5000])
def test_it_answers_hostile_ids_calmly(people: dict[str, User], value: str) -> None:
    client = Client()
    client.force_login(people["manager"])
    page = client.get(reverse("goals:publication_new"), {"from": value})
    assert page.status_code == 200 and 'name="title"' in page.content.decode()
    people_page = client.get(reverse("goals:onboarding_people"), {"department": value})
    assert people_page.status_code == 200
    huge = "/goals/guidelines/99999999999999999999999/"
    assert client.get(huge).status_code == 404
    assert client.get("/goals/adoption/99999999999999999999999/").status_code == 404
