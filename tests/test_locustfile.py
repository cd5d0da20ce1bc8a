"""The load benchmark's simulated team (bench/locustfile.py) asks for what the inbox serves.

Each task of the locust user runs against a fake HTTP client in a process of its own (importing
locust patches the standard library for gevent, which this test process must not have); the
requests it made are then checked against the product: the page names cover every page the
report promises, the list filters are parameters the inbox reads, and the forms' fields carry
the prefixes and names of the inbox's own forms.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import load_pages
from django.http import QueryDict

from socialdesk.inbox.forms import AssignForm, NoteForm, ReplyForm
from socialdesk.inbox.views import list_filters

ROOT = Path(__file__).resolve().parents[1]
SETUP: dict[str, Any] = {
    "people": [["member0@example.com", "pw"]],
    "assignees": [7, 8],
    "departments": [3],
    "accounts": [1, 2],
    "tags": ["lob", "rechnung"],
    "words": ["Lieferung"],
}

DRIVE = """
import json, random, sys
sys.path.insert(0, sys.argv[1])
from bench.locustfile import TeamMember

class Answer:
    def __init__(self, status, text="", location=""):
        self.status_code, self.text, self.error = status, text, None
        self.headers = {"Location": location}
        self.failed = None
    def failure(self, why):
        self.failed = why
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False

class Client:
    def __init__(self):
        self.calls, self.cookies, self.failures = [], {"csrftoken": "t0ken"}, []
    def _answer(self, answer):
        self.last = answer
        return answer
    def get(self, path, params=None, name=None, **kwargs):
        self.calls.append(["GET", path, params or {}, name])
        return Answer(200, '<a href="/inbox/41/">a</a> <a href="/inbox/42/">b</a>')
    def post(self, path, data=None, name=None, **kwargs):
        self.calls.append(["POST", path, dict(data or {}), name])
        return Answer(302, location="/inbox/" + path.split("/")[2] + "/")

weights = {}
for function in TeamMember.tasks:
    weights[function.__name__] = weights.get(function.__name__, 0) + 1
calls = {}
for name in weights:
    user = TeamMember.__new__(TeamMember)
    user.client, user.rng, user.seen, user.current = Client(), random.Random(1), [], None
    for _ in range(60):  # the filters are chosen at random: every kind comes up
        getattr(user, name)()
    calls[name] = user.client.calls
print(json.dumps({"weights": weights, "calls": calls}))
"""


def _drive(tmp_path: Path) -> dict[str, Any]:
    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps(SETUP))
    done = subprocess.run(
        [sys.executable, "-c", DRIVE, str(ROOT)],
        env={"SOCIALDESK_LOAD": str(setup), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_each_task_asks_for_its_page_with_the_inbox_forms_fields(tmp_path: Path) -> None:
    result = _drive(tmp_path)
    calls: dict[str, list[list[Any]]] = result["calls"]
    names = Counter(call[3] for task in calls.values() for call in task)
    assert set(load_pages.PAGES) <= set(names), "every page of the report is asked for"

    # Lists: GET /inbox/ with parameters the inbox view reads as filters.
    lists = [c for c in calls["inbox_filtered"] if c[3] != load_pages.OPEN]
    assert {c[3] for c in lists} == set(load_pages.FILTERS.values())
    for _method, path, params, name in lists:
        assert path == "/inbox/"
        (key,) = params
        assert load_pages.FILTERS[key] == name
        filters = list_filters(QueryDict(urlencode(params)))
        field = {"q": "query"}.get(key, key)
        assert getattr(filters, field) == params[key] != "", (key, filters)
        if key == "account":
            assert int(params[key]) in SETUP["accounts"]
        if key == "tag":
            assert params[key] in SETUP["tags"]

    # Conversations are opened from the list's links.
    opened = [c for task in calls.values() for c in task if c[3] == load_pages.OPEN]
    assert opened and {c[1] for c in opened} <= {"/inbox/41/", "/inbox/42/"}

    # The forms: the product's field names, the CSRF token, to the conversation's action.
    expected = {
        "reply": (load_pages.REPLY, ReplyForm(prefix="reply"), "/reply/"),
        "note": (load_pages.NOTE, NoteForm(prefix="note"), "/note/"),
        "assign": (load_pages.ASSIGN, AssignForm(), "/assign/"),
    }
    for task, (name, form, action) in expected.items():
        posts = [c for c in calls[task] if c[0] == "POST"]
        assert posts and {c[3] for c in posts} == {name}
        fields = {form.add_prefix(f) for f in form.fields}
        for _method, path, data, _name in posts:
            assert path.endswith(action) and path.removesuffix(action) in {"/inbox/41", "/inbox/42"}
            assert data.pop("csrfmiddlewaretoken") == "t0ken"
            assert set(data) == fields
            assert all(value for key, value in data.items() if not key.endswith("then"))
    for _m, _p, data, _n in (c for c in calls["assign"] if c[0] == "POST"):
        assert int(data["assignee"]) in SETUP["assignees"]
        assert int(data["department"]) in SETUP["departments"]

    # The mix: lists (plain and filtered) are half of what the team does.
    weights = result["weights"]
    assert set(weights) == {"inbox_list", "inbox_filtered", "open_conversation", "reply", "note", "assign"}  # fmt: skip
    assert (weights["inbox_list"] + weights["inbox_filtered"]) / sum(weights.values()) >= 0.5
