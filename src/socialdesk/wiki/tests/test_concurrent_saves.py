"""Two people save the same page at the same moment (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from socialdesk.wiki.models import WikiDraft, WikiPage, WikiRevision
from socialdesk.wiki.page_services import EditConflict, page_create, page_keep_draft, page_save

from .helpers import acting, org_space

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL pass"),
]


def test_it_lets_one_of_two_simultaneous_saves_win_and_keeps_the_other(people):
    page = page_create(by=acting(people["agent"]), space=org_space(), title="Preise", body="alt")
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(role: str) -> None:
        try:
            barrier.wait()
            try:
                page_save(by=acting(people[role]), page=page, title="Preise", body=f"von {role}", base_revision=1)  # fmt: skip
                outcome[role] = "saved"
            except EditConflict:
                page_keep_draft(by=acting(people[role]), page=page, title="Preise", body=f"von {role}", base_revision=1)  # fmt: skip
                outcome[role] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(role,)) for role in ("agent", "manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcome.values()) == ["conflict", "saved"]
    winner = next(role for role, result in outcome.items() if result == "saved")
    loser = next(role for role, result in outcome.items() if result == "conflict")
    assert WikiPage.objects.get(pk=page.pk).body == f"von {winner}"
    assert WikiRevision.objects.filter(page=page).count() == 2
    assert WikiDraft.objects.get(page=page).body == f"von {loser}"
