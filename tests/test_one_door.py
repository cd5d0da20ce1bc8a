"""One door for every write: views, API endpoints and commands never write to the database.

Every module a request or a command line enters through (`*/*views*.py`, `*/views/*.py`,
`api/*.py`, `*/management/commands/*.py`) is read with `ast`, and every call of a
method that writes through the ORM is reported as `file:line`. Writes belong in a service
function, which takes the acting person, audits and opens the transaction.

The heuristic, without running the code:

- A call `<receiver>.<method>(...)` is a write when `<method>` is one of `WRITES` (`save`,
  `delete`, `create`, `update`, `update_or_create`, `get_or_create`, `bulk_create`,
  `bulk_update`, `set`, `add`, `remove`, `clear`): model instances, managers, querysets and
  related managers all write through these names. `form.save()` counts too, whatever the form.
- Except when the receiver is plainly not the ORM: a name (or an item of a name) that the same
  module binds to a Python container (a `{}`/`[]`/`set()`/`dict()`/`defaultdict()`/`Counter()`
  literal, a comprehension, or an annotation `dict[...]`/`set[...]`/`list[...]`) or to an
  instance of a class the module defines itself (a progress bar) or of a `threading` primitive
  (`stop = threading.Event()`: `stop.set()` wakes a thread), or one of `NOT_ORM` (the
  session, the messages framework, HTTP headers); and decorators (`@api.delete(...)` declares
  a route, it deletes nothing).
- `ALLOWED` lists what is knowingly left, each with the issue that will remove it; it is empty.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "socialdesk"

WRITES = frozenset(
    {
        "save",
        "delete",
        "create",
        "update",
        "update_or_create",
        "get_or_create",
        "bulk_create",
        "bulk_update",
        "set",
        "add",
        "remove",
        "clear",
    }
)
CONTAINER_CALLS = frozenset({"set", "dict", "list", "defaultdict", "Counter", "OrderedDict"})
THREADING_CALLS = frozenset({"Event", "Lock", "RLock", "Semaphore", "Condition", "Barrier"})
CONTAINER_TYPES = frozenset({"dict", "set", "list", "Counter", "defaultdict"})
NOT_ORM = frozenset({"request.session", "response.headers", "messages"})
"""Receivers that are not the database (written as dotted source text)."""

ALLOWED: frozenset[str] = frozenset()
"""`path: call(…)` of writes knowingly left (each with a `TODO(#10)` note); none are left."""


def entry_modules(root: Path = SRC) -> list[Path]:
    """Every module a request or a command enters through."""
    found = {
        *root.glob("**/*views*.py"),
        *root.glob("**/views/*.py"),
        *(root / "api").glob("*.py"),
        *root.glob("*/management/commands/*.py"),
    }
    return sorted(p for p in found if "tests" not in p.parts and p.exists())


def _is_container(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Dict | ast.Set | ast.List | ast.DictComp | ast.SetComp | ast.ListComp):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in CONTAINER_CALLS
    return False


def _is_threading(node: ast.expr | None) -> bool:
    """`threading.Event()` and its kin: `.set()`/`.clear()` on them touch no database."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        return (
            isinstance(func.value, ast.Name)
            and func.value.id == "threading"
            and func.attr in THREADING_CALLS
        )
    return isinstance(func, ast.Name) and func.id in THREADING_CALLS


def _is_container_type(annotation: ast.expr) -> bool:
    base = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    return isinstance(base, ast.Name) and base.id in CONTAINER_TYPES


def _bindings(node: ast.AST) -> list[tuple[ast.expr, ast.expr | None]]:
    """(target, value) pairs an assignment binds, tuples unpacked element by element."""
    if isinstance(node, ast.AnnAssign):
        return [(node.target, node.value)]
    if not isinstance(node, ast.Assign):
        return []
    pairs: list[tuple[ast.expr, ast.expr | None]] = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            pairs += zip(target.elts, node.value.elts, strict=False)
        else:
            pairs.append((target, node.value))
    return pairs


def _not_orm_names(tree: ast.AST) -> set[str]:
    """Names the module binds to plain containers or to instances of its own (helper) classes."""
    own_classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    names: set[str] = set()
    for node in ast.walk(tree):
        for target, value in _bindings(node):
            if not isinstance(target, ast.Name):
                continue
            own = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in own_classes
            )
            typed = isinstance(node, ast.AnnAssign) and _is_container_type(node.annotation)
            if own or typed or _is_container(value) or _is_threading(value):
                names.add(target.id)
    return names


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def writes_in(path: Path, root: Path = SRC) -> list[str]:
    """`file:line` of every ORM write the heuristic finds in one module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    not_orm = _not_orm_names(tree)
    decorators = {
        id(d)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for d in n.decorator_list
    }
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if id(node) in decorators:  # `@api.delete(...)` declares a route
            continue
        if node.func.attr not in WRITES:
            continue
        receiver = node.func.value
        if ast.unparse(receiver) in NOT_ORM or _root_name(receiver) in not_orm:
            continue
        where = path.relative_to(root) if path.is_relative_to(root) else path.name
        found.append((node.lineno, f"{where}:{node.lineno}: {ast.unparse(node.func)}(…)"))
    return [hit for _line, hit in sorted(found)]


def offenders(root: Path = SRC) -> list[str]:
    return [
        hit
        for module in entry_modules(root)
        for hit in writes_in(module, root)
        if f"{hit.split(':', 1)[0]}: {hit.split(': ', 1)[1]}" not in ALLOWED
    ]


def test_it_finds_every_entry_module() -> None:
    names = {str(p.relative_to(SRC)) for p in entry_modules()}
    assert {
        "feedback/views.py",
        "accounts/views/own.py",
        "api/endpoints.py",
        "channels/management/commands/rotate-keys.py",
        "channels/webhook/views.py",
        "sla/kpi_views.py",
    } <= names


def test_it_tells_an_orm_write_from_a_python_container(tmp_path: Path) -> None:
    module = tmp_path / "views.py"
    module.write_text(
        "seen, n = set(), 0\n"
        "class Bar: ...\n"
        "bar = Bar()\n"
        "stop = threading.Event()\n"
        "groups: dict[int, list[int]] = {}\n"
        "@api.delete('/x')\n"
        "def view(request, form, Topic, user, d):\n"
        "    seen.add(1)\n"
        "    bar.update(1)\n"
        "    stop.set()\n"
        "    groups[1].clear()\n"
        "    request.session.clear()\n"
        "    messages.add_message(request, 20, 'x')\n"
        "    Topic.objects.update_or_create(name='x')\n"
        "    form.save()\n"
        "    user.departments.set([d])\n"
        "    Topic.objects.filter(pk=1).delete()\n"
    )
    hits = [hit.split(": ", 1)[1] for hit in writes_in(module)]
    assert hits == [
        "Topic.objects.update_or_create(…)",
        "form.save(…)",
        "user.departments.set(…)",
        "Topic.objects.filter(pk=1).delete(…)",
    ]


def test_it_finds_no_database_write_in_a_view_endpoint_or_command() -> None:
    found = offenders()
    assert not found, "Write through a service instead:\n" + "\n".join(found)
