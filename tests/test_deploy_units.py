"""The systemd units in deploy/ are ones systemd accepts, hardened, and wired so migrations run
before the web server and the workers start.

`systemd-analyze verify` reads a unit as systemd would, without systemd running (as in a
container) and without root. It insists that ExecStart's program exists, so the units are
checked in a copy with the installed path replaced by this checkout's `socialdesk`. It only
warns (exit 0) about a value it cannot parse, so any line it says about our units fails too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
INSTALLED = "/srv/socialdesk/.venv/bin/socialdesk"
UNITS = [
    "socialdesk-migrate.service",
    "socialdesk-web.service",
    "socialdesk-intake.service",
    "socialdesk-worker@.service",
]
HARDENING = [
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/socialdesk",
    "PrivateTmp=yes",
    "ProtectHome=yes",
    "EnvironmentFile=/etc/socialdesk/env",
    "User=socialdesk",
]

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed (.ci/run installs systemd)"
)


def _copy(folder: Path) -> None:
    program = Path(sys.executable).parent / "socialdesk"
    if not program.exists():  # any executable will do: verify only checks that it is one
        program = Path(sys.executable)
    for unit in UNITS:
        text = (DEPLOY / unit).read_text()
        assert INSTALLED in text
        (folder / unit).write_text(text.replace(INSTALLED, str(program)))


def _verify(folder: Path, unit: str) -> tuple[int, list[str]]:
    """Return the exit code and what systemd-analyze says about our units."""
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "verify", unit],
        cwd=folder, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    ours = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if str(folder) in line or unit.split("@")[0].split(".")[0] in line
    ]
    return done.returncode, ours


@needs_analyze
@pytest.mark.parametrize("unit", [*UNITS, "socialdesk-worker@3.service"])
def test_systemd_accepts_each_unit(tmp_path: Path, unit: str) -> None:
    _copy(tmp_path)
    code, said = _verify(tmp_path, unit)
    assert (code, said) == (0, [])


@needs_analyze
@pytest.mark.parametrize(
    ("line", "broken", "fatal"),
    [
        ("ExecStart=", "ExecStart=socialdesk worker", True),  # not an absolute path
        ("Restart=", "Restart=sometimes", False),  # only a warning, exit code 0
        ("ProtectSystem=", "ProtectSytem=strict", False),  # a misspelt option: a warning too
    ],
)
def test_the_check_fails_on_a_broken_unit(
    tmp_path: Path, line: str, broken: str, fatal: bool
) -> None:
    _copy(tmp_path)
    unit = tmp_path / "socialdesk-worker@.service"
    lines = unit.read_text().splitlines()
    [at] = [n for n, text in enumerate(lines) if text.startswith(line)]
    lines[at] = broken
    unit.write_text("\n".join(lines) + "\n")
    code, said = _verify(tmp_path, "socialdesk-worker@.service")
    assert said, "systemd-analyze said nothing about the broken line"
    assert (code != 0) == fatal


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_is_hardened_and_reads_the_operator_s_environment(unit: str) -> None:
    lines = (DEPLOY / unit).read_text().splitlines()
    assert [option for option in HARDENING if option not in lines] == []


@pytest.mark.parametrize(
    "unit", ["socialdesk-web.service", "socialdesk-intake.service", "socialdesk-worker@.service"]
)
def test_the_web_server_and_workers_start_after_the_migrations(unit: str) -> None:
    lines = (DEPLOY / unit).read_text().splitlines()
    assert "Requires=socialdesk-migrate.service" in lines
    assert any(line.startswith("After=") and "socialdesk-migrate.service" in line for line in lines)
    assert "Restart=on-failure" in lines
    migrate = (DEPLOY / "socialdesk-migrate.service").read_text().splitlines()
    assert "Type=oneshot" in migrate
    assert f"ExecStart={INSTALLED} migrate --no-input" in migrate


def test_the_web_server_runs_gunicorn_as_serve_does() -> None:
    """`serve` passes the logger that keeps link tokens out of the access log."""
    lines = (DEPLOY / "socialdesk-web.service").read_text().splitlines()
    assert any(line.startswith(f"ExecStart={INSTALLED} serve --no-worker") for line in lines)
    serve = (ROOT / "src/socialdesk/core/management/commands/serve.py").read_text()
    assert '"--logger-class", "socialdesk.core.access_log.RedactingLogger"' in serve


def test_the_intake_and_the_workers_yield_the_cpus_to_the_web_server() -> None:
    """The webhook intake and the workers run at a lower priority than the pages: by niceness
    (and their session's) and by their cgroup's weight where systemd shares the CPUs by unit;
    the README's reverse proxy sends /hooks/ to the intake's port."""
    intake = (DEPLOY / "socialdesk-intake.service").read_text().splitlines()
    [start] = [line for line in intake if line.startswith("ExecStart=")]
    assert start.startswith(f"ExecStart={INSTALLED} serve --no-worker ")
    assert "--nice 10" in start and "--port 8001" in start
    for unit in ("socialdesk-intake.service", "socialdesk-worker@.service"):
        assert "CPUWeight=10" in (DEPLOY / unit).read_text().splitlines()
    assert not any(
        line.startswith("CPUWeight=")
        for line in (DEPLOY / "socialdesk-web.service").read_text().splitlines()
    )
    readme = (ROOT / "README.md").read_text()
    assert "location /hooks/ {\n        proxy_pass http://127.0.0.1:8001;" in readme
