"""`field__among=values`: a column's value is one of many, given in the column's database form.

Django's `__in` prepares every value through the field: for the 5,000 ids of an import's
chunk that preparing cost more than the query (about 1 s of a 100,000-row import, five
lookups per row). `__among` takes values already in the column's database form (ints,
strings), from any iterable (a set is not walked by Django as a list is), and hands them to
the driver as they are:
- PostgreSQL gets one array (`= ANY(%s)`); integers as one array literal
  (`'{1,2,3}'::bigint[]`): psycopg dumped a list of 4,400 ids one by one, 6 ms a statement
  for the inbox's search box. An integer column compares with bigint and keeps its index.
- SQLite gets a list of placeholders (its planner counts them; given one JSON list read by
  `json_each` instead, it guessed a few rows and chose worse plans for the larger chunks),
  and one JSON list only beyond the placeholders a statement may have.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup

BIGINT = (-(2**63), 2**63 - 1)  # the integers both databases store
SQLITE_PLACEHOLDERS = 30_000  # SQLite allows 32,766 a statement; the rest of it keeps a few


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        # an integer beyond 64 bits is in no column either database stores integers in
        # (SQLite refused the statement: "Python int too large to convert")
        values = [v for v in self.rhs if type(v) is not int or BIGINT[0] <= v <= BIGINT[1]]
        if not values:  # as `__in`: nothing matches, and no query is sent
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            if all(type(value) is int for value in values):  # not a bool, not a str
                return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, _array_literal(values)]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if len(values) <= SQLITE_PLACEHOLDERS:
            return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (a column's name)
        return sql, [*lhs_params, json.dumps(values)]


def _array_literal(values: list[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def register() -> None:
    Field.register_lookup(Among)
    ForeignObject.register_lookup(Among)  # foreign keys keep lookups of their own
