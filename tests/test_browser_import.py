"""In headless Chromium, in German: a manager uploads history and watches its import finish."""

from __future__ import annotations

import csv
import os
from io import StringIO
from pathlib import Path

import pytest
from playwright.sync_api import expect

from socialdesk.accounts.models import Role, User
from socialdesk.inbox.import_tasks import run_import_job
from socialdesk.inbox.job_models import ImportJob
from socialdesk.inbox.models import Message, Status
from tests.test_browser import CHROMIUM, _shot, browser_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser]

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
ROWS = [
    ["1", "811", "True", "Mon Mar 02 08:00:00 +0000 2026", "@Kuestenbus Fährt der 7er?", "2", ""],
    ["2", "Kuestenbus", "False", "Mon Mar 02 08:10:00 +0000 2026", "@811 Ja.", "", "1.0"],
    [
        "3",
        "812",
        "True",
        "Mon Mar 02 09:00:00 +0000 2026",
        "@Kuestenbus Wo ist mein Schal?",
        "",
        "",
    ],
    ["4", "813", "vielleicht", "Mon Mar 02 09:00:00 +0000 2026", "kaputt", "", ""],
]


@pytest.mark.django_db(transaction=True)
def test_a_manager_imports_a_file_and_sees_its_rejected_row(
    live_server,
    browser_page,  # noqa: F811
    tmp_path,
    settings,
    monkeypatch,
):
    settings.DATA_DIR = tmp_path
    # The worker is the test itself: the job waits until the test runs it.
    monkeypatch.setattr("socialdesk.inbox.import_services._queue", lambda job_id: None)
    page, console_errors = browser_page
    User.objects.create_user(
        "mia@example.com",
        "mia's long passphrase",
        full_name="Mia Managerin",
        role=Role.MANAGER,
        language="de",
    )
    buffer = StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(ROWS)
    upload = tmp_path / "verlauf.csv"
    upload.write_text(HEADER + "\n" + buffer.getvalue(), encoding="utf-8")

    page.goto(live_server.url + "/")
    page.get_by_label("E-mail address").fill("mia@example.com")
    page.get_by_label("Password").fill("mia's long passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("html[lang=de]")
    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="Verlauf importieren").click()
    expect(page.locator("h1")).to_have_text("Verlauf importieren")

    page.get_by_label("Datei").set_input_files(str(upload))
    page.get_by_role("button", name="Hochladen und importieren").click()
    expect(page.locator(".import-state")).to_have_text("Wartet auf den Start")
    shots = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
    _shot(page, "import-waiting-de")

    job = ImportJob.objects.get()
    run_import_job.call(job.pk)  # what `socialdesk worker` does

    # The page asks again every two seconds and shows the finished import by itself.
    expect(page.locator(".import-state")).to_have_text("Abgeschlossen", timeout=10_000)
    expect(page.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator(".rejections")).to_contain_text(
        "verlauf.csv:5: inbound: „vielleicht“ ist kein Wahrheitswert (wahr oder falsch)"
    )
    expect(page.locator(".figures")).to_contain_text("Gespeicherte Nachrichten")
    _shot(page, "import-done-de")
    assert Message.objects.get(external_id="1").conversation.status == Status.RESOLVED
    assert Message.objects.get(external_id="3").conversation.status == Status.OPEN

    with page.expect_download() as download:
        page.get_by_role("link", name="Alle abgelehnten Zeilen herunterladen (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert '"verlauf.csv","5"' in text

    User.objects.filter(email="mia@example.com").update(language="en")
    page.goto(live_server.url + "/inbox/imports/")
    expect(page.locator("h1")).to_have_text("Import history")
    _shot(page, "import-list-en")
    assert shots.is_dir()
    assert console_errors == []
