"""WSGI entry point (gunicorn socialdesk.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from socialdesk.env import ConfigError, fail

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdesk.settings")
try:
    application = get_wsgi_application()
except ConfigError as error:
    fail(error)
