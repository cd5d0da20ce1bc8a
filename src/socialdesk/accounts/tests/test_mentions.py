"""`accounts.mentions`: who an `@name` means, the same for notes, rooms and the wiki."""

from __future__ import annotations

import pytest

from socialdesk.accounts.mentions import mentioned_names, people_mentioned
from socialdesk.accounts.models import Role, User


def test_it_reads_the_names_after_an_at_sign():
    text = "@Anna.Schmidt bitte, und @max. Nicht: mail@example.com, a@"
    assert mentioned_names(text) == {"anna.schmidt", "max"}


@pytest.mark.django_db
def test_it_finds_people_by_email_name_or_first_name(people):
    anna = User.objects.create_user(
        "anna.schmidt@example.com", "pw", full_name="Anna Schmidt", role=Role.AGENT
    )
    gone = User.objects.create_user("annika@example.com", "pw", full_name="Anni", role=Role.AGENT)
    gone.is_active = False
    gone.save()
    assert people_mentioned("@anna.schmidt") == [anna]
    assert set(people_mentioned("@ANNA und @max.")) == {anna, people["manager"]}
    assert people_mentioned("@anni") == []  # only active people
    assert people_mentioned("ohne Erwähnung") == []
