"""History imports through the API: upload as the page's form takes it, follow the job, fetch
the rejected rows; the page's roles, size limit and answers to wrong or hostile values."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from socialdesk.accounts.models import AuditEvent, User
from socialdesk.api.tests.conftest import Api
from socialdesk.inbox.job_models import ImportJob
from socialdesk.inbox.models import Conversation, Message, Status

pytestmark = pytest.mark.django_db
IMPORTS = "/api/v1/imports"
# Customer Support on Twitter: the columns the twcs format takes, and four rows.
TWCS = (
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    "1,801,True,Mon Mar 02 08:00:00 +0000 2026,@Hafenbahn Fährt heute die S1?,2,\n"
    "2,Hafenbahn,False,Mon Mar 02 08:30:00 +0000 2026,@801 Ja alle 20 Minuten.,,1.0\n"
    "3,802,True,Mon Mar 02 08:00:00 +0000 2026,@Hafenbahn Wo ist mein Rad?,,\n"
    "4,803,maybe,Mon Mar 02 08:00:00 +0000 2026,@Hafenbahn kaputt,,\n"
)
# A CSV with its own columns, named in the upload's fields.
OWN = (
    "Nr,Wer,Nachricht,Zeit,Antwort auf,Kunde\n"
    "a1,kim,Wann kommt mein Paket?,2026-03-02T08:00:00+00:00,,true\n"
    "a2,paketdienst,Morgen!,2026-03-02T09:00:00+00:00,a1,false\n"
)


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _upload(
    client: Client,
    content: str | bytes,
    name: str = "verlauf.csv",
    capture: Any = None,
    **fields: Any,
) -> Any:
    data = content.encode("utf-8") if isinstance(content, str) else content
    body = {"format": "twcs", **fields, "file": SimpleUploadedFile(name, data)}
    if capture is None:
        return client.post(IMPORTS, body)
    with capture(execute=True):  # the import is queued on commit (tasks run at once here)
        return client.post(IMPORTS, body)


def test_it_imports_a_file_and_reports_the_rejected_row_with_its_line(
    api_as: Api, people: dict[str, User], django_capture_on_commit_callbacks: Any, data_dir: Path
) -> None:
    manager = api_as("manager")
    started = _upload(manager, TWCS, capture=django_capture_on_commit_callbacks)
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["file_name"] == "verlauf.csv" and body["format"] == "twcs"
    assert body["rows_total"] == 4 and body["created_by"]["id"] == people["manager"].pk
    event = AuditEvent.objects.get(action="import.started")
    assert event.token_name == "test" and event.actor == people["manager"]

    job = manager.get(f"{IMPORTS}/{body['id']}").json()
    assert (job["state"], job["rows_read"], job["rows_stored"], job["rejected"]) == (
        "done", 4, 3, 1,
    )  # fmt: skip
    assert job["percent"] == 100 and job["conversations_resolved"] == 1
    assert job["first_rejections"] == [
        {"file": "verlauf.csv", "line": 5, "reason": "inbound 'maybe' is not True or False"}
    ]
    assert Message.objects.get(external_id="1").conversation.status == Status.RESOLVED
    assert Message.objects.get(external_id="3").conversation.status == Status.OPEN
    assert set(Message.objects.values_list("external_id", flat=True)) == {"1", "2", "3"}

    assert job["rejected_url"] == f"{IMPORTS}/{body['id']}/rejected"
    download = manager.get(job["rejected_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.getvalue().decode())))
    assert rows == [
        ["file", "line", "reason"],
        ["verlauf.csv", "5", "inbound 'maybe' is not True or False"],
    ]
    assert not list((data_dir / "imports").iterdir())  # the upload is gone after the import


def test_it_imports_a_csv_with_the_columns_named_in_the_fields(
    api_as: Api, django_capture_on_commit_callbacks: Any
) -> None:
    started = _upload(
        api_as("admin"),
        OWN,
        name="export.csv",
        capture=django_capture_on_commit_callbacks,
        format="csv",
        network="mastodon",
        account="paketdienst",
        map_id="Nr",
        map_author="Wer",
        map_text="Nachricht",
        map_created_at="Zeit",
        map_parent_id="Antwort auf",
        map_inbound="Kunde",
        keep_open="true",
    )
    assert started.status_code == 202, started.content
    assert started.json()["network"] == "mastodon" and started.json()["keep_open"] is True
    job = ImportJob.objects.get()
    assert (job.state, job.rows_stored, job.rejected) == ("done", 2, 0)
    assert job.options["mapping"]["text"] == "Nachricht"
    assert Conversation.objects.get().status == Status.OPEN  # kept open, as asked


def test_roles_the_page_forbids_get_403(api_as: Api, people: dict[str, User]) -> None:
    job = ImportJob.objects.create(file_name="alt.csv", format="twcs", state="done")
    for role in ("agent", "member", "viewer"):
        client = api_as(role)
        assert _upload(client, TWCS).status_code == 403, role
        assert client.get(IMPORTS).status_code == 403
        assert client.get(f"{IMPORTS}/{job.pk}").status_code == 403
        assert client.get(f"{IMPORTS}/{job.pk}/rejected").status_code == 403
    assert ImportJob.objects.count() == 1


def test_a_wrong_file_or_field_is_a_422_naming_it_in_the_callers_language(
    api_as: Api, settings: Any
) -> None:
    manager = api_as("manager", **{"Accept-Language": "de"})

    unnamed = _upload(manager, OWN, format="csv", map_text="Nachricht")
    assert unnamed.status_code == 422
    errors = unnamed.json()["errors"]
    assert set(errors) == {"map_id", "map_author", "map_created_at"}
    assert errors["map_id"][0].startswith("Geben Sie an, welche Spalte")
    wrong_column = _upload(manager, OWN, format="csv", map_id="Nummer", map_author="Wer",
                           map_text="Nachricht", map_created_at="Zeit")  # fmt: skip
    assert list(wrong_column.json()["errors"]) == ["map_id"]
    assert "„Nummer“" in wrong_column.json()["errors"]["map_id"][0]
    ending = _upload(manager, TWCS, name="verlauf.txt")
    assert (
        list(ending.json()["errors"]) == ["file"] and ".csv" in ending.json()["errors"]["file"][0]
    )
    empty = _upload(manager, b"")
    assert empty.json()["errors"] == {"file": ["Die übertragene Datei ist leer."]}
    not_twcs = _upload(manager, OWN)
    assert not_twcs.status_code == 422 and "twcs" in not_twcs.json()["errors"]["file"][0]
    no_format = manager.post(IMPORTS, {"file": SimpleUploadedFile("v.csv", TWCS.encode())})
    assert no_format.status_code == 422 and "format" in no_format.json()["errors"]
    no_file = manager.post(IMPORTS, {"format": "twcs"})
    assert no_file.status_code == 422 and "file" in no_file.json()["errors"]
    assert manager.post(IMPORTS, {}, content_type="application/json").status_code == 422

    settings.IMPORT_UPLOAD_MAX_MB = 1  # the page's limit holds here too
    large = TWCS + "5,804,True,Mon Mar 02 08:00:00 +0000 2026," + "x" * (1024 * 1024) + ",,\n"
    too_large = _upload(manager, large)
    assert too_large.status_code == 422
    assert too_large.json()["errors"]["file"][0].startswith("Die Datei ist größer als 1 MB")
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"account": "shop\x00"}, "account"),
        ({"map_id": "x" * 201}, "map_id"),
        ({"account": "x" * 256}, "account"),
        ({"format": "xml"}, "format"),
        ({"network": "myspace"}, "network"),
    ],
)
def test_a_hostile_value_is_a_422_not_a_500(
    api_as: Api, fields: dict[str, str], field: str
) -> None:
    answer = _upload(api_as("manager"), TWCS, **fields)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["errors"]
    assert not ImportJob.objects.exists()


def test_a_file_with_nul_bytes_or_binary_content_is_refused(api_as: Api) -> None:
    answer = _upload(api_as("manager"), b"\x89PNG\x00\x00\x00binary", name="bild.csv")
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["file"]


def test_the_list_comes_newest_first_a_page_at_a_time(api_as: Api) -> None:
    now = timezone.now()
    made = []
    for n in range(5):
        job = ImportJob.objects.create(file_name=f"teil-{n}.csv", format="twcs")
        ImportJob.objects.filter(pk=job.pk).update(created_at=now - timedelta(hours=5 - n))
        made.append(job.pk)
    manager = api_as("manager")
    pages: list[list[int]] = []
    cursor: str | None = ""
    while cursor is not None and len(pages) < 5:
        answer = manager.get(f"{IMPORTS}?limit=2&cursor={cursor}").json()
        pages.append([item["id"] for item in answer["items"]])
        cursor = answer["next"]
    newest_first = made[::-1]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    # A job arriving meanwhile neither repeats nor shifts the pages after the first.
    first = manager.get(f"{IMPORTS}?limit=2").json()
    ImportJob.objects.create(file_name="neu.csv", format="twcs")
    second = manager.get(f"{IMPORTS}?limit=2&cursor={first['next']}").json()
    assert [item["id"] for item in second["items"]] == newest_first[2:4]
    assert manager.get(IMPORTS, {"cursor": "kaputt"}).status_code == 400
    assert manager.get(IMPORTS, {"limit": 101}).status_code == 422


def test_rejected_rows_wait_for_the_end_of_the_import(api_as: Api) -> None:
    job = ImportJob.objects.create(file_name="gross.csv", format="twcs", state="running")
    manager = api_as("manager", **{"Accept-Language": "de"})
    running = manager.get(f"{IMPORTS}/{job.pk}/rejected")
    assert running.status_code == 409
    assert running.json()["detail"] == "Dieser Import ist noch nicht abgeschlossen."
    assert manager.get(f"{IMPORTS}/{job.pk}").json()["rejected_url"] is None
    assert manager.get(f"{IMPORTS}/99999").status_code == 404
    assert manager.get(f"{IMPORTS}/99999/rejected").status_code == 404
    assert manager.get(f"{IMPORTS}/{2**64}").status_code == 422
    assert manager.get(f"{IMPORTS}/{2**64}/rejected").status_code == 422
