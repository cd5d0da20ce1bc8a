"""The kernel hook `core.changes`: listeners hear every change, inside the writer's transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from socialdesk.core import changes

Heard = list[tuple[str, tuple[int, ...]]]


@pytest.fixture
def heard() -> Iterator[Heard]:
    before = changes._forget_listeners()
    calls: Heard = []
    changes.listen(lambda source, ids: calls.append((source, ids)))
    yield calls
    changes._forget_listeners()
    for listener in before:
        changes.listen(listener)


@pytest.mark.django_db
def test_it_tells_every_listener_the_source_and_each_id_once(heard):
    with transaction.atomic():
        changes.changed("inbox.message", [3, 1, 3, 2])
        changes.changed("wiki.page", iter([7]))
        changes.changed("spaces.post", [])
    assert heard == [("inbox.message", (3, 1, 2)), ("wiki.page", (7,))]


@pytest.mark.django_db
def test_it_adds_a_listener_only_once(heard):
    def listener(source: str, ids: tuple[int, ...]) -> None:
        heard.append(("twice?", ids))

    changes.listen(listener)
    changes.listen(listener)
    with transaction.atomic():
        changes.changed("feedback.item", [5])
    assert heard == [("feedback.item", (5,)), ("twice?", (5,))]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_change_told_outside_a_transaction(heard):
    with pytest.raises(changes.OutsideTransaction, match=r"inbox\.note"):
        changes.changed("inbox.note", [1])
    assert heard == []


@pytest.mark.django_db(transaction=True)
@override_settings(CHANGES_REQUIRE_TRANSACTION=False, DEBUG=False)
def test_it_does_not_check_the_transaction_in_production(heard):
    changes.changed("inbox.note", [1])
    assert heard == [("inbox.note", (1,))]


@pytest.mark.django_db
def test_it_refuses_an_unknown_source(heard):
    with transaction.atomic(), pytest.raises(ValueError, match=r"inbox\.mesage"):
        changes.changed("inbox.mesage", [1])
    assert heard == []


@pytest.mark.django_db
def test_it_stays_silent_while_muted(heard):
    with transaction.atomic():
        with changes.muted(), changes.muted():
            changes.changed("publishing.post", [1])
        changes.changed("publishing.post", [2])
    assert heard == [("publishing.post", (2,))]


@pytest.mark.django_db(transaction=True)
def test_it_rolls_the_write_back_when_a_listener_fails(heard, people):
    from socialdesk.accounts.models import Department

    def broken(source: str, ids: tuple[int, ...]) -> None:
        raise RuntimeError("index full")

    changes.listen(broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        department = Department.objects.create(name="Presse")
        changes.changed("accounts.user", [department.pk])
    assert not Department.objects.filter(name="Presse").exists()


@pytest.mark.django_db
def test_inside_deferred_a_listener_that_can_catch_up_only_notes_and_catches_up_on_demand(heard):
    noted: Heard = []
    done: Heard = []

    def listener(source: str, ids: tuple[int, ...]) -> None:
        done.append((source, ids))

    def catch_up(*, jobs: int, progress: object, before: int = 0) -> int:
        done.extend(noted)
        caught = len(noted)
        noted.clear()
        return caught

    changes.listen(listener, later=lambda source, ids: noted.append((source, ids)))
    changes.listen(listener, catch_up=catch_up)
    with transaction.atomic(), changes.deferred():
        changes.changed("inbox.message", [1, 2])
    # the plain listener (like the wiki's) heard it at once; the other one only noted it
    assert heard == [("inbox.message", (1, 2))]
    assert noted == [("inbox.message", (1, 2))] and done == []
    with transaction.atomic():  # outside the block: heard at once again
        changes.changed("inbox.note", [9])
    assert done == [("inbox.note", (9,))]
    assert changes.catch_up(jobs=1) == 1
    assert done == [("inbox.note", (9,)), ("inbox.message", (1, 2))]
    assert changes.catch_up() == 0
    changes._catch_ups.remove(catch_up)
