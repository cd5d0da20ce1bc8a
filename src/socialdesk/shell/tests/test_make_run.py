"""`make run` on another PORT writes links to that port; `make shell` puts socialdesk on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _fake_venv(tmp_path: Path) -> Path:
    """A venv whose `socialdesk` prints its arguments and the SITE_URL it was given."""
    (tmp_path / "bin").mkdir()
    socialdesk = tmp_path / "bin" / "socialdesk"
    socialdesk.write_text('#!/bin/sh\necho "$* SITE_URL=$SITE_URL"\n')
    socialdesk.chmod(0o755)
    (tmp_path / "bin" / "python").touch()
    (tmp_path / ".installed").touch()
    return tmp_path


def _make(*args: str, env: dict[str, str], stdin: str = "") -> str:
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_it_points_site_url_at_the_port_make_run_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    venv = _fake_venv(tmp_path)
    out = _make("run", f"VENV={venv}", "PORT=8123", env=env)
    assert "serve --port 8123 SITE_URL=http://127.0.0.1:8123" in out
    assert "ensure_admin SITE_URL=http://127.0.0.1:8123" in out
    # A SITE_URL the operator set wins.
    out = _make("run", f"VENV={venv}", "PORT=8123", env={**env, "SITE_URL": "https://x.example"})
    assert "serve --port 8123 SITE_URL=https://x.example" in out


def test_it_opens_a_shell_where_socialdesk_is_a_command(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | {"SHELL": "/bin/sh"}
    venv = _fake_venv(tmp_path)
    out = _make("shell", f"VENV={venv}", "PORT=9000", env=env, stdin="socialdesk check\n")
    assert "check SITE_URL=http://127.0.0.1:9000" in out
