"""Hostile titles and texts (tests/xss_corpus.py) on every wiki page and in the exports: shown
as text, never as markup that runs."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from tests.xss_corpus import MARKDOWN, PAYLOADS

from socialdesk.wiki.models import WikiPage
from socialdesk.wiki.page_services import page_create, page_save

from .helpers import acting, org_space

pytestmark = pytest.mark.django_db

FORBIDDEN_TAGS = {"script", "iframe", "svg", "img", "object", "embed", "style", "math", "video"}


class _Elements(HTMLParser):
    """Elements and attributes as a browser would build them (escaped text is no element)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}=")
            if name in ("href", "src", "action") and "javascript:" in (value or "").lower():
                self.found.append(f"{tag} {name}={value}")


def _runnable(html: str) -> list[str]:
    body = html.split("<main", 1)[-1]  # the house's own head and icons are not under test
    parser = _Elements()
    parser.feed(body)
    return parser.found


@pytest.mark.slow
def test_no_hostile_title_or_text_becomes_markup(client_as, people):
    agent = acting(people["agent"])
    space = org_space()
    texts = PAYLOADS + MARKDOWN
    pages: list[WikiPage] = []
    for index, payload in enumerate(texts):
        title = f"{payload[:150]} {index}"
        body = f"{payload}\n\n[[{payload[:100]}]] [[Seite|{payload[:100]}]]\n\n- [x] {payload}"
        page = page_create(by=agent, space=space, title=title, body=body)
        pages.append(page_save(by=agent, page=page, title=title, body=body + "\n\nneu", base_revision=1))  # fmt: skip
    client = client_as("agent")
    urls = [reverse(name) for name in ("wiki:index", "wiki:missing", "wiki:review_due")]
    urls.append(reverse("wiki:space", args=[space.pk]))
    for page in pages:
        for name in ("wiki:page", "wiki:page_edit", "wiki:page_history", "wiki:page_move", "wiki:page_delete"):  # fmt: skip
            urls.append(reverse(name, args=[page.pk]))
        urls.append(reverse("wiki:page_diff", args=[page.pk]) + "?from=1&to=2")
    problems = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = _runnable(response.content.decode())
        if found:
            problems[url] = found
    assert problems == {}
    archive = client.get(reverse("wiki:space_export", args=[space.pk])).content
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
    assert len(names) == len(texts)
    assert all(re.fullmatch(r"handbuch/[a-z0-9-]+\.md", name) for name in names), names
