"""Configuration from the environment: clear one-line errors, a clean deployment check."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from socialdesk.env import ConfigError, env_bool, env_int, env_list, env_time_zone

PRODUCTION = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "k" * 20 + "Zx9-Lq_2mP7wR4tY8uI0oP3aS6dF1gH5jK",
    "ALLOWED_HOSTS": "social.example.com",
    "EMAIL": "smtp",
    "EMAIL_HOST": "mail.example.com",
}


def _socialdesk(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update({"SOCIALDESK_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "socialdesk", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_reads_typed_values():
    env = {"B": "yes", "I": "42", "L": "a, b,,c", "T": "Europe/Berlin"}
    assert env_bool("B", False, env) is True
    assert env_int("I", 0, env) == 42
    assert env_list("L", [], env) == ["a", "b", "c"]
    assert env_time_zone("T", "UTC", env) == "Europe/Berlin"
    assert env_int("MISSING", 7, env) == 7
    assert env_int("I", 0, env, minimum=42, maximum=42) == 42


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "WORKER_NICE=-1 is too small: it must be at least 0"),
     ("20", "WORKER_NICE=20 is too large: it must be at most 19")],
)  # fmt: skip
def test_it_names_a_number_out_of_range(value, message):
    with pytest.raises(ConfigError, match=message):
        env_int("WORKER_NICE", 10, {"WORKER_NICE": value}, minimum=0, maximum=19)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
        ("TIME_ZONE", "Europe/Atlantis", "TIME_ZONE='Europe/Atlantis' is not a time zone"),
    ],
)
def test_it_names_the_bad_variable(name, value, message):
    helper = {"DEBUG": env_bool, "EMAIL_PORT": env_int, "TIME_ZONE": env_time_zone}[name]
    with pytest.raises(ConfigError, match=message):
        helper(name, "UTC" if name == "TIME_ZONE" else 0, {name: value})  # type: ignore[operator]


@pytest.mark.parametrize(
    ("env", "niceness"),
    [
        ({}, "0"),  # SQLite: one writer at a time, a lowered worker would hold pages up
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d"}, "10"),
        ({"DATABASE_URL": "postgres://u:p@127.0.0.1:5432/d", "WORKER_NICE": "0"}, "0"),
        ({"WORKER_NICE": "5"}, "5"),
    ],
)
def test_workers_yield_to_pages_by_default_on_postgresql(tmp_path, env, niceness):
    shown = _socialdesk(
        "shell", "-c", "from django.conf import settings; print(settings.WORKER_NICE)",
        env=env, tmp_path=tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == niceness


def test_it_refuses_a_named_outbound_network_that_is_not_one(tmp_path):
    result = _socialdesk(
        "check", env={"OUTBOUND_ALLOWED_NETWORKS": "10.20.0.0/16,intranet"}, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "OUTBOUND_ALLOWED_NETWORKS='intranet' is not a network" in result.stderr


def test_it_stops_start_up_with_one_clear_line(tmp_path):
    result = _socialdesk("check", env={"DEBUG": "maybe"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "socialdesk: configuration error: DEBUG='maybe' is not a boolean: use true or false"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_POOL": "12"}, "DATABASE_POOL needs PostgreSQL"),  # SQLite: nothing to pool
        (
            {"DATABASE_POOL": "4", "DATABASE_URL": "postgres://sd:sd@127.0.0.1:5432/sd"},
            "DATABASE_POOL=4 is too small: a worker uses up to 10 connections at once",
        ),
    ],
)
def test_it_refuses_a_connection_pool_it_cannot_use(env, message, tmp_path):
    """Refused at start-up rather than ignored: an operator who asked for a pool learns at once
    that it would do nothing (SQLite) or starve the worker's lease renewals (too small)."""
    result = _socialdesk("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"socialdesk: configuration error: {message}")


def test_it_refuses_a_weak_secret_key(tmp_path):
    result = _socialdesk("check", env={"SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY is too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_passes_the_deployment_check_with_the_documented_production_values(tmp_path):
    result = _socialdesk(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_keeps_a_generated_secret_key_between_starts(tmp_path):
    first = _socialdesk(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env={},
        tmp_path=tmp_path,
    )
    second = _socialdesk(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env={},
        tmp_path=tmp_path,
    )
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def _variables() -> tuple[set[str], set[str], set[str]]:
    """Return the variables settings.py reads, those in .env.example, those in the README table."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    settings_source = (root / "src/socialdesk/settings.py").read_text()
    read = set(re.findall(r'(?:env_\w+|_networks)\(\s*"([A-Z_]+)"', settings_source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    readme = (root / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", section, re.MULTILINE))
    return read, listed, table


def test_env_example_lists_every_variable_the_settings_read():
    read, listed, _table = _variables()
    assert read - listed == set()


def test_the_readme_table_and_env_example_list_the_variables_the_settings_read():
    read, listed, table = _variables()
    assert len(read) >= 40  # the pattern still finds them
    assert listed == read
    assert table == read


def test_no_code_outside_the_settings_reads_the_environment_or_a_setting_with_its_own_default():
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "src/socialdesk"
    allowed = {
        "settings.py",  # reads every variable
        "env.py",  # the typed helpers it reads them with
        "cli.py",  # points Django at the settings module
        "wsgi.py",  # the same
        "core/backup.py",  # hands the environment on to pg_dump/psql (PGPASSWORD added)
    }
    found = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if "/tests/" in f"/{name}" or name in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "os.environ" in line or "os.getenv" in line or "getattr(settings" in line:
                found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
