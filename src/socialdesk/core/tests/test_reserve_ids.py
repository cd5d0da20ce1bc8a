"""`core.db.reserve_ids`: the import sets a reply's parent in the INSERT because it knows the
ids beforehand; an id it reserves must never be given to another row, before or after."""

from __future__ import annotations

import pytest
from django.db import transaction

from socialdesk.core.db import insert_rows, reserve_ids
from socialdesk.inbox.models import Tag

pytestmark = pytest.mark.django_db


def test_reserved_ids_are_new_ascending_and_never_given_again() -> None:
    first = Tag.objects.create(name="eins")
    with transaction.atomic():
        ids = reserve_ids(Tag, 3)
        assert ids == sorted(ids) and len(set(ids)) == 3 and min(ids) > first.pk
        insert_rows(Tag, ["id", "name"], [(pk, f"tag {pk}") for pk in ids])
    after = Tag.objects.create(name="danach")  # the database's own next id
    assert after.pk > max(ids)
    assert set(Tag.objects.values_list("pk", flat=True)) == {first.pk, *ids, after.pk}


def test_a_deleted_row_s_id_is_not_reserved_again() -> None:
    Tag.objects.create(name="a")
    last = Tag.objects.create(name="b").pk
    Tag.objects.filter(pk=last).delete()
    with transaction.atomic():
        assert reserve_ids(Tag, 1)[0] > last


def test_nothing_reserved_for_no_rows() -> None:
    assert reserve_ids(Tag, 0) == []
