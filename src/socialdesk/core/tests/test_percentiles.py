"""Percentiles in the database (PostgreSQL, one sort for several) and in Python (SQLite) are
the same numbers: linear interpolation between the two nearest ranks, as numpy's default."""

from __future__ import annotations

import random

import pytest

from socialdesk.channels.models import ChannelAccount
from socialdesk.core.percentiles import PercentilesCont, in_database, percentile, spread
from socialdesk.inbox.models import Conversation


def test_interpolated_between_the_two_nearest_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5  # halfway between ranks 2 and 3
    assert percentile(list(range(11)), 0.9) == 9.0
    assert percentile([10, 20], 0.9) == pytest.approx(19.0)


@pytest.mark.django_db
@pytest.mark.skipif(not in_database(), reason="PostgreSQL computes them in the database")
def test_the_database_gives_each_share_as_python_does_and_none_without_values() -> None:
    rng = random.Random(16)
    values = [rng.randrange(0, 200_000) for _ in range(501)]
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    Conversation.objects.bulk_create(
        Conversation(channel_account=account, first_response_seconds=seconds)
        for seconds in [*values, None, None]  # not answered yet: left out
    )
    shares = (0.5, 0.9, 0.99, 0.0, 1.0)
    rows = Conversation.objects.filter(channel_account=account)
    found = rows.aggregate(spread=PercentilesCont("first_response_seconds", shares))
    assert spread(found["spread"], len(shares)) == pytest.approx(
        [percentile(sorted(values), share) for share in shares]
    )
    nothing = rows.filter(first_response_seconds__isnull=True).aggregate(
        spread=PercentilesCont("first_response_seconds", (0.5, 0.9))
    )
    assert spread(nothing["spread"]) == (None, None)
