"""The strategy and the guidelines as read-only wiki pages that follow every change in goals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.goals import guideline_services, strategy_services
from socialdesk.wiki.models import WikiPage

pytestmark = pytest.mark.django_db
SHOW = reverse("goals:strategy_wiki")


def _write(people, key: str, text: str) -> None:
    strategy_services.section_save(by=Acting(user=people["manager"]), key=key, text=text)


def test_it_shows_the_strategy_and_the_guidelines_for_everyone_in_the_wiki(
    people, departments, client_as, organisation
):
    organisation.default_language = "de"
    organisation.save()
    _write(people, "tone", "Wir duzen auf Mastodon und siezen auf LinkedIn.")
    _write(people, "crisis", "Erst intern abstimmen, dann antworten.")
    by = Acting(user=people["manager"])
    guideline_services.publish(by=by, title="Leitlinien", text="Seid freundlich.")
    guideline_services.publish(
        by=by, title="Nur Recht", text="Vertraulich", everyone=False,
        departments=[departments["Legal"]],
    )  # fmt: skip
    assert not WikiPage.objects.exists()  # nothing in the wiki before a manager asks
    response = client_as("manager").post(SHOW)
    strategy = WikiPage.objects.get(managed_by="goals.strategy")
    assert response["Location"] == reverse("wiki:page", args=[strategy.pk])
    assert "## Tonalität\n\nWir duzen" in strategy.body  # in the organisation's language
    assert strategy.body.index("Wir duzen") < strategy.body.index("Erst intern")
    titles = set(WikiPage.objects.values_list("title", flat=True))
    assert "Leitlinien" in titles and "Nur Recht" not in titles  # departments only: not shown
    page = client_as("member").get(reverse("wiki:page", args=[strategy.pk])).content.decode()
    assert "Wir duzen auf Mastodon" in page
    edit = client_as("manager").get(reverse("wiki:page_edit", args=[strategy.pk]))
    assert edit.status_code == 403  # read-only in the wiki: goals is the source


def test_it_follows_every_later_change_in_the_same_transaction(people, client_as):
    _write(people, "tone", "Erste Fassung.")
    client_as("manager").post(SHOW)
    page = WikiPage.objects.get(managed_by="goals.strategy")
    _write(people, "tone", "Zweite Fassung.")
    page.refresh_from_db()
    assert "Zweite Fassung." in page.body and "Erste Fassung" not in page.body
    assert page.revisions.count() == 2
    _write(people, "tone", "Zweite Fassung.")  # the same text: no new revision
    assert page.revisions.count() == 2
    by = Acting(user=people["manager"])
    guideline_services.publish(by=by, title="Leitlinien", text="Version eins.")
    guideline_services.publish(by=by, title="Leitlinien", text="Version zwei.")
    guideline = WikiPage.objects.get(title="Leitlinien")
    assert "Version zwei." in guideline.body and "Version eins" not in guideline.body


def test_it_lets_only_managers_put_the_strategy_in_the_wiki(people, client_as):
    assert client_as("agent").post(SHOW).status_code == 403
    assert not WikiPage.objects.exists()
    people["manager"].language = "de"
    people["manager"].save()
    page = client_as("manager").get(reverse("goals:strategy")).content.decode()
    assert "Im Wiki zeigen" in page
    client_as("manager").post(SHOW)
    page = client_as("manager").get(reverse("goals:strategy")).content.decode()
    assert "Im Wiki ansehen" in page and "Im Wiki zeigen" not in page
