"""The upload form of Settings → Import: the file, its format, and for CSV which column is what.

The file's first line is read here, so a wrong file or a wrong column name is said at the
field before anything is stored or queued.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialdesk.channels.items.readers import TWCS_COLUMNS, wide_encoding
from socialdesk.channels.models import Network
from socialdesk.inbox.importing.sources import EXTENSIONS
from socialdesk.inbox.job_models import ImportJob

HEAD_BYTES = 64 * 1024
COLUMN_LENGTH = 200
# Mapped CSV: the form's field per row field, and whether the import needs it.
MAPPED = {
    "id": ("map_id", True),
    "author": ("map_author", True),
    "text": ("map_text", True),
    "created_at": ("map_created_at", True),
    "parent_id": ("map_parent_id", False),
    "inbound": ("map_inbound", False),
}


def _column(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=False, max_length=COLUMN_LENGTH, strip=True
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ImportJob.Format.choices)
    network = forms.ChoiceField(
        label=gettext_lazy("Network"),
        choices=Network.choices,
        initial=Network.OTHER,
        required=False,
        help_text=gettext_lazy("CSV and JSON Lines: where the messages were written."),
    )
    account = forms.CharField(
        label=gettext_lazy("Company handle"),
        required=False,
        max_length=255,
        help_text=gettext_lazy(
            "CSV and JSON Lines: your own handle in the file; its messages count as your answers."
        ),
    )
    map_id = _column(gettext_lazy("Column with the message id"))
    map_author = _column(gettext_lazy("Column with the author"))
    map_text = _column(gettext_lazy("Column with the text"))
    map_created_at = _column(gettext_lazy("Column with the time written"))
    map_parent_id = _column(
        gettext_lazy("Column with the id of the message it answers"),
        gettext_lazy("Optional: threads messages into conversations."),
    )
    map_inbound = _column(
        gettext_lazy("Column saying whether the customer wrote it"),
        gettext_lazy("Optional (true/false); else the company handle decides."),
    )
    keep_open = forms.BooleanField(
        label=gettext_lazy("Keep every conversation open"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise conversations your company answered last are resolved; those waiting "
            "for your answer stay open."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(limit)s MB. Split it, or import it with the "
                    "command socialdesk import."
                )
                % {"limit": limit}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, fmt = data.get("file"), data.get("format")
        if upload is None or not fmt:
            return data
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in EXTENSIONS[fmt]:
            self.add_error(
                "file",
                _("A file in the format “%(format)s” ends in %(endings)s.")
                % {
                    "format": ImportJob.Format(fmt).label,
                    "endings": _(" or ").join(EXTENSIONS[fmt]),
                },
            )
            return data
        data["suffix"] = suffix
        first_line = _first_line(upload)
        if first_line is None:
            self.add_error("file", _("This is not a text file. Upload a CSV or JSON Lines file."))
        elif fmt == "twcs":
            self._check_twcs(first_line)
        elif fmt == "csv":
            data["mapping"] = self._check_columns(first_line, data)
        else:
            self._check_jsonl(first_line)
        return data

    def _check_twcs(self, first_line: str) -> None:
        header = tuple(c.strip() for c in next(csv.reader([first_line]), []))
        if header != TWCS_COLUMNS:
            self.add_error(
                "file",
                _(
                    "This is not a twcs file: its first line must be %(columns)s. For other CSV "
                    "files choose “CSV with your own columns”."
                )
                % {"columns": ",".join(TWCS_COLUMNS)},
            )

    def _check_columns(self, first_line: str, data: dict[str, Any]) -> dict[str, str]:
        columns = [c.strip() for c in next(csv.reader([first_line]), [])]
        shown = ", ".join(c or "…" for c in columns[:30])
        mapping: dict[str, str] = {}
        for field, (form_field, required) in MAPPED.items():
            column = data.get(form_field) or ""
            if not column:
                if required and field not in columns:
                    self.add_error(
                        form_field,
                        _("Say which column holds this. The file's columns: %(columns)s")
                        % {"columns": shown},
                    )
                continue
            if column not in columns:
                self.add_error(
                    form_field,
                    _("The file has no column “%(column)s”. Its columns: %(columns)s")
                    % {"column": column, "columns": shown},
                )
                continue
            mapping[field] = column
        return mapping

    def _check_jsonl(self, first_line: str) -> None:
        try:
            value = json.loads(first_line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            self.add_error(
                "file",
                _("This is not a JSON Lines file: its first line must be one JSON object."),
            )


def _first_line(upload: Any) -> str | None:
    """The file's first non-empty line as text; None for a file that is not text."""
    upload.seek(0)
    head: bytes = upload.read(HEAD_BYTES)
    upload.seek(0)
    encoding = wide_encoding(head)
    if encoding is None and b"\x00" in head:
        return None
    text = head.decode(encoding or "utf-8", errors="replace").lstrip("\ufeff")
    return next((line for line in text.splitlines() if line.strip()), "")
