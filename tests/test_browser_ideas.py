"""In headless Chromium: a Product Development member tells a story with a photo through the
bookmarkable /story/ address; the social media manager (who reads German) accepts it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.publishing.campaign_services import campaign_create
from socialdesk.publishing.models import Idea, IdeaStatus
from tests.test_browser import _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]
PASSWORD = "a long passphrase 42"


def _jpeg() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (640, 420), (30, 110, 180))
    for x in range(100, 540):
        for y in range(150, 270):
            image.putpixel((x, y), (230, 60, 40))  # a red train on blue
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _sign_in(page: Page, email: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_a_member_tells_a_story_with_a_photo_and_the_manager_accepts_it(
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, console_errors = browser_page
    product = Department.objects.create(name="Produktentwicklung")
    manager = User.objects.create_user("max@example.com", PASSWORD, full_name="Max Manager",
                                       role=Role.MANAGER, language="de")  # fmt: skip
    member = User.objects.create_user("pia@example.com", PASSWORD, full_name="Pia Produkt",
                                      role=Role.MEMBER, language="en")  # fmt: skip
    member.departments.set([product])
    campaign_create(by=Acting(user=manager), name="Sommerfahrplan", colour="#e4572e",
                    goal="Mehr Fahrgäste im Sommer")  # fmt: skip

    # The bookmark: /story/ asks to sign in first, then shows the form.
    page.goto(live_server.url + "/story/")
    _sign_in(page, "pia@example.com")
    page.wait_for_url(live_server.url + "/story/")
    expect(page.locator("h1")).to_have_text("Tell us your story")
    expect(page.get_by_label("Department")).to_have_value(str(product.pk))
    page.get_by_label("Title").fill("Azubis bauen einen Lego-Zug")
    page.get_by_label("What happened?").fill("Zehn Azubis bauten in Kiel einen Zug aus Lego.")
    page.get_by_label("Campaign").select_option(label="Sommerfahrplan")
    page.locator("#id_photo_1").set_input_files(
        {"name": "lego-zug.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    # Without alt text the photo is refused at its field, and nothing is stored.
    page.get_by_role("button", name="Send story idea").click()
    expect(page.locator(".form-error")).to_contain_text("choose them again")
    expect(page.locator(".photo-slot").first).to_contain_text("Describe the photo")
    assert Idea.objects.count() == 0
    _shot(page, "idea-new-error-en")
    page.locator("#id_photo_1").set_input_files(
        {"name": "lego-zug.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    page.get_by_label("Alt text of photo 1").fill("Ein roter Lego-Zug auf blauem Grund")
    page.get_by_role("button", name="Send story idea").click()
    expect(page.locator(".message.success")).to_contain_text("Your story idea is in")
    expect(page.locator("#idea-status")).to_have_text("New")
    photo = page.get_by_role("img", name="Ein roter Lego-Zug auf blauem Grund")
    expect(photo).to_be_visible()
    page.wait_for_function("() => document.querySelector('ul.photos img').naturalWidth > 0")
    assert photo.evaluate("img => img.naturalWidth") == 640
    _shot(page, "idea-detail-member-en")
    page.get_by_role("button", name="Sign out").click()

    # The manager reads German: the list counts one new idea; accepting tells Pia.
    page.goto(live_server.url + "/publishing/ideas/")
    _sign_in(page, "max@example.com")
    page.wait_for_url(live_server.url + "/publishing/ideas/")
    expect(page.locator("h1")).to_have_text("Story-Ideen")
    expect(page.locator("#count-new .badge")).to_have_text("1")
    _shot(page, "ideas-list-de")
    page.get_by_role("link", name="Azubis bauen einen Lego-Zug").click()
    page.get_by_role("button", name="Annehmen").click()
    expect(page.locator("#idea-status")).to_have_text("Angenommen")
    expect(page.locator("#history")).to_contain_text("Story-Idee angenommen")
    expect(page.locator("#write-post")).to_have_attribute(
        "href", f"/publishing/posts/new/?idea={Idea.objects.get().pk}"
    )
    _shot(page, "idea-detail-manager-de")
    page.get_by_role("link", name="Sommerfahrplan").first.click()
    expect(page.locator("h1")).to_contain_text("Sommerfahrplan")
    _shot(page, "campaign-de")
    page.get_by_role("link", name="Kampagnen").first.click()
    expect(page.locator("table.campaigns")).to_contain_text("Sommerfahrplan")
    _shot(page, "campaigns-de")
    assert Idea.objects.get().status == IdeaStatus.ACCEPTED
    assert member.notifications.filter(kind="idea").count() == 1
    assert console_errors == []
