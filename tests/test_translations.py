"""The German translation is complete, compiled, and covers every string in the code."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "src/socialdesk/locale/de/LC_MESSAGES"


def _entries(po_text: str) -> list[tuple[str, list[str], bool]]:
    """Return (msgid, msgstrs, fuzzy) for each entry of a .po file (header excluded)."""

    def unquote(lines: list[str]) -> str:
        text = "".join(re.findall(r'"(.*)"', "\n".join(lines)))
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), text)

    entries = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (.*)", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif current and line.startswith('"'):
                fields[current].append(line)
        if "msgid" not in fields or unquote(fields["msgid"]) == "":
            continue
        strs = [unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
        msgid = unquote(fields["msgid"])
        if "msgctxt" in fields:  # stored in the catalogue as "context\x04msgid"
            msgid = f"{unquote(fields['msgctxt'])}\x04{msgid}"
        entries.append((msgid, strs, fuzzy))
    return entries


def test_every_string_has_a_german_translation():
    entries = _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 200
    missing = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, strs, _fuzzy in _entries((LOCALE / "django.po").read_text(encoding="utf-8"))
        if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]
    ]
    assert stale == [], "run `make messages` to compile django.mo"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext)")
def test_the_catalogue_has_every_string_of_the_code(tmp_path):
    """Extract the strings afresh from a copy of the code; none may be missing from django.po."""
    package = Path(__file__).resolve().parents[1] / "src/socialdesk"
    copy = tmp_path / "socialdesk"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    env = {**os.environ, "SOCIALDESK_DATA_DIR": str(tmp_path / "var")}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "de", "--no-obsolete"],
        cwd=copy,
        env={**env, "DJANGO_SETTINGS_MODULE": "socialdesk.settings"},
        check=True,
        capture_output=True,
    )
    fresh = {
        m for m, _s, _f in _entries((copy / "locale/de/LC_MESSAGES/django.po").read_text("utf-8"))
    }
    committed = {m for m, _s, _f in _entries((LOCALE / "django.po").read_text(encoding="utf-8"))}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"
