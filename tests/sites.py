"""A socialdesk installation in a temporary folder, driven through its commands as an operator
drives it (the crash tests' workers, the reindex with several processes)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.pg_admin import drop_database

ROOT = Path(__file__).resolve().parent.parent


class Site:
    """A socialdesk installation in a temporary folder, driven through its commands.

    Its database is a SQLite file, or, when the suite runs on PostgreSQL, a fresh database
    on the same server (dropped afterwards).
    """

    def __init__(self, folder: Path, name: str = "crash", **env: str) -> None:
        self.db = folder / "db.sqlite3"
        self.url = f"sqlite:///{self.db}"
        self.postgres: dict[str, Any] | None = None
        suite_db = os.environ.get("DATABASE_URL", "")
        if suite_db.startswith(("postgres://", "postgresql://")):
            import dj_database_url

            config: dict[str, Any] = dict(dj_database_url.parse(suite_db))
            config["NAME"] = f"socialdesk_{name}_{os.getpid()}"
            self.postgres = config
            self.url = suite_db.rsplit("/", 1)[0] + "/" + config["NAME"]
            self._admin(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            self._admin(f'CREATE DATABASE "{config["NAME"]}"')
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.crash_settings",
            "DATABASE_URL": self.url,
            "SOCIALDESK_DATA_DIR": str(folder),
            # This checkout's code first (src/), then tests.crash_settings (the root).
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "LOG_LEVEL": "WARNING",
            # Workers here wait for nothing but the tests' own processes, which run beside
            # them at full priority: a lowered worker would only make the tests slower
            # (tests/test_worker_priority.py checks the lowering).
            "WORKER_NICE": "0",
            **env,
        }

    def command(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "socialdesk.cli", *args],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str) -> str:
        setup = "import django; django.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", setup + code],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "socialdesk.cli", "worker", "--channels-every", "1",
             "--interval", "0.2"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def _connect_postgres(self, name: str) -> Any:
        import psycopg

        assert self.postgres is not None
        return psycopg.connect(
            dbname=name, user=self.postgres["USER"], password=self.postgres["PASSWORD"],
            host=self.postgres["HOST"] or "127.0.0.1", port=self.postgres["PORT"] or 5432,
            autocommit=True,
        )  # fmt: skip

    def _admin(self, sql: str) -> None:
        with self._connect_postgres("postgres") as connection:
            connection.execute(sql)

    def drop(self) -> None:
        if self.postgres is not None:
            with self._connect_postgres("postgres") as connection:
                drop_database(connection, self.postgres["NAME"])

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres is not None:
            with self._connect_postgres(self.postgres["NAME"]) as connection:
                return list(connection.execute(sql))
        with sqlite3.connect(self.db, timeout=30) as connection:
            return list(connection.execute(sql))

    def execute(self, sql: str) -> None:
        if self.postgres is not None:
            with self._connect_postgres(self.postgres["NAME"]) as connection:
                connection.execute(sql)
            return
        with sqlite3.connect(self.db, timeout=30) as connection:
            connection.execute(sql)

    def count(self, sql: str) -> int:
        return int(self.query(sql)[0][0])


def stop(process: subprocess.Popen[bytes], seconds: float = 10) -> None:
    """Stop a worker as systemd does (SIGTERM); kill it when it has not ended in `seconds`."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
