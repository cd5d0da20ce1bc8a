"""gunicorn's logger with link secrets left out of the access and error logs.

``socialdesk serve`` passes ``--logger-class socialdesk.core.access_log.RedactingLogger``; anyone
running gunicorn directly should do the same. With ``LOG_FORMAT=json`` its lines are JSON objects
like the app's own, so one journal holds one format.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from gunicorn.glogging import Logger, SafeAtoms

from socialdesk.core.json_log import JsonFormatter
from socialdesk.core.redaction import REDACTED, RedactSecretsFilter, redact_text

# Request headers and environ entries that carry credentials themselves.
_CREDENTIAL_ATOMS = {
    "{authorization}i",
    "{cookie}i",
    "{proxy-authorization}i",
    "{x-api-key}i",
    "{http_authorization}e",
    "{http_cookie}e",
    "{http_proxy_authorization}e",
    "{http_x_api_key}e",
    "{set-cookie}o",
}


class RedactedAtoms(SafeAtoms):  # type: ignore[misc]
    """The values an access-log format may use, with link secrets and credentials hidden."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if key.lower() in _CREDENTIAL_ATOMS and value != "-":
            return REDACTED
        return redact_text(value) if isinstance(value, str) else value


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger; access lines and error messages never show a link's secret."""

    atoms_wrapper_class = RedactedAtoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # Error messages name the request too ("Error handling request /invitation/…").
        for handler in self.error_log.handlers:
            if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
                handler.addFilter(RedactSecretsFilter())
        if _json_wanted():
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())


def _json_wanted() -> bool:
    """Whether the settings ask for JSON logs (plain text when gunicorn runs without them)."""
    from django.conf import settings

    from socialdesk.env import ConfigError

    try:
        return bool(settings.LOG_FORMAT == "json")
    except (ImproperlyConfigured, ConfigError):  # the app reports a bad setting when it loads
        return False
