"""Shared fixtures: one person per role (the personas every test speaks of)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db.backends.base.introspection import BaseDatabaseIntrospection
from django.test import Client

from socialdesk.accounts.models import Department, Organisation, Role, User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.current()


@pytest.fixture
def departments(db: None) -> dict[str, Department]:
    names = ["Customer Service", "Product Development", "Legal"]
    return {name: Department.objects.create(name=name) for name in names}


@pytest.fixture
def people(
    db: None, organisation: Organisation, departments: dict[str, Department]
) -> dict[str, User]:
    """Return one active person for each role, keyed by role value."""
    team = {
        Role.ADMIN: ("ada@example.com", "Ada Admin", []),
        Role.MANAGER: ("max@example.com", "Max Manager", ["Customer Service"]),
        Role.AGENT: ("alex@example.com", "Alex Agent", ["Customer Service"]),
        Role.MEMBER: ("mia@example.com", "Mia Member", ["Product Development"]),
        Role.VIEWER: ("vic@example.com", "Vic Viewer", []),
    }
    result: dict[str, User] = {}
    for role, (email, name, member_of) in team.items():
        user = User.objects.create_user(email, PASSWORD, full_name=name, role=role)
        user.departments.set([departments[d] for d in member_of])
        result[role.value] = user
    return result


@pytest.fixture
def client_as(people: dict[str, User]) -> Callable[[str], Client]:
    """Return a function giving a test client signed in with the given role."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(people[role])
        return client

    return make


@pytest.fixture(autouse=True)
def _language_of_each_test_its_own() -> Iterator[None]:
    """A test that switched the language (a German page, a German person) leaves it behind for
    the next one otherwise: each test starts in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


_table_names = BaseDatabaseIntrospection.django_table_names


def _sorted_table_names(
    self: BaseDatabaseIntrospection, only_existing: bool = False, include_views: bool = True
) -> list[str]:
    return sorted(_table_names(self, only_existing=only_existing, include_views=include_views))


# A transactional test ends with a flush: on SQLite one DELETE per table, in the order of
# Django's table names, which come from a set (an order that changes with each process's hash
# seed). Deleting the message rollup before the messages let their DELETE trigger write
# negative counts that outlived the flush, and the next test on that worker counted them.
# Sorted, `inbox_message` goes before `inbox_messagerollup`. (PostgreSQL truncates: no triggers.)
BaseDatabaseIntrospection.django_table_names = _sorted_table_names  # type: ignore[method-assign]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests (marked `slow`) start first: with `make test`'s parallel workers
    (pytest-xdist, one module per worker at a time), a seven-minute crash test that started
    last would leave one worker running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
