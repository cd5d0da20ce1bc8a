"""Uploaded images: what is kept, what is refused, and that no EXIF/GPS data survives."""

from __future__ import annotations

import io
import random

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from socialdesk.publishing.images import prepare


def _photo(width: int, height: int, *, gps: bool = False) -> bytes:
    rng = random.Random(7)
    image = Image.new("RGB", (width, height))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(width * height)])  # fmt: skip
    exif = Image.Exif()
    exif[0x010F] = "Kamera GmbH"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (53.0, 33.0, 1.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_photo_is_shrunk_under_the_limit_and_loses_its_gps_data() -> None:
    original = _photo(900, 700, gps=True)
    assert b"Kamera GmbH" in original and len(original) > 300_000
    kept = prepare(original, max_bytes=300_000)
    assert len(kept.content) <= 300_000 and kept.mime == "image/jpeg"
    reopened = Image.open(io.BytesIO(kept.content))
    assert not reopened.getexif() and b"Kamera GmbH" not in kept.content
    assert (reopened.width, reopened.height) == (kept.width, kept.height)


def test_a_transparent_png_stays_transparent() -> None:
    image = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    kept = prepare(out.getvalue())
    assert kept.mime == "image/png"
    assert Image.open(io.BytesIO(kept.content)).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7 not an image", "not an image that can be read"),
        (_photo(20, 20)[:200], "not an image that can be read"),
        (b"BM" + b"\0" * 100, "not an image that can be read"),
    ],
)
def test_files_that_are_no_usable_image_are_refused_with_the_reason(data: bytes, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        prepare(data)


def test_a_bmp_is_refused_as_a_format_we_do_not_take() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "BMP")
    with pytest.raises(ValidationError, match="Only JPEG, PNG, WebP and GIF"):
        prepare(out.getvalue())
