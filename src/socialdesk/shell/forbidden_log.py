"""A refused request (403) is logged as one line, not as a traceback.

Django's `django.request` logger reports every `PermissionDenied` with its traceback, which
buries real errors. This filter, set on that logger in `settings.LOGGING`, rewrites such a
record to one line: method, path, the person's id (or "anonymous") and the reason.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class OneLineForbidden(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) != 403 or not isinstance(error, PermissionDenied):
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else "anonymous"
        reason = " ".join(str(error).split()) or "no reason given"
        record.msg = "Forbidden: %s %s user=%s reason=%s"
        record.args = (
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            user_id,
            reason,
        )
        record.exc_info = None
        record.exc_text = None
        return True
