"""Paging long lists without counting every row.

A list's count is a `COUNT(*)` over everything its filters match: at 10 million messages the
inbox's open conversations (772,000) took 62–95 ms to count on PostgreSQL, more than the page
itself. `CappedPaginator` counts up to `cap` rows: beyond it the list says "10,000+" and pages
through the first `cap` (narrowing the filters or another order shows the rest).

On PostgreSQL a deep page (from DEEP rows on) is found in two steps of one statement: the ids
of its rows first, in the list's order, then those rows. The ids alone can come from an index
without reading a table row for each one skipped: at 10 million messages a department
member's page 200 read 10,000 conversations' rows through the list's index and filtered them
(250 ms).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet

COUNT_CAP = 10_000
DEEP = 1_000  # rows skipped from which a page's ids are looked up first


def count_label(count: int, *, capped: bool) -> str:
    """A count as the reader's locale writes it, "10.000+" when more were not counted."""
    return f"{intcomma(count)}+" if capped else str(intcomma(count))


class CappedPaginator(Paginator[Any]):
    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        *,
        cap: int | None = None,
        counting: Callable[[int], int] | None = None,
    ) -> None:
        """`counting(most)`: the rows counted up to `most`, where the list knows a quicker way
        than counting `object_list` (the inbox's, `inbox.selectors.inbox_count`)."""
        super().__init__(object_list, per_page)
        self.rows = object_list
        self.cap = COUNT_CAP if cap is None else cap
        self.counting = counting

    @cached_property
    def _counted(self) -> int:
        """The rows, counted up to cap + 1 (one more says there are more than cap)."""
        if self.counting is not None:
            return int(self.counting(self.cap + 1))
        return int(self.rows.order_by()[: self.cap + 1].count())

    def _get_page(self, rows: Any, number: int, paginator: Paginator[Any]) -> Page[Any]:
        """Django's hook for the page of `rows` (the list sliced); from DEEP rows on, on
        PostgreSQL, the slice's ids first (a subquery), then their rows. PostgreSQL only: its
        list indexes carry what a member's visibility asks (INCLUDE); SQLite's planner read
        the outer statement by the status's index instead, every row."""
        if (
            connection.vendor == "postgresql"
            and isinstance(rows, QuerySet)
            and rows.query.low_mark >= DEEP
        ):
            rows = self.rows.filter(pk__in=rows.values("pk"))
        return Page(rows, number, paginator)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than were counted."""
        return self._counted > self.cap

    @property
    def count_label(self) -> str:
        """The count as the reader's locale writes it, "10.000+" when capped."""
        return count_label(self.count, capped=self.capped)

    @property
    def pages_label(self) -> str:
        return f"{intcomma(self.num_pages)}+" if self.capped else str(intcomma(self.num_pages))
