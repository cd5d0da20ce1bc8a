"""The team working the inbox, for locust (`bench/bench_load.py` runs it; issue 16, "Under load").

    locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:PORT

Each simulated member signs in through the login form (CSRF token from the form, e-mail and
password; the seeded people have no second factor), then works the inbox with a pause of
`SOCIALDESK_LOAD_WAIT` seconds between tasks ("1,3": uniform 1 to 3 s; "0,0": none), picking
tasks with these weights:

- the inbox list as it opens (open conversations, longest waiting first),            30
- the list filtered by status, "assigned to me", channel, tag or a search word,      25
- a conversation opened from the last list seen,                                       25
- a reply to it (stored; in a webhook channel nothing goes out, it is kept),            8
- an internal note on it,                                                               6
- assigning it to a colleague and a department.                                         6

Requests are named by page (`name=`), so locust reports per page, not per URL. A page is an
error unless it answers 200 (lists, conversation) or redirects back to the conversation
(reply, note, assign: the forms answer with a redirect; their outcome is counted in the
database by the runner). Who signs in and what ids exist comes from the JSON file named by
`SOCIALDESK_LOAD` (written by the runner after seeding): {"people": [[email, password], …],
"assignees": [id, …], "departments": [id, …], "accounts": [id, …], "tags": [name, …],
"words": [word, …]}.

The figures: the runner reads them from the JSON file named by `SOCIALDESK_LOAD_OUT`, written
when locust quits: every request's time in ms per page (exact, not locust's rounded buckets)
and the failures, of the requests sent from the moment the last member has signed in (the
sign-ins, a password hash each, are not part of the measurement; the file named by
`SOCIALDESK_LOAD_OUT` + ".started" marks that moment) for `SOCIALDESK_LOAD_SECONDS` seconds;
then locust is told to quit.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, constant, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # locust adds only bench/

from bench.load_pages import ASSIGN, FILTERS, LIST, LOGIN, NOTE, OPEN, REPLY

CONVERSATION_LINK = re.compile(r'href="/inbox/(\d+)/"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPLIES = (
    "Thanks for letting us know, we are looking into it and will get back to you today.",
    "Danke für die Nachricht! Wir prüfen das und melden uns heute noch bei Ihnen.",
    "Sorry for the wait. Could you send us your order number in a direct message?",
)
NOTES = ("Asked the warehouse, waiting for an answer.", "Same customer wrote last week.")


def load_setup() -> dict[str, Any]:
    path = os.environ.get("SOCIALDESK_LOAD")
    if not path:
        return {"people": [], "assignees": [], "departments": [], "accounts": [], "tags": [],
                "words": []}  # fmt: skip
    with open(path) as file:
        setup: dict[str, Any] = json.load(file)
    return setup


def _wait() -> Any:
    low, high = (float(n) for n in os.environ.get("SOCIALDESK_LOAD_WAIT", "1,3").split(","))
    return constant(low) if low == high else between(low, high)


class Recorder:
    """Request times per page from the moment every member has signed in, for a while."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.stopped: float | None = None
        self.signed_in = 0  # sign-ins tried (a failed one counts too: the run must go on)
        self.times: dict[str, list[float]] = {}
        self.errors: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.succeeded: Counter[str] = Counter()  # the whole run, sign-ins included
        self.attempted: Counter[str] = Counter()  # forms sent (an answer may never come)
        self.timeline: list[tuple[float, str, float]] = []  # (sent, epoch s; page; ms) measured

    def signed(self, environment: Environment) -> None:
        self.signed_in += 1
        runner = environment.runner
        if self.started is not None or runner is None:
            return
        if self.signed_in >= runner.target_user_count:
            self.started = time.monotonic()
            if path := os.environ.get("SOCIALDESK_LOAD_OUT"):
                with open(path + ".started", "w") as marker:  # the runner's sender waits for it
                    marker.write(str(time.time()))
            seconds = float(os.environ.get("SOCIALDESK_LOAD_SECONDS", "0"))
            if seconds > 0:
                gevent.spawn_later(seconds, self.stop, environment)

    def stop(self, environment: Environment) -> None:
        self.stopped = time.monotonic()
        if environment.runner is not None:
            environment.runner.quit()

    def request(self, name: str, milliseconds: float, exception: object) -> None:
        if exception is None:
            self.succeeded[name] += 1
        if self.started is None or self.stopped is not None:
            return
        if time.monotonic() - milliseconds / 1000 < self.started:
            return  # sent before the measurement began (while others were signing in)
        self.times.setdefault(name, []).append(milliseconds)
        self.timeline.append((time.time() - milliseconds / 1000, name, milliseconds))
        if exception is not None:
            self.errors[name] += 1
            self.failures[f"{name}: {exception}"] += 1

    def report(self) -> dict[str, Any]:
        end = self.stopped or time.monotonic()
        return {
            "seconds": end - self.started if self.started is not None else 0.0,
            "signed_in": self.signed_in,
            "pages": {
                name: {"times": times, "errors": self.errors[name]}
                for name, times in self.times.items()
            },
            "failures": dict(self.failures),
            "succeeded": dict(self.succeeded),
            "attempted": dict(self.attempted),
            "timeline": self.timeline,
        }


RECORD = Recorder()
SETUP = load_setup()
_next_person = itertools.count()


def _on_request(name: str, response_time: float, exception: object, **_kwargs: Any) -> None:
    RECORD.request(name, response_time, exception)


def _on_quitting(**_kwargs: Any) -> None:
    if path := os.environ.get("SOCIALDESK_LOAD_OUT"):
        with open(path, "w") as out:
            json.dump(RECORD.report(), out)


# EventHook.add_listener has no annotations (locust 2.4x).
events.request.add_listener(_on_request)  # type: ignore[no-untyped-call]
events.quitting.add_listener(_on_quitting)  # type: ignore[no-untyped-call]


def _why(answer: Any) -> str:
    """What went wrong: the status and where it led, or why no answer came (status 0)."""
    if answer.status_code == 0:
        return f"no answer: {answer.error!r}"
    return f"{answer.status_code} {answer.headers.get('Location', '')}".strip()


class TeamMember(HttpUser):
    """One member of the team: signs in once, then works the inbox."""

    wait_time = _wait()

    def on_start(self) -> None:
        self.rng = random.Random()
        self.seen: list[int] = []  # conversation ids of the last list
        self.current: int | None = None  # the conversation open
        # One connection per request, as a reverse proxy talks to gunicorn (nginx: HTTP/1.0
        # upstream by default). Kept-alive client connections race gunicorn's 2 s keep-alive
        # close (a request sent as the server closes is reset), which browsers retry unseen.
        self.client.headers["Connection"] = "close"
        people = SETUP["people"]
        email, password = people[next(_next_person) % len(people)]
        form = self.client.get("/login/", name=LOGIN)
        match = TOKEN.search(form.text)
        with self.client.post(
            "/login/",
            data={
                "username": email,
                "password": password,
                "csrfmiddlewaretoken": match.group(1) if match else "",
                "next": "/inbox/",
            },
            name=LOGIN,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or "/login" in answer.headers.get("Location", ""):
                answer.failure(f"sign-in as {email} failed ({answer.status_code})")
        RECORD.signed(self.environment)

    # ------------------------------------------------------------ pages

    def _list(self, params: dict[str, str], name: str) -> None:
        with self.client.get("/inbox/", params=params, name=name, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(_why(page))
                return
            found = [int(pk) for pk in CONVERSATION_LINK.findall(page.text)]
            if found:
                self.seen = found

    def _post(self, action: str, data: dict[str, str], name: str) -> None:
        if self.current is None:
            self.open_conversation()
        if self.current is None:
            return
        back = f"/inbox/{self.current}/"
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken") or ""
        RECORD.attempted[name] += 1
        with self.client.post(
            f"{back}{action}/",
            data=data,
            headers={"Referer": f"{self.host}{back}"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302 or not answer.headers.get("Location", "").endswith(back):
                answer.failure(_why(answer))

    @task(30)
    def inbox_list(self) -> None:
        self._list({}, LIST)

    @task(25)
    def inbox_filtered(self) -> None:
        kind = self.rng.choice(list(FILTERS))
        if kind == "status":
            params = {"status": self.rng.choice(["open", "waiting", "resolved"])}
        elif kind == "assignee":
            params = {"assignee": "me"}
        elif kind == "account":
            params = {"account": str(self.rng.choice(SETUP["accounts"]))}
        elif kind == "tag":
            params = {"tag": self.rng.choice(SETUP["tags"])}
        else:
            params = {"q": self.rng.choice(SETUP["words"])}
        self._list(params, FILTERS[kind])

    @task(25)
    def open_conversation(self) -> None:
        if not self.seen:
            self._list({}, LIST)
        if not self.seen:
            return
        pk = self.rng.choice(self.seen)
        with self.client.get(f"/inbox/{pk}/", name=OPEN, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(_why(page))
            else:
                self.current = pk

    @task(8)
    def reply(self) -> None:
        then = self.rng.choice(["", "", "", "waiting"])
        self._post("reply", {"reply-text": self.rng.choice(REPLIES), "reply-then": then}, REPLY)

    @task(6)
    def note(self) -> None:
        self._post("note", {"note-text": self.rng.choice(NOTES)}, NOTE)

    @task(6)
    def assign(self) -> None:
        data = {
            "assignee": str(self.rng.choice(SETUP["assignees"])),
            "department": str(self.rng.choice(SETUP["departments"])),
        }
        self._post("assign", data, ASSIGN)
