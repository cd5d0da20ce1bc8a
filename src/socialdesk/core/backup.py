"""Back up and restore a whole installation: the database, the key files and uploads.

A backup is one `socialdesk-backup-<UTC time>.tar.gz` with:
- `database.sqlite3` (SQLite's online backup API: a consistent copy while the product writes)
  or `database.pgdump` (`pg_dump --format=custom`, one snapshot transaction);
- `files/…`: the encryption key file and the secret key file from the data folder and, when
  MEDIA_ROOT is set, the uploaded files;
- `manifest.json`: socialdesk version, time, database engine, applied migrations, and the
  SHA-256 and size of every file above; `README.txt` says in words what is in it.

`restore_backup` checks every checksum before it writes anything, and restores only into an
empty data folder and an empty database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

import socialdesk
from socialdesk.core.figure_cache import HORIZON, KEPT, LOG

MANIFEST = "manifest.json"
KEY_FILES = ("encryption_keys", "secret_key")
FORMAT = 1
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    seconds: float
    files: int
    keys_included: bool
    keys_note: str


def database_settings() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def engine_name() -> str:
    return "sqlite" if database_settings()["ENGINE"].endswith("sqlite3") else "postgresql"


def find_tool(name: str) -> str:
    """Return the path of pg_dump/pg_restore, or stop with how to get it."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
        None,
    )
    if not found:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client of your server's version "
            f"(Debian: apt install postgresql-client) or put {name} on PATH"
        )
    return found


def pg_env_args(database: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    args = ["--dbname", str(database["NAME"])]
    if database.get("HOST"):
        args += ["--host", str(database["HOST"])]
    if database.get("PORT"):
        args += ["--port", str(database["PORT"])]
    if database.get("USER"):
        args += ["--username", str(database["USER"])]
    return env, args


def run_tool(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[:2000]}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _dump_database(staging: Path) -> str:
    database = database_settings()
    if engine_name() == "sqlite":
        target = staging / "database.sqlite3"
        if not Path(database["NAME"]).is_file():
            raise BackupError(f"there is no database at {database['NAME']}")
        source = sqlite3.connect(f"file:{database['NAME']}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(target)
        try:
            # pages=-1 copies everything in one step under one read transaction: in WAL mode
            # writers go on meanwhile and the copy is the database as of that moment.
            source.backup(copy, pages=-1)
        except sqlite3.Error as error:
            raise BackupError(f"the database could not be read: {error}") from None
        finally:
            copy.close()
            source.close()
        return target.name
    target = staging / "database.pgdump"
    env, args = pg_env_args(database)
    # The change log of kept figures (`figure_cache`) holds transaction ids of this server:
    # another server's would read as never committed; the kept figures' snapshots are this
    # server's too, and without the log rows they need they could be served stale. Both
    # start empty after a restore.
    leave_out = [f"--exclude-table-data={table}" for table in (LOG, HORIZON, KEPT)]
    dump = [
        find_tool("pg_dump"), "--format=custom", "--no-owner", *leave_out, "--file", str(target),
    ]  # fmt: skip
    run_tool([*dump, *args], env)
    return target.name


def _data_files() -> list[tuple[Path, str]]:
    """Return (source, name in the archive) for key files and uploads."""
    data_dir = Path(settings.DATA_DIR)
    found = [(data_dir / n, f"files/{n}") for n in KEY_FILES if (data_dir / n).is_file()]
    media = settings.MEDIA_ROOT
    if media and Path(media).is_dir():
        for path in sorted(Path(media).rglob("*")):
            if path.is_file():
                found.append((path, f"media/{path.relative_to(media).as_posix()}"))
    return found


def keys_note(manifest: dict[str, Any]) -> str:
    """Say in words whether the archive holds the encryption key, and what that means."""
    if manifest["keys_included"]:
        return (
            "The encryption key file IS included (files/encryption_keys): keep this archive "
            "as secret as the key itself."
        )
    if manifest.get("keys_from_environment"):
        return (
            "The encryption key is NOT included (it comes from ENCRYPTION_KEYS): keep that "
            "value safe elsewhere; without it a restore cannot decrypt channel credentials."
        )
    return "No encryption key existed yet (no channel credentials were stored)."


def _readme(manifest: dict[str, Any]) -> str:
    return (
        f"socialdesk backup of {manifest['created_at']} (socialdesk {manifest['version']}, "
        f"{manifest['engine']}).\n\n{keys_note(manifest)}\n\n"
        "Restore into an empty data folder and an empty database with:\n"
        "  socialdesk restore THIS_FILE\n"
        "Every file's SHA-256 is in manifest.json and is checked before anything is written.\n"
    )


def create_backup(to_dir: Path, progress: Progress = lambda _line: None) -> BackupResult:
    """Write one archive into `to_dir` and return where it is and how big it is."""
    started = time.monotonic()
    now = datetime.now(UTC)
    to_dir.mkdir(parents=True, exist_ok=True)
    name = f"socialdesk-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    with tempfile.TemporaryDirectory(dir=to_dir, prefix=".backup-") as tmp:
        staging = Path(tmp)
        progress(f"database ({engine_name()}) …")
        dump = staging / _dump_database(staging)
        members = [(dump, dump.name), *_data_files()]
        keys_included = any(arcname == "files/encryption_keys" for _path, arcname in members)
        manifest = {
            "format": FORMAT,
            "version": socialdesk.__version__,
            "created_at": now.isoformat(),
            "engine": engine_name(),
            "migrations": applied_migrations(),
            "keys_included": keys_included,
            "keys_from_environment": bool(settings.ENCRYPTION_KEYS),
            "files": {
                arcname: {"sha256": sha256_of(path), "size": path.stat().st_size}
                for path, arcname in members
            },
        }
        partial = staging / (name + ".part")
        with tarfile.open(partial, "w:gz") as archive:
            for text, arcname in [
                (json.dumps(manifest, indent=2), MANIFEST),
                (_readme(manifest), "README.txt"),
            ]:
                data = text.encode()
                info = tarfile.TarInfo(arcname)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
            for path, arcname in members:
                progress(f"  {arcname} ({path.stat().st_size:,} bytes)")
                archive.add(path, arcname=arcname, recursive=False)
        partial.chmod(0o600)
        final = to_dir / name
        partial.replace(final)
    return BackupResult(
        path=final,
        size=final.stat().st_size,
        seconds=time.monotonic() - started,
        files=len(members),
        keys_included=keys_included,
        keys_note=keys_note(manifest),
    )
