"""Exports: a space or a page as Markdown files in a zip (tree as folders, safe names, relative
links, only visible pages) and as PDF (nothing fetched)."""

from __future__ import annotations

import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from socialdesk.wiki import export
from socialdesk.wiki.page_services import page_create

from .helpers import acting, org_space, private_room_space

pytestmark = pytest.mark.django_db


def _names(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_it_exports_a_space_as_a_tree_of_markdown_files(client_as, people):
    agent = acting(people["agent"])
    space = org_space()
    top = page_create(by=agent, space=space, title="../../etc/passwd Über uns", body="Siehe [[Kündigung|hier]].")  # fmt: skip
    page_create(by=agent, space=space, title="Kündigung", parent=top, body="Zurück zu [[../../etc/passwd Über uns]]")  # fmt: skip
    page_create(by=agent, space=space, title="C:\\Windows\\ärger\x00", body="x")
    response = client_as("viewer").get(
        reverse("wiki:space_export", args=[space.pk]) + "?format=zip"
    )
    assert response["Content-Disposition"] == 'attachment; filename="handbuch.zip"'
    files = _names(response.content)
    assert set(files) == {
        "handbuch/etc-passwd-ueber-uns.md",
        "handbuch/etc-passwd-ueber-uns/kuendigung.md",
        "handbuch/c-windows-aerger.md",
    }
    top_file = files["handbuch/etc-passwd-ueber-uns.md"]
    assert top_file.startswith('---\ntitle: "../../etc/passwd Über uns"\nversion: 1\n')
    assert "[hier](etc-passwd-ueber-uns/kuendigung.md)" in top_file
    assert "(../etc-passwd-ueber-uns.md)" in files["handbuch/etc-passwd-ueber-uns/kuendigung.md"]


def test_it_exports_a_page_with_its_subpages_and_never_a_hidden_one(client_as, people):
    agent = acting(people["member"])
    secret = private_room_space([people["member"]])
    page = page_create(by=agent, space=secret, title="Plan", body="geheim")
    assert client_as("agent").get(reverse("wiki:page_export", args=[page.pk])).status_code == 404
    assert client_as("agent").get(reverse("wiki:space_export", args=[secret.pk])).status_code == 404
    response = client_as("member").get(reverse("wiki:page_export", args=[page.pk]))
    assert set(_names(response.content)) == {f"{secret.key}/plan.md"}
    single = client_as("member").get(reverse("wiki:page_export", args=[page.pk]) + "?format=md")
    assert single.content.decode().endswith("geheim\n")


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()


def test_it_makes_a_pdf_and_fetches_nothing(client_as, people):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/spy.png"
    try:
        page = page_create(by=acting(people["agent"]), space=org_space(), title="Bild", body=f"![x]({url})\n\n# Titel")  # fmt: skip
        response = client_as("viewer").get(
            reverse("wiki:page_export", args=[page.pk]) + "?format=pdf"
        )
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        fetcher = export.refusing_fetcher()
        export.pdf_from_html(f'<img src="{url}"><link rel="stylesheet" href="{url}">', fetcher)
        assert url in fetcher.refused
    finally:
        server.shutdown()
    assert _Recorder.hits == []


def test_it_refuses_a_pdf_over_the_page_limit(people, monkeypatch):
    monkeypatch.setattr(export, "PDF_MAX_PAGES", 1)
    with pytest.raises(export.ExportTooLarge) as raised:
        export.pdf_from_html("<p style='page-break-after: always'>a</p><p>b</p>")
    assert "(2 pages)" in str(raised.value)


def test_it_refuses_a_pdf_of_a_huge_space_before_rendering_it(client_as, people, monkeypatch):
    monkeypatch.setattr(export, "PDF_MAX_PAGES", 2)
    monkeypatch.setattr(export, "pdf_from_html", lambda html: pytest.fail("rendered"))
    agent = acting(people["agent"])
    space = org_space()
    for title in ("A", "B", "C"):
        page_create(by=agent, space=space, title=title)
    response = client_as("viewer").get(reverse("wiki:space_export", args=[space.pk]) + "?format=pdf", follow=True)  # fmt: skip
    assert (
        "This is too large for a PDF (3 pages); please export it as Markdown."
        in response.content.decode()
    )
