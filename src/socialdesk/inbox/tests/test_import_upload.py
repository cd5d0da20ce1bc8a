"""Settings → Import: upload a file, the import runs in the background, rejected rows listed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from socialdesk.accounts.models import AuditEvent
from socialdesk.inbox.job_models import ImportJob
from socialdesk.inbox.models import Conversation, Message, Status

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
WHEN = "Mon Mar 02 08:00:00 +0000 2026"
LATER = "Mon Mar 02 08:30:00 +0000 2026"


def _twcs(*rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return HEADER + "\n" + buffer.getvalue()


GOOD = _twcs(
    ["1", "801", "True", WHEN, "@Hafenbahn Fährt heute die S1?", "2", ""],
    ["2", "Hafenbahn", "False", LATER, "@801 Ja, alle 20 Minuten.", "", "1.0"],
    ["3", "802", "True", WHEN, "@Hafenbahn Wo ist mein Rad?", "", ""],
    ["4", "803", "maybe", WHEN, "@Hafenbahn kaputt", "", ""],  # line 5: rejected
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _upload(client, content: str | bytes, name: str = "verlauf.csv", **fields: str):
    """Post the form; the job is queued when the upload commits (tasks run at once here)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    post = {"format": "twcs", "network": "other", **fields}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("inbox:imports"), {**post, "file": SimpleUploadedFile(name, data)}
        )
    if response.status_code != 302:
        return response
    return client.get(response["Location"], follow=True)


def test_it_imports_an_uploaded_file_in_the_background_and_lists_rejected_rows(client_as, data_dir):
    response = _upload(client_as("manager"), GOOD)
    job = ImportJob.objects.get()
    assert response.request["PATH_INFO"] == reverse("inbox:import_job", args=[job.pk])
    assert (job.state, job.rows_read, job.rows_stored, job.rejected) == ("done", 4, 3, 1)
    assert job.rows_total == 4  # what the progress bar counts towards
    assert job.conversations_resolved == 1 and job.finished_at is not None
    assert Message.objects.get(external_id="1").conversation.status == Status.RESOLVED
    assert Message.objects.get(external_id="3").conversation.status == Status.OPEN
    page = response.content.decode()
    assert "verlauf.csv:5</code>: inbound &#x27;maybe&#x27; is not True or False" in page
    assert "hx-trigger" not in page  # finished: the page stops asking
    download = client_as("manager").get(reverse("inbox:import_rejected", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows == [
        ["file", "line", "reason"],
        ["verlauf.csv", "5", "inbound 'maybe' is not True or False"],
    ]
    assert not list((data_dir / "imports").iterdir())  # the upload is deleted after the import
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "import.started" in actions and "import.finished" in actions


def test_it_shows_progress_that_refreshes_until_the_import_is_done(client_as, people):
    people["manager"].language = "de"
    people["manager"].save()
    job = ImportJob.objects.create(
        file_name="gross.csv",
        format="twcs",
        state=ImportJob.State.RUNNING,
        rows_total=200_000,
        rows_read=50_000,
        rows_stored=49_000,
        created_by=people["manager"],
    )
    client = client_as("manager")
    partial = client.get(reverse("inbox:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="25"' in html
    assert "50.000" in html and "200.000" in html  # German numbers for a German manager
    assert "<html" not in html


def test_it_imports_a_csv_with_the_columns_named_in_the_form(client_as):
    content = (
        "Nr;Wer;Nachricht;Zeit;Antwort auf;Kunde\n"
        "a1;kim;Wann kommt mein Paket?;2026-03-02T08:00:00+00:00;;true\n"
        "a2;paketdienst;Morgen!;2026-03-02T09:00:00+00:00;a1;false\n"
    ).replace(";", ",")
    _upload(
        client_as("admin"),
        content,
        name="export.csv",
        format="csv",
        map_id="Nr",
        map_author="Wer",
        map_text="Nachricht",
        map_created_at="Zeit",
        map_parent_id="Antwort auf",
        map_inbound="Kunde",
        account="paketdienst",
    )
    job = ImportJob.objects.get()
    assert (job.state, job.rows_stored, job.rejected) == ("done", 2, 0)
    assert Conversation.objects.get().status == Status.RESOLVED


def test_it_imports_json_lines_and_keeps_them_open_when_asked(client_as):
    lines = [
        {"id": "j1", "author": "eva", "text": "Geht das?", "created_at": "2026-03-02T08:00:00Z"},
        {
            "id": "j2",
            "author": "shop",
            "text": "Ja.",
            "created_at": "2026-03-02T08:05:00Z",
            "parent_id": "j1",
        },
    ]
    content = "\n".join(json.dumps(line) for line in lines) + "\n"
    _upload(
        client_as("manager"),
        content,
        name="verlauf.jsonl",
        format="jsonl",
        account="shop",
        keep_open="on",
    )
    job = ImportJob.objects.get()
    assert (job.state, job.rows_stored) == ("done", 2)
    assert Conversation.objects.get().status == Status.OPEN


@pytest.mark.parametrize(
    ("content", "name", "fields", "field", "message"),
    [
        (GOOD, "verlauf.xlsx", {}, "file", "Eine Datei im Format „Customer Support on Twitter"),
        ("a,b,c\n1,2,3\n", "x.csv", {}, "file", "Das ist keine twcs-Datei"),
        (b"\x00\x01\x02PK\x00\x00binary", "x.csv", {}, "file", "Das ist keine Textdatei"),
        ("{not json\n", "x.jsonl", {"format": "jsonl"}, "file", "keine JSON-Lines-Datei"),
        (
            "Nr,Wer,Text,Zeit\n1,kim,hallo,2026-03-02T08:00:00Z\n",
            "x.csv",
            {"format": "csv", "map_author": "Wer", "map_text": "Text", "map_created_at": "Zeit"},
            "map_id",
            "Geben Sie an, welche Spalte das enthält. Die Spalten der Datei: Nr, Wer, Text, Zeit",
        ),
        (
            "Nr,Wer,Text,Zeit\n",
            "x.csv",
            {
                "format": "csv",
                "map_id": "Nummer",
                "map_author": "Wer",
                "map_text": "Text",
                "map_created_at": "Zeit",
            },
            "map_id",
            "Die Datei hat keine Spalte „Nummer“.",
        ),
        ("", "leer.csv", {}, "file", "Die übertragene Datei ist leer."),
    ],
)
def test_it_says_at_the_field_in_german_what_is_wrong_with_the_upload(
    client_as, people, content, name, fields, field, message
):
    people["manager"].language = "de"
    people["manager"].save()
    response = _upload(client_as("manager"), content, name=name, **fields)
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert not ImportJob.objects.exists()


def test_it_refuses_a_file_larger_than_the_limit(client_as, settings, data_dir):
    settings.IMPORT_UPLOAD_MAX_MB = 1
    big = GOOD + "x" * (1024 * 1024)
    response = _upload(client_as("manager"), big)
    assert "larger than 1 MB" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists() and not (data_dir / "imports").exists()


def test_it_stores_the_good_rows_of_a_hostile_file_and_lists_the_bad_ones(client_as):
    hostile = _twcs(
        ["10", "900", "True", WHEN, "Hallo\x00 mit NUL?", "", ""],
        ["11", "9" * 300, "True", WHEN, "zu langer Autor", "", ""],
        ["12", "901", "True", WHEN, "x" * 200_000, "", ""],
        [str(10**40), "902", "True", WHEN, "riesige Nummer", "", ""],
        ["13", "903", "True", "Mon Mar 02 08:00:00 +0000 99999", "falsches Jahr", "", ""],
        ["14", "904", "True", WHEN, "Grüße aus Köln – läuft’s?", "", ""],
    )
    # UTF-16 with BOM, as spreadsheets on Windows save "Unicode text".
    _upload(client_as("manager"), hostile.encode("utf-16"), name="feindlich.csv")
    job = ImportJob.objects.get()
    assert job.state == "done", job.error
    stored = set(Message.objects.values_list("external_id", flat=True))
    assert {"10", "14"} <= stored and "11" not in stored
    assert Message.objects.get(external_id="10").text == "Hallo mit NUL?"
    assert Message.objects.get(external_id="14").text == "Grüße aus Köln – läuft’s?"
    assert job.rows_read == 6 and job.rows_stored + job.rejected == 6
    reasons = {line: reason for _file, line, reason in job.first_rejections}
    assert "author is longer than 255 characters" in reasons[3]
    assert all("\x00" not in reason for reason in reasons.values())


def test_only_managers_and_admins_may_import(client_as):
    assert client_as("agent").get(reverse("inbox:imports")).status_code == 403
    assert client_as("manager").get(reverse("inbox:imports")).status_code == 200
    settings_page = client_as("admin").get(reverse("shell:settings")).content.decode()
    assert reverse("inbox:imports") in settings_page


def test_it_explains_rejected_rows_in_the_uploaders_language(client_as, people):
    people["manager"].language = "de"
    people["manager"].save(update_fields=["language"])
    page = _upload(client_as("manager"), GOOD).content.decode()
    assert (
        "verlauf.csv:5</code>: inbound: „maybe“ ist kein Wahrheitswert (wahr oder falsch)" in page
    )
    assert "is not True or False" not in page
