"""Files on room posts: the type is sniffed from the bytes (never the client's word), images
are re-saved without EXIF/GPS, office zips are checked for bombs and macros, names are made
harmless. Stored once per content (`AttachmentBlob`)."""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .attachment_models import ATTACHMENT_NAME_MAX, Attachment, AttachmentBlob
from .models import RoomPost

MAX_FILES = 10
MAX_IMAGE_PIXELS = 50_000_000
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100

# sniffed kind -> (content type, extension, what a person calls it)
KINDS: dict[str, tuple[str, str]] = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "odp"),
    "txt": ("text/plain; charset=utf-8", "txt"),
    "csv": ("text/csv; charset=utf-8", "csv"),
}
_IMAGE_FORMATS = {"JPEG": "jpeg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
_ODF = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
_EXTENSION_KIND = {ext: kind for kind, (_ct, ext) in KINDS.items()} | {"jpeg": "jpeg"}


@dataclass(frozen=True)
class Sniffed:
    name: str
    content_type: str
    content: bytes


def _limit_bytes() -> int:
    return int(settings.SPACES_ATTACHMENT_MAX_MB) * 1024 * 1024


def _mb(size: int) -> str:
    return str(max(1, round(size / (1024 * 1024))))


def _refuse(name: str) -> ValidationError:
    return ValidationError(
        {"files": _("“%(name)s”: files of this kind cannot be attached.") % {"name": _shown(name)}}
    )


def _shown(name: str) -> str:
    return safe_stem(name)[:80] or "?"


def safe_stem(name: str) -> str:
    """The file name's last part without path, control or bidi characters, NFC."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    kept = "".join(
        ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*'
    ).strip(" .")
    return kept


def safe_filename(name: str, extension: str) -> str:
    """A harmless name with the extension of the sniffed type ("../x.pdf.exe" → "x.pdf.pdf")."""
    stem = safe_stem(name)
    root, dot_ext = os.path.splitext(stem)
    if dot_ext.lower().lstrip(".") in _EXTENSION_KIND and _EXTENSION_KIND[
        dot_ext.lower().lstrip(".")
    ] == _EXTENSION_KIND.get(extension):
        stem = root
    stem = stem or _("file")
    room = ATTACHMENT_NAME_MAX - len(extension) - 1
    return f"{stem[:room]}.{extension}"


def _image(data: bytes, name: str) -> tuple[str, bytes]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
            with Image.open(io.BytesIO(data)) as opened:
                kind = _IMAGE_FORMATS.get(opened.format or "")
                if kind is None:
                    raise _refuse(name)
                if opened.width * opened.height > MAX_IMAGE_PIXELS:
                    raise _refuse(name)
                opened.load()
                if kind == "gif" and getattr(opened, "is_animated", False):
                    return kind, _strip_gif(data)
                image = ImageOps.exif_transpose(opened) or opened.copy()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, ValueError):
        raise _refuse(name) from None
    out = io.BytesIO()
    if kind == "jpeg":
        image.convert("RGB").save(out, "JPEG", quality=92)
    else:
        image.save(out, opened.format or "PNG")
    return kind, out.getvalue()


def _strip_gif(data: bytes) -> bytes:
    return data  # GIF carries no EXIF; animated ones are kept as they are


def _zip_kind(data: bytes, name: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name) from None
    total = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if (
        len(entries) > ZIP_MAX_ENTRIES
        or total > ZIP_MAX_UNCOMPRESSED
        or total / packed > ZIP_MAX_RATIO
    ):
        raise _refuse(name)
    names = [e.filename for e in entries]
    if any(n.startswith("/") or ".." in n.split("/") for n in names):
        raise _refuse(name)
    if names and names[0] == "mimetype":
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        if mimetype in _ODF:
            return _ODF[mimetype]
        raise _refuse(name)
    if "[Content_Types].xml" in names:
        types = archive.read("[Content_Types].xml")[:200_000].decode("utf-8", "replace")
        if "macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _refuse(name)
        for prefix, kind in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    raise _refuse(name)


def _text_kind(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise _refuse(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(name) from None
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script")) or "<script" in head:
        raise _refuse(name)
    return "csv" if name.lower().endswith(".csv") else "txt"


def _refuse_claimed(name: str, kind: str | None) -> None:
    """A name claiming a type the bytes are not: "„bericht.pdf“ ist keine PDF-Datei."."""
    claimed = os.path.splitext(safe_stem(name))[1].lower().lstrip(".")
    if claimed not in _EXTENSION_KIND or kind == _EXTENSION_KIND[claimed]:
        return
    if kind is not None and {claimed, kind} <= {"txt", "csv"}:
        return
    raise ValidationError(
        {
            "files": _("“%(name)s” is not a %(kind)s file.")
            % {"name": _shown(name), "kind": claimed.upper()}
        }
    )


def sniff(name: str, data: bytes) -> Sniffed:
    """The file as it will be stored, or a ValidationError naming it (at the field "files")."""
    if len(data) > _limit_bytes():
        raise ValidationError(
            {
                "files": _("The file “%(name)s” is %(size)s MB; %(limit)s MB are allowed.")
                % {
                    "name": _shown(name),
                    "size": _mb(len(data)),
                    "limit": settings.SPACES_ATTACHMENT_MAX_MB,
                }
            }
        )
    if not data:
        raise _refuse(name)
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:6]
        in (
            b"GIF87a",
            b"GIF89a",
        )
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        kind, content = _image(data, name)
    elif data[:5] == b"%PDF-":
        if b"%%EOF" not in data[-1024:]:
            raise _refuse(name)
        kind, content = "pdf", data
    elif data[:4] == b"PK\x03\x04":
        kind, content = _zip_kind(data, name), data
    else:
        try:
            kind, content = _text_kind(data, name), data
        except ValidationError:
            _refuse_claimed(name, None)
            raise
    _refuse_claimed(name, kind)
    content_type, extension = KINDS[kind]
    return Sniffed(safe_filename(name, extension), content_type, content)


def check_files(files: Sequence[Any]) -> list[Sniffed]:
    """Every uploaded file sniffed; one refused refuses the post (its text stays in the form)."""
    if len(files) > MAX_FILES:
        raise ValidationError(
            {"files": _("At most %(limit)s files per post.") % {"limit": MAX_FILES}}
        )
    checked = []
    for upload in files:
        size = getattr(upload, "size", None)
        name = str(getattr(upload, "name", "") or "")
        if size is not None and size > _limit_bytes():
            raise ValidationError(
                {
                    "files": _("The file “%(name)s” is %(size)s MB; %(limit)s MB are allowed.")
                    % {
                        "name": _shown(name),
                        "size": _mb(size),
                        "limit": settings.SPACES_ATTACHMENT_MAX_MB,
                    }
                }
            )
        data = upload.read(_limit_bytes() + 1) if hasattr(upload, "read") else bytes(upload)
        checked.append(sniff(name, data))
    return checked


def _blob(sha: str, content: bytes) -> AttachmentBlob:
    found = AttachmentBlob.objects.filter(sha256=sha).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AttachmentBlob.objects.create(sha256=sha, content=content)
    except IntegrityError:
        return AttachmentBlob.objects.get(sha256=sha)


def store(post: RoomPost, checked: Sequence[Sniffed]) -> list[Attachment]:
    """The post's attachments; identical contents are stored once."""
    made = []
    for item in checked:
        sha = hashlib.sha256(item.content).hexdigest()
        made.append(
            Attachment.objects.create(
                post=post,
                name=item.name,
                content_type=item.content_type,
                size=len(item.content),
                sha256=sha,
                blob=_blob(sha, item.content),
            )
        )
    return made


def content_of(attachment: Attachment) -> bytes:
    return bytes(
        AttachmentBlob.objects.values_list("content", flat=True).get(pk=attachment.blob_id)
    )
