"""Every command and worker starts by setting Django up: the heavy libraries that only some
tasks need (the Bluesky client, SciPy's statistics) are not imported then, so `socialdesk
status`, a worker's start and each import command answer without waiting for them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ["atproto", "atproto_client", "scipy.stats"]


def test_setting_up_django_leaves_the_heavy_libraries_for_when_they_are_used(
    tmp_path: Path,
) -> None:
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"  # every view module, as a web process loads them
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "socialdesk.settings",
        "SOCIALDESK_DATA_DIR": str(tmp_path),  # nothing written into the checkout
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_the_heavy_libraries_still_load_where_they_are_used() -> None:
    from socialdesk.goals.goal_forecast import trend_at

    assert trend_at([(0, 1.0), (1, 2.0), (2, 3.0)], 3) == 4.0
