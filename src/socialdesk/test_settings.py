"""Settings for the test suite: the product's settings with faster, in-process parts."""

from __future__ import annotations

from socialdesk.settings import *  # noqa: F403

# Tasks run at once in the calling thread, so tests see their effects (e-mail) directly.
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
# Hashing passwords slowly protects real accounts; tests make hundreds of them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
LOGGING["root"] = {"handlers": ["console"], "level": "WARNING"}  # noqa: F405
# The live server used by browser tests must not keep connections open after a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# core.changes: a service that tells the search outside its transaction fails the test.
CHANGES_REQUIRE_TRANSACTION = True
# The tests call the API far more often than a person would; the limit's own tests set it low.
API_RATE_PER_MINUTE = API_RATE_ANONYMOUS_PER_MINUTE = 1_000_000
# A test that runs `call_command("worker")` in its own process must not lower the priority of
# the rest of the run (tests/test_worker_priority.py checks the lowering in a real worker).
WORKER_NICE = 0
