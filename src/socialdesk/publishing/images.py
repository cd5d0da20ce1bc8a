"""Images from people's uploads: checked, shrunk to fit, and stripped of EXIF/GPS data.

`prepare` opens the file with Pillow (never trusting its name or declared type), refuses what
is not a JPEG, PNG, WebP or GIF or cannot be decoded, turns it upright (EXIF orientation),
and re-encodes it without any metadata, shrinking it until it has at most `max_pixels` pixels
and `max_bytes` bytes. A photo becomes JPEG; an image with transparency stays PNG (WebP when
PNG cannot get small enough); an animated GIF keeps only its first frame.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
# Pillow refuses images larger than this before decoding them (decompression bombs).
Image.MAX_IMAGE_PIXELS = 50_000_000
UPLOAD_LIMIT = 30 * 1024 * 1024  # what is read of an upload at all


@dataclass(frozen=True)
class Prepared:
    content: bytes
    mime: str
    width: int
    height: int


def _encode(image: Image.Image, form: str, quality: int) -> bytes:
    out = io.BytesIO()
    if form == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    elif form == "WEBP":
        image.save(out, "WEBP", quality=quality, method=4)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA"):
        low, _high = image.getchannel("A").getextrema()
        return bool(isinstance(low, int | float) and low < 255)
    return image.mode == "P" and "transparency" in image.info


def prepare(data: bytes, *, max_bytes: int = 1_000_000, max_pixels: int = 8_294_400) -> Prepared:
    """The image as it will be stored and published; ValidationError in the reader's
    language when the file is not an image we take, is broken, or cannot be made small enough."""
    if len(data) > UPLOAD_LIMIT:
        raise ValidationError(_("This file is larger than 30 MB."), code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ACCEPTED:
                raise ValidationError(
                    _("Only JPEG, PNG, WebP and GIF images can be used."), code="format"
                )
            opened.seek(0)
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened.copy()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise ValidationError(
            _("This file is not an image that can be read."), code="broken"
        ) from error
    alpha = _has_alpha(image)
    image = image.convert("RGBA" if alpha else "RGB")
    if image.width * image.height > max_pixels:
        scale = (max_pixels / (image.width * image.height)) ** 0.5
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    forms = ["PNG", "WEBP"] if alpha else ["JPEG"]
    while True:
        for form in forms:
            for quality in (88, 80, 70, 60):
                content = _encode(image, form, quality)
                if len(content) <= max_bytes:
                    return Prepared(content, ACCEPTED[form], image.width, image.height)
                if form == "PNG":
                    break
        if image.width < 64 or image.height < 64:
            raise ValidationError(
                _("This image cannot be made small enough for the chosen networks."),
                code="too_large",
            )
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4))
