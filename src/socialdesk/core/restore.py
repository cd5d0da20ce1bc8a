"""Restore a backup made by `socialdesk backup` into an empty data folder and database.

Nothing is written until every file in the archive matches the checksum in its manifest,
and nothing is overwritten: a data folder with keys or uploads, or a database with tables,
is refused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from socialdesk.core.backup import (
    FORMAT,
    MANIFEST,
    BackupError,
    Progress,
    database_settings,
    engine_name,
    find_tool,
    pg_env_args,
    run_tool,
    sha256_of,
)

_EXTRA = {MANIFEST, "README.txt"}


def _safe_name(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def read_verified(archive_path: Path) -> dict[str, Any]:
    """Return the archive's manifest after checking every file against it (nothing written)."""
    manifest: dict[str, Any] | None = None
    digests: dict[str, str] = {}
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"the archive holds an unexpected entry: {member.name!r}")
                handle = archive.extractfile(member)
                assert handle is not None  # a regular file always has content
                if member.name == MANIFEST:
                    manifest = json.loads(handle.read())
                    continue
                digest = hashlib.sha256()
                for block in iter(lambda h=handle: h.read(1 << 20), b""):  # type: ignore[misc]
                    digest.update(block)
                digests[member.name] = digest.hexdigest()
    except FileNotFoundError:
        raise BackupError(f"{archive_path}: no such file") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error, json.JSONDecodeError) as error:
        raise BackupError(f"{archive_path} is damaged and was not restored ({error})") from None
    if manifest is None or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} is not a socialdesk backup (no manifest)")
    expected = {name: entry["sha256"] for name, entry in manifest["files"].items()}
    found = {name: digest for name, digest in digests.items() if name not in _EXTRA}
    missing = sorted(set(expected) - set(found))
    wrong = sorted(n for n in expected if n in found and found[n] != expected[n])
    extra = sorted(set(found) - set(expected))
    if missing or wrong or extra:
        details = "; ".join(
            f"{label}: {', '.join(names)}"
            for label, names in (("missing", missing), ("checksum differs", wrong),
                                 ("not in the manifest", extra))
            if names
        )  # fmt: skip
        raise BackupError(f"{archive_path} is damaged and was not restored ({details})")
    return manifest


def _database_tables() -> list[str]:
    database = database_settings()
    if engine_name() == "sqlite":
        path = Path(database["NAME"])
        if not path.exists():
            return []
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
        return [r[0] for r in rows]
    return list(connection.introspection.table_names())


def check_empty_target(manifest: dict[str, Any]) -> None:
    """Refuse to restore over anything: the data folder and the database must be empty."""
    if manifest["engine"] != engine_name():
        raise BackupError(
            f"the backup is of a {manifest['engine']} database, but this installation uses "
            f"{engine_name()} (set DATABASE_URL accordingly)"
        )
    data_dir = Path(settings.DATA_DIR)
    present = [n for n in ("encryption_keys",) if (data_dir / n).exists()]
    media = settings.MEDIA_ROOT
    if media and Path(media).is_dir() and any(Path(media).iterdir()):
        present.append(str(media))
    if present:
        raise BackupError(
            f"the data folder {data_dir} is not empty ({', '.join(present)}): restore only "
            "into a new, empty data folder (SOCIALDESK_DATA_DIR)"
        )
    tables = _database_tables()
    if tables:
        raise BackupError(
            f"the database already has {len(tables)} tables: restore only into a new, empty "
            "database"
        )


def _restore_database(staged: Path, name: str) -> None:
    database = database_settings()
    if name == "database.sqlite3":
        connection.close()
        target = Path(database["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        source, copy = sqlite3.connect(staged), sqlite3.connect(target)
        try:
            source.backup(copy, pages=-1)
        finally:
            copy.close()
            source.close()
        return
    env, args = pg_env_args(database)
    run_tool(
        [find_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
         *args, str(staged)],
        env,
    )  # fmt: skip


def restore_backup(archive_path: Path, progress: Progress = lambda _line: None) -> dict[str, Any]:
    """Check the archive, then restore it; return its manifest."""
    progress(f"checking {archive_path} …")
    manifest = read_verified(archive_path)
    check_empty_target(manifest)
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        staging = Path(tmp)
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(staging, filter="data")
        for name, entry in manifest["files"].items():
            if sha256_of(staging / name) != entry["sha256"]:  # changed since the first check
                raise BackupError(f"{archive_path} changed while it was read: not restored")
        for name in manifest["files"]:
            staged = staging / name
            if name.startswith("database."):
                progress(f"  database from {name}")
                _restore_database(staged, name)
            elif name.startswith("files/"):
                progress(f"  {name[len('files/') :]}")
                target = data_dir / name[len("files/") :]
                shutil.copyfile(staged, target)
                target.chmod(0o600)
            elif name.startswith("media/"):
                target = Path(settings.MEDIA_ROOT) / name[len("media/") :]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(staged, target)
    return manifest
