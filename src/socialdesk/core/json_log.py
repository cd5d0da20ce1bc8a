"""Log records as one JSON object per line, for operators whose logs go to a shipper (Loki,
Elasticsearch, journald with a JSON parser): `LOG_FORMAT=json`.

The standard library is enough for five fields, so no dependency: time (ISO 8601, UTC, with
milliseconds), level, logger, message and, when there is one, the exception with its
traceback. Everything is escaped (`ensure_ascii`), so a message with line breaks or unusual
Unicode line separators stays one line. Secrets in links are hidden before this formatter
runs, by the `redact_secrets` filter on the same handler.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    """A formatter writing each record as a JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
