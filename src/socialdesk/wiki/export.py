"""A page or a space as Markdown files in a zip (the tree as folders) or as a PDF.

Only pages the person may read are exported. Paths are built from the pages' ASCII slugs (never
`..`, never a separator of their own); `[[links]]` between exported pages become relative links
to their files. The PDF is made by WeasyPrint with a fetcher that refuses every URL, so nothing
a page's text names is ever fetched.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import zipfile
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from socialdesk.accounts.models import User

from .keys import title_key
from .links import LINK, lookup, space_keys, split_target
from .models import WikiPage, WikiSpace
from .rendering import render_page
from .selectors import TreeNode, page_tree

PDF_MAX_PAGES = 300
CHARACTERS_PER_PDF_PAGE = 1_500  # a generous guess, to refuse a huge space before rendering it


class ExportTooLarge(Exception):
    """The PDF would have more than PDF_MAX_PAGES pages; the message says so."""


def page_markdown(page: WikiPage, body: str | None = None) -> str:
    """The page's text with a front matter naming its title, version, owner and date."""
    owner = page.owner
    owner_name = (owner.full_name or owner.email) if owner else ""
    lines = [
        "---",
        f"title: {json.dumps(page.title, ensure_ascii=False)}",
        f"version: {page.revision}",
        f"owner: {json.dumps(owner_name, ensure_ascii=False)}",
        f"updated: {timezone.localtime(page.updated_at).date().isoformat()}",
        "---",
        "",
    ]
    return "\n".join(lines) + (page.body if body is None else body).rstrip("\n") + "\n"


def _paths(nodes: list[TreeNode], root: str) -> dict[int, str]:
    """page id -> `root/<parent-slug>/<slug>.md` (parents of a subtree as folders)."""
    folders: dict[int, str] = {}
    paths: dict[int, str] = {}
    for node in nodes:
        parent = node.page.parent_id
        folder = folders.get(parent, root) if parent is not None else root
        folders[node.page.pk] = posixpath.join(folder, node.page.slug)
        paths[node.page.pk] = posixpath.join(folder, f"{node.page.slug}.md")
    return paths


def _relative_links(page: WikiPage, paths: dict[int, str], keys: set[str]) -> str:
    """`[[links]]` to exported pages as relative Markdown links, the others as their text."""
    refs = {}
    for match in LINK.finditer(page.body):
        space_key, title = split_target(match.group(1), keys)
        refs[match.group(0)] = (space_key or page.space.key, title_key(title))
    targets = lookup(set(refs.values()))

    def replace(match: re.Match[str]) -> str:
        text = (match.group(2) or match.group(1)).replace("]", "")
        target = targets.get(refs.get(match.group(0), ("", "")))
        if target is None or target.pk not in paths:
            return text
        start = posixpath.dirname(paths[page.pk])
        return f"[{text}]({posixpath.relpath(paths[target.pk], start)})"

    return LINK.sub(replace, page.body)


def _subtree(nodes: list[TreeNode], top: WikiPage) -> list[TreeNode]:
    found: list[TreeNode] = []
    inside = False
    for node in nodes:
        if node.page.pk == top.pk:
            inside, depth = True, node.depth
            found.append(node)
        elif inside and node.depth > depth:
            found.append(node)
        elif inside:
            break
    return found


def zip_of(user: User, space: WikiSpace, top: WikiPage | None = None) -> bytes:
    """The space (or one page and its subpages) as Markdown files in a zip."""
    nodes = page_tree(user, space)
    if top is not None:
        nodes = _subtree(nodes, top)
        for node in nodes:  # the page becomes the zip's top level
            if node.page.pk == top.pk:
                node.page.parent_id = None
    paths = _paths(nodes, space.key)
    keys = space_keys()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for node in nodes:
            body = _relative_links(node.page, paths, keys)
            info = zipfile.ZipInfo(paths[node.page.pk], date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, page_markdown(node.page, body).encode("utf-8"))
    return out.getvalue()


def refusing_fetcher() -> Any:
    """WeasyPrint's url_fetcher for the wiki: nothing is fetched, whatever a text names; the
    URLs it refused are kept in `.refused` (tests)."""
    from weasyprint.urls import URLFetcher  # heavy; imported when a PDF is made

    class RefuseEveryFetch(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(fail_on_errors=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.refused.append(url)
            raise ValueError(f"fetching is off for wiki exports: {url[:80]}")

    return RefuseEveryFetch()


def _too_large(count: int) -> ExportTooLarge:
    return ExportTooLarge(
        gettext("This is too large for a PDF (%(count)s pages); please export it as Markdown.")
        % {"count": number_format(count, force_grouping=True)}
    )


def pdf_from_html(html: str, fetcher: Any = None) -> bytes:
    from weasyprint import HTML  # heavy; imported when a PDF is made

    document = HTML(
        string=html, base_url="about:blank", url_fetcher=fetcher or refusing_fetcher()
    ).render()
    if len(document.pages) > PDF_MAX_PAGES:
        raise _too_large(len(document.pages))
    return bytes(document.write_pdf())


def pdf_of(user: User, space: WikiSpace, top: WikiPage | None = None) -> bytes:
    nodes = page_tree(user, space)
    if top is not None:
        nodes = _subtree(nodes, top)
    # every wiki page starts a PDF page: count before rendering, so a huge space costs nothing
    estimate = sum(1 + len(n.page.body) // CHARACTERS_PER_PDF_PAGE for n in nodes)
    if estimate > PDF_MAX_PAGES:
        raise _too_large(estimate)
    pages = [
        {"page": n.page, "depth": min(n.depth, 5) + 1, "html": render_page(user, n.page)}
        for n in nodes
    ]
    html = render_to_string("wiki/print.html", {"space": space, "pages": pages, "top": top})
    return pdf_from_html(html)
