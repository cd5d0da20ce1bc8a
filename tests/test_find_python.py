"""The Makefile's choice of Python: the first one that is at least 3.12, or a clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts/find-python.sh"


def _fake_python(folder: Path, name: str, version: str) -> None:
    major, minor = version.split(".")
    script = folder / name
    script.write_text(
        f"#!/bin/sh\nexec {sys.executable} -c "
        f"'import sys; sys.exit(0 if ({major}, {minor}) >= (3, 12) else 1)'\n"
    )
    script.chmod(0o755)


def _run(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(SCRIPT)],
        env={"PATH": str(tmp_path), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_picks_the_first_python_that_is_new_enough(tmp_path):
    _fake_python(tmp_path, "python3.13", "3.13")
    _fake_python(tmp_path, "python3", "3.11")
    result = _run(tmp_path, {})
    assert result.returncode == 0
    assert result.stdout.strip() == str(tmp_path / "python3.13")


def test_it_names_what_to_install_when_there_is_none(tmp_path):
    _fake_python(tmp_path, "python3", "3.11")
    result = _run(tmp_path, {})
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
    assert "apt install python3.12" in result.stderr


def test_it_takes_python_from_the_environment_when_given(tmp_path):
    result = _run(tmp_path, {"PYTHON": str(tmp_path / "missing")})
    assert result.returncode == 1
    assert "is not a working Python 3.12 or newer" in result.stderr
