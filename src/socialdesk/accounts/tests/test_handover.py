"""The hand-over list: what a person still holds, from every app, on their page for admins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from socialdesk.accounts import handover
from socialdesk.accounts.handover import HandoverItem, HandoverSection
from socialdesk.accounts.models import User


@pytest.fixture
def providers() -> Iterator[None]:
    before = handover._forget_providers()

    def conversations(person: User, viewer: User) -> HandoverSection | None:
        if person.role != "agent":
            return None
        items = [HandoverItem(f"Unterhaltung #{n}", f"/inbox/{n}/") for n in (1, 2, 3)]
        return HandoverSection("Offene Unterhaltungen", items, more=12)

    def nothing(person: User, viewer: User) -> HandoverSection | None:
        return HandoverSection("Räume", [], more=0)

    handover.register(conversations)
    handover.register(conversations)
    handover.register(nothing)
    yield
    handover._forget_providers()
    for provider in before:
        handover.register(provider)


def test_it_collects_the_sections_that_hold_something(providers, people):
    sections = handover.sections_for(people["agent"], people["admin"])
    assert [(s.title, s.total) for s in sections] == [("Offene Unterhaltungen", 15)]
    assert handover.sections_for(people["viewer"], people["admin"]) == []


def test_it_links_only_inside_the_product():
    for url in ("javascript:alert(1)", "https://evil.example/", "//evil.example/"):
        with pytest.raises(ValueError):
            HandoverItem("x", url)


def test_it_shows_the_handover_to_admins_before_and_after_deactivating(
    providers, client_as, people
):
    people["admin"].language = "de"
    people["admin"].save()
    agent = people["agent"]
    admin = client_as("admin")
    page = admin.get(reverse("accounts:person_detail", args=[agent.pk])).content.decode()
    assert "Vor dem Deaktivieren zu übergeben" in page
    assert 'href="/inbox/2/">Unterhaltung #2</a>' in page and "und 12 weitere" in page
    assert "Räume" not in page
    admin.post(reverse("accounts:person_deactivate", args=[agent.pk]))
    page = admin.get(reverse("accounts:person_detail", args=[agent.pk])).content.decode()
    assert "Offene Übergabe" in page and "Unterhaltung #3" in page
    viewer_page = admin.get(reverse("accounts:person_detail", args=[people["viewer"].pk]))
    assert "Nichts zu übergeben." in viewer_page.content.decode()


def test_it_keeps_the_handover_from_everyone_but_admins(providers, client_as, people):
    page = client_as("manager").get(reverse("accounts:person_detail", args=[people["agent"].pk]))
    assert "Unterhaltung #1" not in page.content.decode()
    assert "hand over" not in page.content.decode()
