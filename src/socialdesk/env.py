"""Read settings from the environment through small typed helpers.

Each helper stops start-up with one clear line naming the variable when its value is bad,
so an operator never has to read a traceback to find a typo in a deployment file.
"""

from __future__ import annotations

import os
import sys
import zoneinfo
from collections.abc import Mapping


class ConfigError(Exception):
    """A variable in the environment has a value socialdesk cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (environ if environ is not None else os.environ).get(name)
    return value.strip() if value is not None else None


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """Return the variable as text, or the default when it is unset."""
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
    value = _raw(name, environ)
    if not value:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean: use true or false")


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """Return the variable as a whole number, within `minimum` and `maximum` when given."""
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is too small: it must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number} is too large: it must be at most {maximum}")
    return number


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, default: str, choices: list[str], environ: Mapping[str, str] | None = None
) -> str:
    """Return the variable when it is one of `choices`."""
    value = env_str(name, default, environ)
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_time_zone(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """Return the variable when it names an IANA time zone such as Europe/Berlin."""
    value = env_str(name, default, environ)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a time zone such as Europe/Berlin") from None
    return value


def fail(error: ConfigError) -> None:
    """Print one line about the bad setting and stop the process."""
    sys.stderr.write(f"socialdesk: configuration error: {error}\n")
    raise SystemExit(2)
