"""Onboarding checklists: each item done as the data says, progress per person for managers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.goals import guideline_services as services
from socialdesk.goals.guideline_models import OnboardingMark
from socialdesk.goals.guideline_selectors import checklist, onboarding_progress
from socialdesk.publishing.models import Idea

pytestmark = pytest.mark.django_db


def done(user: User) -> dict[str, bool]:
    return {entry.item.value: entry.done for entry in checklist(user)}


def test_it_ticks_each_item_from_the_data(people: dict[str, User]) -> None:
    alex, max_ = people["agent"], people["manager"]
    guidelines = services.publish(by=Acting(user=max_), title="Leitlinien", text="x")
    assert done(alex) == {
        "guidelines": False, "two_factor": False, "inbox_tour": False, "first_idea": False
    }  # fmt: skip
    services.confirm(by=Acting(user=alex), publication=guidelines)
    TOTPDevice.objects.create(user=alex, name="phone", confirmed=False)
    assert done(alex)["guidelines"] and not done(alex)["two_factor"]  # not confirmed yet
    TOTPDevice.objects.filter(user=alex).update(confirmed=True)
    Idea.objects.create(title="Lego", what_happened="x", submitted_by=alex)
    services.mark_onboarding(by=Acting(user=alex), item="inbox_tour")
    assert all(done(alex).values())
    # A new version: the guidelines are to read again.
    services.publish(by=Acting(user=max_), title="Leitlinien", text="y")
    assert not done(alex)["guidelines"]


def test_it_lets_only_the_tour_be_ticked_by_hand(people: dict[str, User]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.mark_onboarding(by=Acting(user=people["agent"]), item="first_idea")
    with pytest.raises(ValidationError):
        services.mark_onboarding(by=Acting(user=people["agent"]), item="\x00" * 300)
    assert OnboardingMark.objects.count() == 0


def test_it_marks_the_tour_on_the_page_and_undoes_it(people: dict[str, User]) -> None:
    client = Client()
    client.force_login(people["member"])
    client.post(reverse("goals:onboarding_tour"), {"done": "on"})
    client.post(reverse("goals:onboarding_tour"), {"done": "on"})  # twice: still one
    assert OnboardingMark.objects.filter(person=people["member"]).count() == 1
    page = client.get(reverse("goals:onboarding")).content.decode()
    assert "2 of 4 done (50 %)" in page
    client.post(reverse("goals:onboarding_tour"), {"done": ""})
    assert OnboardingMark.objects.count() == 0


def test_it_shows_progress_per_person_to_managers(people: dict[str, User]) -> None:
    Idea.objects.create(title="Lego", what_happened="x", submitted_by=people["viewer"])
    rows = {row.person.email: row.share.done for row in onboarding_progress()}
    # No guidelines published yet: nothing to read, so that item is done for everyone.
    assert rows["vic@example.com"] == 2 and rows["alex@example.com"] == 1
    client = Client()
    client.force_login(people["manager"])
    page = client.get(reverse("goals:onboarding_people")).content.decode()
    assert "Vic Viewer" in page and "2 of 4" in page
    member = Client()
    member.force_login(people["member"])
    assert member.get(reverse("goals:onboarding_people")).status_code == 403
