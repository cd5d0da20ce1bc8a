"""Issue 14's pages in the page-wide checks, one module per work package.

`test_german_pages.py`, `test_department_visibility.py` and `test_access_table.py` read every
module of `MODULES`, so each work package registers its URLs in its own file and no two edit the
same lines. A module defines (all optional, empty when absent):

- `ARGS`: url name -> `(data) -> kwargs` for `test_german_pages.py` (data: its fixture's dict).
- `KINDS`: url name -> the kind of object whose ids fill its `pk` (`test_department_visibility`).
- `VARIANTS`: url name -> query strings that widen what a list page shows (same test).
- `world(w, people, departments)`: creates the objects of this package in the visibility world;
  adds their ids to `w.ids[kind]`, what Mia must not see to `w.forbidden`, and the pks she may
  not open to `w.hidden_pks[kind]`.
"""

from __future__ import annotations

from types import ModuleType

from tests.issue14 import knowledge, search, spaces, webhooks, wiki

MODULES: tuple[ModuleType, ...] = (spaces, wiki, search, knowledge, webhooks)
