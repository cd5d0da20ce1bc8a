"""A saved reply that follows a wiki page: made from the page's answer, changed with the page,
read-only in the inbox while it follows, released when the page goes to the trash."""

from __future__ import annotations

import pytest
from django.urls import reverse

from socialdesk.inbox.models import SavedReply
from socialdesk.wiki import page_services
from socialdesk.wiki.replies import section_text
from socialdesk.wiki.tests.helpers import acting, org_space

pytestmark = pytest.mark.django_db

BODY = """## Frage

> Wie bekomme ich mein Geld zurück?

## Antwort

Hallo {name}, das **Formular** steht unter https://nordbahn.example/erstattung.

### Fristen

Binnen eines Jahres.

## Quelle

Richtlinie Erstattung
"""


def _page(people, body: str = BODY):
    return page_services.page_create(
        by=acting(people["manager"]),
        space=org_space(),
        title="Erstattung nach Zugausfall",
        body=body,
    )


def test_it_takes_the_answer_section_with_its_subsections():
    answer = section_text(BODY)
    assert answer.startswith("Hallo {name}") and "Binnen eines Jahres." in answer
    assert "Richtlinie" not in answer and "Wie bekomme" not in answer
    assert section_text("Nur Text ohne Überschrift") == "Nur Text ohne Überschrift"


def test_it_makes_a_saved_reply_that_changes_with_the_page(people, client_as):
    page = _page(people)
    client = client_as("agent")
    response = client.post(reverse("wiki:page_reply", args=[page.pk]))
    assert response.status_code == 302
    saved = SavedReply.objects.get()
    assert saved.title == "Erstattung nach Zugausfall"
    assert saved.body.startswith("Hallo {name}, das Formular steht unter")  # plain text
    assert "**" not in saved.body and "Binnen eines Jahres." in saved.body
    assert saved.source_url == reverse("wiki:page", args=[page.pk])
    page_services.page_save(
        by=acting(people["manager"]),
        page=page,
        title=page.title,
        body=BODY.replace("Binnen eines Jahres.", "Binnen drei Monaten."),
        base_revision=page.revision,
    )
    saved.refresh_from_db()
    assert "Binnen drei Monaten." in saved.body and "Binnen eines Jahres" not in saved.body
    # A second click keeps the one reply.
    client.post(reverse("wiki:page_reply", args=[page.pk]))
    assert SavedReply.objects.count() == 1


def test_it_keeps_the_text_read_only_in_the_inbox_while_it_follows(people, client_as):
    page = _page(people)
    client = client_as("manager")
    people["manager"].language = "de"
    people["manager"].save()
    client.post(reverse("wiki:page_reply", args=[page.pk]))
    saved = SavedReply.objects.get()
    edit = reverse("inbox:saved_reply_edit", args=[saved.pk])
    form = client.get(edit).content.decode()
    assert "Folgt der Wiki-Seite „Erstattung nach Zugausfall“" in form
    client.post(edit, {"title": "Erstattung", "body": "Überschrieben"})
    saved.refresh_from_db()
    assert saved.title == "Erstattung" and "Hallo {name}" in saved.body  # title only
    listing = client.get(reverse("inbox:saved_replies")).content.decode()
    assert "Folgt der Wiki-Seite" in listing


def test_it_releases_the_reply_when_the_page_goes_to_the_trash(people, client_as):
    page = _page(people)
    client_as("agent").post(reverse("wiki:page_reply", args=[page.pk]))
    page_services.page_delete(by=acting(people["manager"]), page=page)
    saved = SavedReply.objects.get()
    assert saved.source_url == "" and "Hallo {name}" in saved.body  # text kept, editable
    client_as("agent").post(
        reverse("inbox:saved_reply_edit", args=[saved.pk]), {"title": saved.title, "body": "Neu"}
    )
    saved.refresh_from_db()
    assert saved.body == "Neu"


def test_it_lets_only_the_team_make_saved_replies(people, client_as):
    page = _page(people)
    assert client_as("member").post(reverse("wiki:page_reply", args=[page.pk])).status_code == 403
    assert not SavedReply.objects.exists()
    page_html = client_as("agent").get(reverse("wiki:page", args=[page.pk])).content.decode()
    assert reverse("wiki:page_reply", args=[page.pk]) in page_html
