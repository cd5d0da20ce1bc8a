"""A refused page is logged as one line (method, path, user id, reason), not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_logs_a_403_as_one_line_without_a_traceback(client_as, people, caplog):
    caplog.set_level(logging.INFO, logger="django.request")
    response = client_as("member").get(reverse("accounts:audit_log"))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.exc_info is None and record.exc_text is None
    line = record.getMessage()
    assert "\n" not in line
    assert line == (
        f"Forbidden: GET /settings/audit-log/ user={people['member'].pk} "
        "reason=role member may not open accounts:audit_log"
    )
    assert "Traceback" not in caplog.text
