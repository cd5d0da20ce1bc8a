"""The `socialdesk` command: Django's management commands plus the product's own."""

from __future__ import annotations

import os
import sys

from socialdesk.env import ConfigError, fail


def main(argv: list[str] | None = None) -> None:
    """Run a management command, stopping with one line when the configuration is bad."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialdesk.settings")
    from django.core.management import execute_from_command_line

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load the settings now to report a bad variable
    except ConfigError as error:
        fail(error)
    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
