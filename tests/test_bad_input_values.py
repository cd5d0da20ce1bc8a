"""No page answers 500 to a NUL byte, a number beyond any database or odd digits in its input."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from socialdesk import access
from socialdesk.accounts.models import Department
from tests.test_access_table import _url, samples  # noqa: F401 - the fixture is used by name

HUGE = "9" * 23
# Every query parameter a page reads (grep request.GET), and a few more a filter may grow.
QUERY_NAMES = [
    "q", "page", "department", "role", "active", "status", "account", "assignee", "language",
    "needs_reply", "tag", "sort", "sla", "since", "until", "within", "message", "next",
    "monitor", "topic", "item", "person", "id",
]  # fmt: skip
BAD_VALUES = ["\x00", "1\x00", HUGE, "-" + HUGE, "²", "x" * 3000]


def _admin(people) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(people["admin"])
    return client


@pytest.mark.slow
def test_no_page_answers_500_to_bad_query_values(people, samples):  # noqa: F811
    client = _admin(people)
    wrong = []
    for name in access.PAGES:
        url = _url(name, samples)
        for bad in BAD_VALUES:
            response = client.get(url + "?" + urlencode(dict.fromkeys(QUERY_NAMES, bad)))
            if response.status_code >= 500:
                wrong.append(f"{name} {bad[:8]!r}: {response.status_code}")
        if re.search(r"/\d+/", url):
            huge_id = re.sub(r"/\d+/", f"/{HUGE}/", url)
            for method in (client.get, client.post):
                status = method(huge_id).status_code
                if status not in (404, 405):  # no such object, or a page only for the other
                    wrong.append(f"{name} {method.__name__} {HUGE}: {status}")
    assert not wrong, "\n".join(wrong)


def test_a_nul_byte_in_a_department_form_is_an_error_beside_the_field(people):
    response = _admin(people).post(
        "/departments/new/", {"name": "Press\x00", "description": "PR\x00 team"}
    )
    assert response.status_code in (200, 302)
    assert Department.objects.filter(name="Press").count() == (
        1 if response.status_code == 302 else 0
    )


def test_a_nul_byte_in_any_posted_field_never_reaches_the_database(people, samples):  # noqa: F811
    client = _admin(people)
    wrong = []
    fields = {
        "name": "n\x00", "description": "d\x00", "query": "q\x00", "reason": "r\x00",
        "text": "t\x00", "title": "t\x00", "keywords": "k\x00", "status": "open\x00",
        "department": "1\x00", "item": "1\x00", "topic": "1\x00", "message": "1\x00",
        "value": "v\x00", "task": "t\x00", "priority": "p\x00", "kind": "rule",
    }  # fmt: skip
    for name in access.PAGES:
        if name in {"accounts:logout", "shell:set_language"}:
            continue  # would end the session the sweep runs in
        response = client.post(_url(name, samples), fields)
        if response.status_code >= 500:
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("value", ["Alex\x00", "Al\x00ex"])
def test_the_people_filter_ignores_a_nul_byte(people, value):
    page = _admin(people).get("/people/?" + urlencode({"q": value}))
    assert page.status_code == 200
    assert "Alex Agent" in page.content.decode()
