"""WSGI entry point (gunicorn socialdesk.wsgi)."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

from socialdesk.env import ConfigError, fail

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdesk.settings")
try:
    application = get_wsgi_application()
except ConfigError as error:
    fail(error)
# What is loaded now (Django, the apps, the networks' SDKs) lives as long as the process: keep it
# out of the collector's full passes, which would otherwise scan it every time (bench/README.md:
# the calendar's slowest requests were such passes).
gc.freeze()
