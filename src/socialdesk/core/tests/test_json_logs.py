"""LOG_FORMAT=json: one JSON object per line for a log shipper, link secrets still hidden."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings as django_settings
from gunicorn.config import Config

from socialdesk.core.access_log import RedactingLogger
from socialdesk.settings import logging_config

SECRET = "Xq7vB2nR9tL4mK8pW3zY6cD1fH5jG0sAe"  # a digest link's token: 33 characters


@pytest.fixture
def configure() -> Iterator[Any]:
    """Set up logging as the settings would for a format; the suite's own setup afterwards."""

    def apply(log_format: str) -> None:
        logging.config.dictConfig(logging_config(log_format, "INFO"))

    yield apply
    logging.config.dictConfig(django_settings.LOGGING)


def _records(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines()]


def test_each_record_is_one_json_object_with_time_level_logger_and_message(
    configure: Any, capsys: Any
) -> None:
    configure("json")
    before = datetime.now(UTC)
    logging.getLogger("socialdesk.inbox").warning("Reply to %s\nnot sent: %s", "Kim", "timeout")
    try:
        raise ValueError("the network said no")
    except ValueError:
        logging.getLogger("socialdesk.channels").exception("poll failed")
    first, second = _records(capsys.readouterr().err)
    assert first["level"] == "WARNING" and first["logger"] == "socialdesk.inbox"
    assert first["message"] == "Reply to Kim\nnot sent: timeout"  # one line, all of it
    assert "exception" not in first
    assert first["time"].endswith("Z")
    moment = datetime.fromisoformat(first["time"])
    assert moment.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= moment <= datetime.now(UTC)
    assert second["level"] == "ERROR"
    assert second["exception"].startswith("Traceback (most recent call last):")
    assert second["exception"].endswith("ValueError: the network said no")


def test_a_link_secret_is_hidden_in_json_too(configure: Any, capsys: Any) -> None:
    configure("json")
    logging.getLogger("django.request").warning("Not Found: /feedback/act/%s/", SECRET)
    [record] = _records(capsys.readouterr().err)
    assert SECRET not in json.dumps(record)
    assert record["message"] == "Not Found: /feedback/act/[redacted]/"


def test_plain_stays_the_default_text(configure: Any, capsys: Any) -> None:
    assert django_settings.LOG_FORMAT == "plain"
    configure("plain")
    logging.getLogger("socialdesk.inbox").warning("Not Found: /feedback/act/%s/", SECRET)
    line = capsys.readouterr().err.strip()
    assert line.endswith("WARNING socialdesk.inbox: Not Found: /feedback/act/[redacted]/")


def test_gunicorn_writes_json_lines_too_without_the_secret(settings: Any, tmp_path: Path) -> None:
    settings.LOG_FORMAT = "json"
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feedback/act/{SECRET}/",
        "PATH_INFO": f"/feedback/act/{SECRET}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
    }
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    for handler in logger.access_log.handlers:
        handler.flush()
    [record] = _records((tmp_path / "access.log").read_text())
    assert record["logger"] == "gunicorn.access"
    assert "GET /feedback/act/[redacted]/ HTTP/1.1" in record["message"]
    assert SECRET not in record["message"]
