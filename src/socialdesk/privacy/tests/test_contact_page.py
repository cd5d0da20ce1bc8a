"""The contact page: managers see the person, export their data and erase them."""

from __future__ import annotations

import json

from django.urls import reverse

from socialdesk.accounts.models import AuditEvent
from socialdesk.inbox.models import Contact, Message
from socialdesk.privacy.tests.test_privacy import SECRET, world  # noqa: F401 - fixture


def test_it_shows_the_person_and_links_it_from_the_conversation(world, client_as):  # noqa: F811
    kim = world["kim"]
    page = client_as("manager").get(reverse("inbox:conversation", args=[kim.pk])).content.decode()
    contact_url = reverse("privacy:contact", args=[kim.contact_id])
    assert contact_url in page
    assert (
        contact_url
        not in client_as("agent").get(reverse("inbox:conversation", args=[kim.pk])).content.decode()
    )
    html = client_as("manager").get(contact_url).content.decode()
    assert "Kim &lt;b&gt;Kunde&lt;/b&gt;" in html and "kim_k" in html
    assert reverse("inbox:conversation", args=[kim.pk]) in html
    assert reverse("privacy:contact_erase", args=[kim.contact_id]) in html
    assert client_as("agent").get(contact_url).status_code == 403
    assert client_as("member").get(contact_url).status_code == 403


def test_it_downloads_the_export_in_the_readers_language(world, client_as, people):  # noqa: F811
    contact_id = world["kim"].contact_id
    people["manager"].language = "de"
    people["manager"].save()
    client = client_as("manager")
    response = client.get(reverse("privacy:contact_export", args=[contact_id, "json"]))
    assert response["Content-Disposition"] == f'attachment; filename="contact-{contact_id}.json"'
    assert json.loads(response.content)["messages"][0]["text"] == f"Meine {SECRET} ist kaputt?"
    html = client.get(reverse("privacy:contact_export", args=[contact_id, "html"])).content.decode()
    assert f"Gespeicherte Daten zu Kontakt #{contact_id}" in html and SECRET in html
    assert (
        client.get(reverse("privacy:contact_export", args=[contact_id, "pdf"])).status_code == 404
    )
    assert AuditEvent.objects.filter(action="contact.exported").count() == 2


def test_it_asks_before_erasing_and_says_what_goes(world, client_as):  # noqa: F811
    contact_id = world["kim"].contact_id
    client = client_as("admin")
    url = reverse("privacy:contact_erase", args=[contact_id])
    page = client.get(url).content.decode()
    assert "2 messages will be replaced by “[erased]” (conversations: 1)." in page
    assert "2 internal notes about the person" in page
    assert Contact.objects.filter(pk=contact_id).exists()

    response = client.post(url, follow=True)
    assert (
        f"Contact #{contact_id} erased (conversations: 1, messages: 2)."
        in response.content.decode()
    )
    assert not Contact.objects.filter(pk=contact_id).exists()
    assert not Message.objects.filter(text__contains=SECRET).exists()
    assert client.get(url).status_code == 404


def test_the_team_reads_the_erasure_mark_in_its_own_language(world, client_as, people):  # noqa: F811
    kim = world["kim"]
    client_as("admin").post(reverse("privacy:contact_erase", args=[kim.contact_id]))
    people["agent"].language = "de"
    people["agent"].save()
    german = client_as("agent")
    for url in (
        reverse("inbox:list") + "?status=any",
        reverse("inbox:conversation", args=[kim.pk]),
    ):
        page = german.get(url).content.decode()
        assert "[gelöscht]" in page and "[erased]" not in page
    english = client_as("viewer").get(reverse("inbox:conversation", args=[kim.pk]))
    assert "[erased]" in english.content.decode()
