"""Attachments: every allowed type sniffed from its bytes, hostile files refused with a message
at the field and the text kept, images without EXIF, downloads never inline."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from socialdesk.shell import middleware
from socialdesk.spaces import attachments, post_services, room_services
from socialdesk.spaces.models import Attachment, AttachmentBlob, RoomPost
from socialdesk.spaces.tests.helpers import by

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (30, 20), (200, 10, 10))
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # GPS
    exif[0x010F] = "Kamera GmbH"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _zip(entries: dict[str, bytes], *, first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(first, entries.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip(
    {
        "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00macro",
    }
)
ODT = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
    first="mimetype",
)
BOMB = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 5_000_000})


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_name"),
    [
        ("foto.jpg", _jpeg_with_gps(), "image/jpeg", "foto.jpg"),
        ("bericht.pdf", PDF, "application/pdf", "bericht.pdf"),
        ("../../etc/bericht", PDF, "application/pdf", "bericht.pdf"),
        ("plan.docx", DOCX, attachments.KINDS["docx"][0], "plan.docx"),
        ("plan.odt", ODT, attachments.KINDS["odt"][0], "plan.odt"),
        ("liste.csv", "a;b\nÄ;ß\n".encode(), "text/csv; charset=utf-8", "liste.csv"),
        ("notiz.txt", b"Hallo", "text/plain; charset=utf-8", "notiz.txt"),
        ("evil\u202egpj.exe", b"Hallo", "text/plain; charset=utf-8", "evilgpj.exe.txt"),
    ],
)
def test_it_sniffs_every_allowed_type_from_the_bytes(name, data, content_type, stored_name):
    found = attachments.sniff(name, data)
    assert (found.content_type, found.name) == (content_type, stored_name)


def test_it_resaves_images_without_exif_and_gps():
    found = attachments.sniff("foto.jpg", _jpeg_with_gps())
    with Image.open(io.BytesIO(found.content)) as image:
        assert dict(image.getexif()) == {}


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "bericht.pdf",
            b"<html><script>alert(1)</script></html>",
            "“bericht.pdf” is not a PDF file.",
        ),
        ("seite.html", b"<!doctype html><p>x", "files of this kind cannot be attached"),
        (
            "bild.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "cannot be attached",
        ),
        ("makro.docm", DOCM, "cannot be attached"),
        ("bombe.docx", BOMB, "cannot be attached"),
        ("archiv.zip", _zip({"a.txt": b"x"}), "cannot be attached"),
        ("polyglot.pdf", b"%PDF-1.4\n<html><script>x</script>", "cannot be attached"),
        ("prog.exe", b"MZ\x90\x00\x03\x00\x00\x00", "cannot be attached"),
    ],
)
def test_it_refuses_hostile_files_with_a_message(name, data, message):
    with pytest.raises(ValidationError) as refused:
        attachments.sniff(name, data)
    assert message in refused.value.message_dict["files"][0]


def test_it_refuses_an_oversized_file_and_more_than_ten(settings, people):
    settings.SPACES_ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("bericht.pdf", b"%PDF-" + b"0" * (3 * 1024 * 1024) + b"%%EOF")
    with pytest.raises(ValidationError) as refused:
        attachments.check_files([big])
    assert refused.value.message_dict["files"] == [
        "The file “bericht.pdf” is 3 MB; 1 MB are allowed."
    ]
    many = [SimpleUploadedFile(f"n{i}.txt", b"x") for i in range(11)]
    with pytest.raises(ValidationError):
        attachments.check_files(many)


def test_it_keeps_the_text_and_names_the_file_when_one_is_refused(client_as, people):
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    response = client_as("agent").post(
        reverse("spaces:room_post_new", args=[room.pk]),
        {"body": "Mein langer Text", "files": [SimpleUploadedFile("bericht.pdf", b"<html>x")]},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "„bericht.pdf“ ist keine PDF-Datei." in html
    assert "Mein langer Text" in html
    assert not RoomPost.objects.exists()


def test_it_stores_identical_files_once_and_downloads_never_inline(client_as, people):
    room = room_services.room_create(by=by(people["agent"]), name="Team", visibility="private")
    for n in range(2):
        post_services.post_create(
            by=by(people["agent"]),
            room=room,
            body=f"Datei {n}",
            files=[SimpleUploadedFile("bericht.pdf", PDF, content_type="text/html")],
        )
    assert (Attachment.objects.count(), AttachmentBlob.objects.count()) == (2, 1)
    first = Attachment.objects.first()
    assert first is not None
    response = client_as("agent").get(reverse("spaces:attachment", args=[first.pk]))
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bericht.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert client_as("member").get(reverse("spaces:attachment", args=[first.pk])).status_code == 404


def test_it_stops_an_oversized_upload_while_it_arrives_and_keeps_the_text(
    client_as, people, settings, monkeypatch
):
    settings.SPACES_ATTACHMENT_MAX_MB = 1
    stored: list[int] = []
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    original = TemporaryFileUploadHandler.receive_data_chunk

    def spy(self: Any, raw_data: bytes, start: int) -> Any:
        stored.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", spy)
    # the NUL filter must leave this form to the view (the services refuse NUL themselves)
    monkeypatch.setattr(
        middleware, "READS_RAW_BODY", {*middleware.READS_RAW_BODY, "spaces:room_post_new"}
    )
    room = room_services.room_create(by=by(people["agent"]), name="Team")
    big = SimpleUploadedFile("bericht.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))
    response = client_as("agent").post(
        reverse("spaces:room_post_new", args=[room.pk]),
        {"body": "Mein Text bleibt", "files": [big]},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Die Datei „bericht.pdf“ ist größer als 1 MB, mehr ist nicht erlaubt." in html
    assert "Mein Text bleibt" in html
    assert sum(stored) <= 1024 * 1024  # never more than the limit written to a temporary file
    assert not RoomPost.objects.exists()
