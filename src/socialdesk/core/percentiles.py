"""Percentiles the way every figure of socialdesk reads them: linear interpolation between the
two nearest ranks (numpy's default), in the database where it can, in Python where not."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Aggregate, FloatField


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(share) WITHIN GROUP (ORDER BY …)`: the interpolation of
    `percentile` below over the group's values, NULLs left out. Only where `in_database()`."""

    function = "percentile_cont"
    template = "%(function)s(%(share)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: str, share: float) -> None:
        super().__init__(expression, share=float(share))


def in_database() -> bool:
    """SQLite has no percentile_cont: there the values are read and sorted in Python."""
    return connection.vendor == "postgresql"


def percentile(sorted_values: Sequence[float], share: float) -> float | None:
    """The value below which `share` of the sorted values lie; None for none."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    lower = int(position)
    return interpolate(sorted_values[lower : lower + 2], position - lower)


def interpolate(pair: Sequence[float], fraction: float) -> float:
    """The value `fraction` of the way from the first of `pair` to the second (the first alone
    when there is no second): the step between the two nearest ranks."""
    if len(pair) == 1 or fraction == 0:
        return float(pair[0])
    return float(pair[0] + (pair[1] - pair[0]) * fraction)
