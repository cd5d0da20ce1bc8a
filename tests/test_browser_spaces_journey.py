"""Issue 14's journey in German, in headless Chromium: a room with people from two sites, a post
with a mention and a PDF, a resolved conversation kept as an FAQ page, edited twice and brought
back to its first version, found by a part of a German compound and by a word of a message, and
a department member who does not find a conversation not handed to her department."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.accounts.site_services import site_create, user_set_site
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Status
from socialdesk.search import indexing
from socialdesk.wiki.models import WikiPage, WikiSpace
from tests.test_browser import _shot
from tests.test_browser import browser_page as browser_page  # the fixture

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "ein langes Passwort für alle"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _person(email: str, name: str, role: str) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, role=role, language="de")


def _conversation(account: ChannelAccount, who: str, texts: list[tuple[str, str]], **fields: Any):
    contact = Contact.objects.create(display_name=who)
    conversation = Conversation.objects.create(channel_account=account, contact=contact, **fields)
    start = timezone.now() - timedelta(days=2)
    for n, (direction, text) in enumerate(texts):
        Message.objects.create(
            conversation=conversation, channel_account=account,
            external_id=f"{conversation.pk}-{n}", direction=direction, text=text,
            created_at=start + timedelta(minutes=10 * n), language="de",
            contact=contact if direction == Direction.INBOUND else None,
        )  # fmt: skip
    refresh_conversations({conversation.pk})
    return conversation


@pytest.fixture
def team() -> dict[str, Any]:
    service = Department.objects.create(name="Kundenservice")
    product = Department.objects.create(name="Produktentwicklung")
    jana = _person("jana@example.com", "Jana Petersen", Role.MANAGER)
    anna = _person("anna.schmidt@example.com", "Anna Schmidt", Role.AGENT)
    mia = _person("mia@example.com", "Mia Berger", Role.MEMBER)
    mia.departments.set([product])
    by = Acting(user=jana)
    hamburg = site_create(by=by, name="Hamburg", time_zone="Europe/Berlin")
    munich = site_create(by=by, name="München", time_zone="Europe/Berlin")
    user_set_site(by=by, user=jana, site=hamburg)
    user_set_site(by=by, user=anna, site=munich)
    account = ChannelAccount.objects.create(network="mastodon", handle="nordbahn", name="Nordbahn")
    faq = _conversation(
        account, "Karla Kundin",
        [(Direction.INBOUND, "Hallo, wie bekomme ich mein Geld für den Ticketkauf zurück?"),
         (Direction.OUTBOUND, "Hallo Karla, das Erstattungsformular steht auf unserer Website.")],
        status=Status.RESOLVED, department=service,
    )  # fmt: skip
    secret = _conversation(
        account, "Otto Ohnename",
        [(Direction.INBOUND, "Wo bleibt mein Verspätungsgutschein für die Fahrt nach Kiel?")],
        department=service,
    )  # fmt: skip
    WikiSpace.objects.create(name="Handbuch", key="handbuch")
    indexing.reindex()  # the messages were written here directly, not through the import
    return {"faq": faq, "secret": secret, "mia": mia}


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url + "/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def _search(page: Any, query: str) -> list[str]:
    """Type into the top bar's box after pressing /, as a person would; the hits' titles."""
    page.locator("main").click()  # not inside a field, so / jumps to the box
    page.keyboard.press("/")
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    wanted = "q=" + quote(query)  # a new page, or the results swapped in (the address follows)
    page.wait_for_url(lambda address: address.endswith(wanted) or wanted + "&" in address)
    page.wait_for_load_state("load")
    return [str(t) for t in page.locator(".search-hit .hit-head a").all_inner_texts()]


def test_a_room_a_post_an_faq_page_and_one_search_in_german(
    live_server,
    browser_page,
    team,
    tmp_path: Path,
):
    page, errors = browser_page
    url = live_server.url
    _sign_in(page, url, "jana@example.com")

    # A room with the people of two sites.
    page.goto(url + "/spaces/rooms/new/")
    page.get_by_label("Name").fill("Fahrplanwechsel 2027")
    page.get_by_label("Zweck").fill("Alles, was Kundenservice und Technik dafür brauchen.")
    page.get_by_label("Standorte").select_option(label=["Hamburg", "München"])
    page.get_by_role("button", name="Raum eröffnen").click()
    page.wait_for_url(re.compile(r"/spaces/rooms/\d+/$"))
    assert "Anna Schmidt" in page.locator("body").inner_text()  # München's person is a member

    # A post with a mention and a PDF.
    pdf = tmp_path / "Fahrplan.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("Text").fill("@[Anna Schmidt] bitte den Fahrplan prüfen.")
    page.get_by_label("Anhang").set_input_files(str(pdf))
    page.get_by_role("button", name="Im Raum teilen").click()
    page.wait_for_load_state("load")
    assert page.locator("a.mention", has_text="@Anna Schmidt").count() == 1
    assert page.locator("a", has_text="Fahrplan.pdf").count() == 1
    _shot(page, "journey-room-de")

    # A resolved conversation becomes an FAQ page.
    page.goto(url + f"/inbox/{team['faq'].pk}/")
    page.get_by_role("link", name="Als FAQ speichern").click()
    page.wait_for_url(re.compile(r"/wiki/faq/from-conversation/\d+/$"))
    assert "Karla" not in page.get_by_label("Antwort").input_value()
    page.get_by_label("Titel").fill("Erstattung nach dem Ticketkauf")
    page.get_by_role("button", name="FAQ-Entwurf speichern").click()
    page.wait_for_url(re.compile(r"/wiki/pages/\d+/$"))
    faq = WikiPage.objects.get(title="Erstattung nach dem Ticketkauf")
    first_body = faq.body

    # Edited twice, then the first version comes back.
    for addition in ("Gilt auch für Zeitkarten.", "Frist: ein Jahr."):
        page.get_by_role("link", name="Bearbeiten").first.click()
        box = page.get_by_label("Text")
        box.fill(box.input_value() + "\n\n" + addition)
        page.get_by_role("button", name="Speichern", exact=True).click()
        page.wait_for_url(re.compile(r"/wiki/pages/\d+/$"))
    assert "Frist: ein Jahr." in page.locator("main").inner_text()
    page.get_by_role("link", name="Verlauf").click()
    _shot(page, "journey-history-before-de")
    first = page.locator("tr", has=page.locator("td.num", has_text=re.compile(r"^1$")))
    first.get_by_role("button", name="Wiederherstellen").click()
    page.wait_for_load_state("load")
    faq.refresh_from_db()
    assert faq.body == first_body and faq.revision == 4
    _shot(page, "journey-history-de")

    # One search: a part of a German compound, and a word of a message.
    titles = _search(page, "Ticket")
    assert "Erstattung nach dem Ticketkauf" in titles
    _shot(page, "journey-search-de")
    assert _search(page, "Verspätungsgutschein")  # the manager finds the customer's message
    assert [e for e in errors if "Content Security Policy" in e] == []

    # Mia (Produktentwicklung) does not find Kundenservice's conversation.
    page.context.clear_cookies()  # signed out
    _sign_in(page, url, "mia@example.com")
    assert _search(page, "Verspätungsgutschein") == []
    assert "Nichts gefunden" in page.locator("#search-results").inner_text()
    assert _search(page, "Ticket")  # the wiki page is for everyone
