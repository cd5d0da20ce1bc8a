"""Pages: revisions, conflicts, restore, moves, links, limits, and who may read and edit."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent
from socialdesk.core import changes
from socialdesk.spaces.models import Room
from socialdesk.wiki import selectors
from socialdesk.wiki.merge import has_conflict_markers, merge3
from socialdesk.wiki.models import WikiDraft, WikiLink, WikiPage, WikiRevision
from socialdesk.wiki.page_services import (
    EditConflict,
    page_create,
    page_delete,
    page_keep_draft,
    page_move,
    page_restore,
    page_save,
    page_sync_managed,
)
from socialdesk.wiki.space_services import space_ensure_for_room

from .helpers import acting, org_space, private_room_space

pytestmark = pytest.mark.django_db


def test_it_keeps_a_revision_per_save_and_none_for_equal_text(people):
    agent = acting(people["agent"])
    page = page_create(by=agent, space=org_space(), title="Rückerstattung", body="Eins")
    page = page_save(by=agent, page=page, title="Rückerstattung", body="Zwei", base_revision=1)
    page = page_save(by=agent, page=page, title="Rückerstattung", body="Zwei", base_revision=2)
    assert page.revision == 2
    assert list(page.revisions.values_list("number", "body")) == [(2, "Zwei"), (1, "Eins")]
    assert AuditEvent.objects.filter(action="wiki.page_saved").count() == 1


def test_it_tells_the_search_about_every_saved_page(people):
    heard: list[tuple[str, tuple[int, ...]]] = []
    saved = changes._forget_listeners()
    changes.listen(lambda source, ids: heard.append((source, ids)))
    try:
        page = page_create(by=acting(people["agent"]), space=org_space(), title="A", body="x")
        page_save(by=acting(people["agent"]), page=page, title="A", body="y", base_revision=1)
    finally:
        changes._forget_listeners()
        for listener in saved:
            changes.listen(listener)
    assert heard == [("wiki.page", (page.pk,)), ("wiki.page", (page.pk,))]


def test_it_overwrites_nothing_when_two_people_save_the_same_page(people):
    anna, ben = acting(people["agent"]), acting(people["manager"])
    base = "Ticket\n\nZug fällt aus\n\nGeld zurück\n"
    page = page_create(by=anna, space=org_space(), title="Zugausfall", body=base)
    page_save(by=anna, page=page, title="Zugausfall", body=base.replace("Ticket", "Fahrkarte"), base_revision=1)  # fmt: skip
    mine = base.replace("Geld zurück", "Geld zurück in 14 Tagen")
    with pytest.raises(EditConflict) as raised:
        page_save(by=ben, page=page, title="Zugausfall", body=mine, base_revision=1)
    conflict = raised.value
    assert conflict.current.revision == 2 and conflict.base is not None
    assert conflict.body == mine
    page.refresh_from_db()
    assert page.body.startswith("Fahrkarte") and page.revision == 2
    page_keep_draft(by=ben, page=page, title="Zugausfall", body=mine, base_revision=1)
    assert WikiDraft.objects.get(page=page, user=people["manager"]).body == mine
    merged = merge3(conflict.base.body, mine, conflict.current.body)
    assert merged.conflicts == 0
    assert merged.text == "Fahrkarte\n\nZug fällt aus\n\nGeld zurück in 14 Tagen\n"
    page_save(by=ben, page=page, title="Zugausfall", body=merged.text, base_revision=2)
    assert WikiPage.objects.get(pk=page.pk).body == merged.text
    assert not WikiDraft.objects.filter(page=page).exists()


def test_it_marks_overlapping_changes_for_the_writer_to_resolve():
    merged = merge3("a\nb\nc\n", "a\nB1\nc\n", "a\nB2\nc\n", mine_label="Ihre", theirs_label="Anna")
    assert merged.conflicts == 1
    assert merged.text == "a\n<<<<<<< Ihre\nB1\n=======\nB2\n>>>>>>> Anna\nc\n"
    assert has_conflict_markers(merged.text)
    assert merge3("a\n", "a\nx\n", "y\na\n").text == "y\na\nx\n"


def test_it_restores_an_old_version_as_a_new_one(people):
    agent = acting(people["agent"])
    page = page_create(by=agent, space=org_space(), title="Preise", body="alt")
    page = page_save(by=agent, page=page, title="Preise neu", body="neu", base_revision=1)
    page = page_restore(by=agent, page=page, number=1)
    assert (page.revision, page.title, page.body) == (3, "Preise", "alt")
    newest = page.revisions.get(number=3)
    assert newest.restored_from == 1 and "1" in newest.note
    assert WikiRevision.objects.filter(page=page).count() == 3


def test_it_keeps_the_plain_text_of_every_version_the_search_reads(people):
    agent = acting(people["agent"])
    page = page_create(by=agent, space=org_space(), title="Preise", body="## Tarif\n\n**alt**")
    assert WikiPage.objects.get(pk=page.pk).plain_text == "Tarif\nalt"
    page = page_save(
        by=agent, page=page, title="Preise", body="| Zone | Preis |\n|---|---|\n| A | 3 € |",
        base_revision=1,
    )  # fmt: skip
    assert WikiPage.objects.get(pk=page.pk).plain_text == "Zone\nPreis\nA\n3 €"
    page_restore(by=agent, page=page, number=1)
    assert WikiPage.objects.get(pk=page.pk).plain_text == "Tarif\nalt"


def test_its_plain_text_reads_as_the_page_does(people):
    body = "## Aufgaben\n\n- [ ] FAQ zu [[Rückerstattung]] prüfen\n- [x] [[handbuch:Sturm|Playbook]] lesen"
    page = page_create(by=acting(people["agent"]), space=org_space(), title="Team", body=body)
    assert page.plain_text == "Aufgaben\nFAQ zu Rückerstattung prüfen\nPlaybook lesen"
    WikiPage.objects.filter(pk=page.pk).update(
        plain_text="[[alt]]"
    )  # as the column came from the migration
    importlib.import_module("socialdesk.wiki.migrations.0002_page_plain_text").fill(
        django_apps, None
    )
    assert WikiPage.objects.get(pk=page.pk).plain_text == page.plain_text


def test_the_migration_gives_existing_pages_their_plain_text(people):
    agent, space = acting(people["agent"]), org_space()
    pages = [
        page_create(by=agent, space=space, title=f"Seite {n}", body=f"# Teil {n}\n\n*kursiv*")
        for n in range(3)
    ]
    WikiPage.objects.update(plain_text="")  # as the column came from the migration
    fill = importlib.import_module("socialdesk.wiki.migrations.0002_page_plain_text").fill
    fill(django_apps, None)
    assert [WikiPage.objects.get(pk=p.pk).plain_text for p in pages] == [
        f"Teil {n}\nkursiv" for n in range(3)
    ]


def test_it_refuses_moving_a_page_under_its_own_subpage(people):
    agent = acting(people["agent"])
    space = org_space()
    top = page_create(by=agent, space=space, title="Oben")
    child = page_create(by=agent, space=space, title="Mitte", parent=top)
    grandchild = page_create(by=agent, space=space, title="Unten", parent=child)
    with pytest.raises(ValidationError) as raised:
        page_move(by=agent, page=top, parent=grandchild)
    assert "parent" in raised.value.message_dict
    with pytest.raises(ValidationError):
        page_move(by=agent, page=top, parent=top)
    page_move(by=agent, page=grandchild, parent=None)
    assert [node.page.title for node in selectors.page_tree(people["agent"], space)] == [
        "Oben", "Mitte", "Unten",
    ]  # fmt: skip


def test_it_links_pages_lists_missing_ones_and_resolves_them_when_created(people):
    agent = acting(people["agent"])
    space = org_space()
    other = org_space("technik", "Technik")
    source = page_create(
        by=agent, space=space, title="Start", body="Siehe [[Erstattung]] und [[technik:Server]]."
    )
    missing = {(m.space.key, m.title) for m in selectors.missing_links(people["viewer"])}
    assert missing == {("handbuch", "Erstattung"), ("technik", "Server")}
    target = page_create(by=agent, space=space, title="erstattung")
    page_create(by=agent, space=other, title="Server")
    assert WikiLink.objects.filter(source=source, target__isnull=True).count() == 0
    assert list(selectors.backlinks(people["viewer"], target)) == [source]
    assert selectors.missing_links(people["viewer"]) == []
    page_save(by=agent, page=target, title="Erstattung bei Ausfall", body="", base_revision=1)
    assert WikiLink.objects.get(source=source, target_title_key="erstattung").target == target
    page_delete(by=agent, page=target)
    assert [m.title for m in selectors.missing_links(people["viewer"])] == ["Erstattung"]


def test_it_refuses_a_second_page_with_the_same_title(people):
    agent = acting(people["agent"])
    space = org_space()
    page_create(by=agent, space=space, title="Kündigung")
    with pytest.raises(ValidationError) as raised:
        page_create(by=agent, space=space, title="  KÜNDIGUNG ")
    assert raised.value.message_dict["title"] == [
        "A page with this title already exists in this space."
    ]


def test_it_refuses_a_huge_paste_and_an_over_long_title_at_the_field(people):
    agent = acting(people["agent"])
    with pytest.raises(ValidationError) as raised:
        page_create(by=agent, space=org_space(), title="T" * 201, body="x" * 200_001)
    errors = raised.value.message_dict
    assert errors["title"] == ["Please shorten to 200 characters (now 201)."]
    assert errors["body"] == ["Please shorten to 200,000 characters (now 200,001)."]
    assert not WikiPage.objects.exists()


def test_it_keeps_nul_bytes_out_of_what_it_stores(people):
    page = page_create(by=acting(people["agent"]), space=org_space(), title="A\x00B", body="x\x00y")
    page.refresh_from_db()
    assert (page.title, page.body) == ("AB", "xy")


def test_it_lets_only_members_read_and_edit_a_private_rooms_space(people):
    space = private_room_space([people["member"]])
    org = org_space()
    assert set(selectors.spaces_for_user(people["member"])) == {space, org}
    assert set(selectors.spaces_for_user(people["admin"])) == {org}
    assert selectors.may_edit(people["member"], space)
    assert not selectors.may_edit(people["agent"], space)
    assert not selectors.may_edit(people["viewer"], org)
    with pytest.raises(PermissionDenied):
        page_create(by=acting(people["agent"]), space=space, title="Plan")
    page = page_create(by=acting(people["member"]), space=space, title="Plan")
    assert not selectors.pages_for_user(people["admin"]).filter(pk=page.pk).exists()
    room = space.room
    assert room is not None
    room.archived_at = timezone.now()
    room.save()
    space.refresh_from_db()
    assert not selectors.may_edit(people["member"], space)


def test_it_gives_a_public_room_one_space_on_first_use(people):
    room = Room.objects.create(name="Fahrplanwechsel 2027")
    first = space_ensure_for_room(by=acting(people["agent"]), room=room)
    assert space_ensure_for_room(by=acting(people["agent"]), room=room) == first
    assert first.key == "raum-fahrplanwechsel-2027"
    assert first in selectors.spaces_for_user(people["viewer"])


def test_the_demo_fills_a_handbook_with_links_and_a_page_to_review(people):
    from socialdesk.shell import demo_wiki

    assert demo_wiki.fill() == 4
    assert WikiPage.objects.get(title="Rückerstattung bei Zugausfall").revision == 2
    assert [m.title for m in selectors.missing_links(people["viewer"])] == ["Tonalität"]
    assert selectors.review_due(people["viewer"]).count() == 1


def test_it_keeps_a_managed_page_in_step_and_read_only_in_the_wiki(people):
    from socialdesk.wiki.signals import page_saved

    heard: list[int] = []

    def listener(sender: object, page: WikiPage, **kwargs: object) -> None:
        heard.append(page.revision)

    page_saved.connect(listener)
    try:
        manager = acting(people["manager"])
        space = org_space("strategie", "Strategie")
        first = page_sync_managed(by=manager, source_key="goals.strategy.vision", space=space, title="Vision", body="Eins")  # fmt: skip
        again = page_sync_managed(by=manager, source_key="goals.strategy.vision", space=space, title="Vision", body="Zwei")  # fmt: skip
        same = page_sync_managed(by=manager, source_key="goals.strategy.vision", space=space, title="Vision", body="Zwei")  # fmt: skip
    finally:
        page_saved.disconnect(listener)
    assert first.pk == again.pk == same.pk and same.revision == 2
    assert heard == [2]
    assert not selectors.may_edit_page(people["admin"], same)
    with pytest.raises(PermissionDenied):
        page_save(by=manager, page=same, title="Vision", body="Drei", base_revision=2)
