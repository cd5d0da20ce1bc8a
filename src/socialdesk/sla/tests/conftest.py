"""Fixtures shared by the SLA tests of kept figures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches

from socialdesk.accounts.models import Organisation
from socialdesk.core import figure_cache


@pytest.fixture
def berlin_nothing_kept() -> Iterator[None]:
    """The organisation in Berlin (days that are not UTC's) and no figure kept before or after
    the test (the store is a database table other tests share)."""
    Organisation.objects.update_or_create(pk=1, defaults={"time_zone": "Europe/Berlin"})
    caches[figure_cache.STORE].clear()
    yield
    caches[figure_cache.STORE].clear()
