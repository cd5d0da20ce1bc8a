"""The wiki's pages: reading, writing, the merge screen, history and differences, lists."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from socialdesk.wiki.models import WikiDraft, WikiPage
from socialdesk.wiki.page_services import page_create, page_save

from .helpers import acting, org_space, private_room_space

pytestmark = pytest.mark.django_db


def test_it_shows_spaces_and_an_empty_state(client_as, people):
    page = client_as("viewer").get(reverse("wiki:index"))
    assert "There is no wiki space yet" in page.content.decode()
    space = org_space()
    page_create(by=acting(people["agent"]), space=space, title="Erste Seite")
    html = client_as("viewer").get(reverse("wiki:index")).content.decode()
    assert "Handbuch" in html and "Erste Seite" in html


def test_it_renders_links_existing_missing_and_hidden(client_as, people):
    agent = acting(people["agent"])
    space = org_space()
    secret_space = private_room_space([people["agent"]], name="Geheim")
    page_create(by=agent, space=space, title="Kulanz")
    page_create(by=agent, space=secret_space, title="Geheimplan")
    page = page_create(
        by=agent,
        space=space,
        title="Start",
        body=f"[[Kulanz|gute Kulanz]] [[Fehlt noch]] [[{secret_space.key}:Geheimplan]] "
        "[[x|<img src=x onerror=alert(1)>]] [[ungeschlossen",
    )
    html = client_as("member").get(reverse("wiki:page", args=[page.pk])).content.decode()
    kulanz = WikiPage.objects.get(title="Kulanz")
    assert f'<a href="/wiki/pages/{kulanz.pk}/" class="wiki-link"' in html
    assert ">gute Kulanz</a>" in html
    assert 'class="wiki-missing"' in html and "title=Fehlt+noch" in html
    assert "Geheimplan" in html and "wiki-link" not in html.split("Geheimplan")[0][-80:]
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "[[ungeschlossen" in html
    backlinks = client_as("viewer").get(reverse("wiki:page", args=[kulanz.pk])).content.decode()
    assert f'href="/wiki/pages/{page.pk}/"' in backlinks


def test_it_creates_a_page_from_a_template_in_the_readers_language(client_as, people):
    space = org_space()
    client = client_as("member")
    html = client.get(reverse("wiki:page_new") + f"?space={space.pk}&template=playbook", HTTP_ACCEPT_LANGUAGE="de").content.decode()  # fmt: skip
    assert "## Eskalation" in html
    html = client.get(reverse("wiki:page_new") + f"?space={space.pk}&template=meeting", HTTP_ACCEPT_LANGUAGE="en").content.decode()  # fmt: skip
    assert "- [ ] Who does what by when" in html
    response = client.post(
        reverse("wiki:page_new") + f"?space={space.pk}",
        {"title": "Besprechung", "body": "- [ ] Aufgabe", "template": "meeting"},
    )
    created = WikiPage.objects.get(title="Besprechung")
    assert response.status_code == 302 and created.template == "meeting"
    shown = client.get(reverse("wiki:page", args=[created.pk])).content.decode()
    assert 'type="checkbox"' in shown


def test_it_keeps_a_huge_paste_in_the_form_with_the_error_at_the_field(client_as, people):
    space = org_space()
    huge = "Ticketkauf " * 20_000  # 220,000 characters
    response = client_as("agent").post(
        reverse("wiki:page_new") + f"?space={space.pk}", {"title": "Zu lang", "body": huge}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please shorten to 200,000 characters (now 220,000)." in html
    assert huge.strip() in html
    assert not WikiPage.objects.exists()


def test_it_shows_the_merge_screen_when_someone_saved_meanwhile(client_as, people):
    page = page_create(by=acting(people["agent"]), space=org_space(), title="Zugausfall", body="a\nb\nc\n")  # fmt: skip
    page_save(by=acting(people["agent"]), page=page, title="Zugausfall", body="a\nANNA\nc\n", base_revision=1)  # fmt: skip
    client = client_as("manager")
    url = reverse("wiki:page_edit", args=[page.pk])
    form = {"title": "Zugausfall", "body": "a\nMAX\nc\n", "base_revision": "1", "note": ""}
    html = client.post(url, form).content.decode()
    assert "This page was changed meanwhile by Alex Agent (version 2)" in html
    assert "&lt;&lt;&lt;&lt;&lt;&lt;&lt; Your version" in html
    assert '<input type="hidden" name="base_revision" value="2"' in html
    assert WikiDraft.objects.get(page=page).body == "a\nMAX\nc\n"
    assert WikiPage.objects.get(pk=page.pk).body == "a\nANNA\nc\n"
    marked = client.post(url, {**form, "body": "a\n<<<<<<< x\nMAX\n=======\nANNA\n>>>>>>> y\nc\n", "base_revision": "2", "merging": "True"})  # fmt: skip
    assert "Please resolve the marked passages." in marked.content.decode()
    done = client.post(url, {**form, "body": "a\nANNA und MAX\nc\n", "base_revision": "2", "merging": "True"})  # fmt: skip
    assert done.status_code == 302
    assert WikiPage.objects.get(pk=page.pk).revision == 3
    assert not WikiDraft.objects.exists()


def test_it_shows_history_a_word_diff_and_restores(client_as, people):
    agent = acting(people["agent"])
    paragraphs = "\n\n".join(f"Absatz {i}" for i in range(12))
    page = page_create(by=agent, space=org_space(), title="Preise", body=paragraphs)
    page_save(by=agent, page=page, title="Preise", body=paragraphs.replace("Absatz 11", "Absatz elf"), base_revision=1)  # fmt: skip
    client = client_as("member")
    history = client.get(reverse("wiki:page_history", args=[page.pk])).content.decode()
    assert "?from=1&amp;to=2" in history
    diff = client.get(reverse("wiki:page_diff", args=[page.pk]) + "?from=1&to=2").content.decode()
    assert "<del" in diff and ">11</del>" in diff and ">elf</ins>" in diff
    assert "unchanged paragraphs" in diff and "Absatz 2\n" not in diff
    response = client.post(reverse("wiki:page_restore", args=[page.pk]), {"number": "1"})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.revision == 3 and page.body == paragraphs


def test_it_lists_missing_pages_and_pages_to_review(client_as, people):
    page = page_create(by=acting(people["agent"]), space=org_space(), title="Start", body="[[Kulanzregel]]")  # fmt: skip
    html = client_as("viewer").get(reverse("wiki:missing")).content.decode()
    assert "Kulanzregel" in html
    page.review_by = timezone.localdate()
    page.save()
    html = client_as("viewer").get(reverse("wiki:review_due")).content.decode()
    assert f'href="/wiki/pages/{page.pk}/"' in html


def test_it_hides_a_private_rooms_pages_from_non_members(client_as, people):
    space = private_room_space([people["member"]])
    page = page_create(by=acting(people["member"]), space=space, title="Vertraulich")
    assert client_as("agent").get(reverse("wiki:page", args=[page.pk])).status_code == 404
    assert client_as("agent").get(reverse("wiki:space", args=[space.pk])).status_code == 404
    assert client_as("member").get(reverse("wiki:page", args=[page.pk])).status_code == 200
    assert client_as("viewer").get(reverse("wiki:page_edit", args=[page.pk])).status_code == 403


def test_it_opens_a_rooms_wiki_from_the_room(client_as, people):
    from socialdesk.spaces.models import Room

    room = Room.objects.create(name="Fahrplanwechsel")
    response = client_as("member").get(reverse("wiki:room_space", args=[room.pk]))
    assert response.status_code == 302
    assert client_as("viewer").get(response["Location"]).status_code == 200


def test_it_brings_a_page_back_from_the_trash_with_its_links(client_as, people):
    agent = acting(people["agent"])
    space = org_space()
    target = page_create(by=agent, space=space, title="Kulanz")
    source = page_create(by=agent, space=space, title="Start", body="[[Kulanz]]")
    client = client_as("member")
    assert client.post(reverse("wiki:page_delete", args=[target.pk])).status_code == 302
    assert "Kulanz" in client.get(reverse("wiki:trash")).content.decode()
    assert client.get(reverse("wiki:page", args=[target.pk])).status_code == 404
    shown = client.get(reverse("wiki:page", args=[source.pk])).content.decode()
    assert 'class="wiki-missing"' in shown
    assert client.post(reverse("wiki:page_undelete", args=[target.pk])).status_code == 302
    shown = client.get(reverse("wiki:page", args=[source.pk])).content.decode()
    assert 'class="wiki-link"' in shown
    assert "The trash is empty." in client.get(reverse("wiki:trash")).content.decode()


def test_it_publishes_a_draft_and_lets_managers_rename_a_space(client_as, people):
    space = org_space()
    draft = page_create(by=acting(people["agent"]), space=space, title="Entwurf", status="draft")
    client = client_as("agent")
    assert 'action="/wiki/pages/' in client.get(reverse("wiki:page", args=[draft.pk])).content.decode()  # fmt: skip
    client.post(reverse("wiki:page_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"
    response = client_as("manager").post(
        reverse("wiki:space_edit", args=[space.pk]), {"name": "Team-Handbuch", "description": "x"}
    )
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.name, space.key) == ("Team-Handbuch", "handbuch")
