"""Backups of the database and the media, and restoring one.

A backup is one tar file, `omnivibe-backup-<UTC time>.tar`, holding `manifest.json`, the database (`database.sqlite3`
made with SQLite's online backup API, safe while web and worker write; or `database.dump`, PostgreSQL's `pg_dump`
custom format) and the default storage's media under `media/`: all of it lives under `workspaces/`, and nothing
else there is taken (backups kept in the same bucket are never backed up again), nor the speech cache (it is made
again on demand). It is written to the `backups` storage (STORAGES["backups"]: the folder BACKUP_DIR by default;
any Django storage, a bucket too), so the destination is a directory or a storage alike. The daily
`omnivibe.backup` schedule (migration omnivibe.0001) makes one and forgets those older than BACKUP_KEEP_DAYS,
always keeping the newest; `manage.py backup` and `manage.py restore <backup>` do the same by hand.
"""

import json
import logging
import os
import re
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.db import connections

logger = logging.getLogger(__name__)

FORMAT = 1
PREFIX = "omnivibe-backup-"
NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)\.tar$")
STAMP = "%Y%m%dT%H%M%SZ"
MEDIA = "media/"
MEDIA_ROOT_FOLDER = "workspaces/"  # every upload and output is stored under it (the upload_to functions)
# Made again on demand, and the bulk of the media: not worth keeping twice.
SKIPPED_MEDIA = re.compile(r"^workspaces/\d+/speech-cache/")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the command line."""


@dataclass(frozen=True)
class Backup:
    name: str
    created_at: datetime


def backup_storage() -> Storage:
    return storages["backups"]


def _engine() -> str:
    engine = connections["default"].settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return "sqlite"
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _pg_args_and_env() -> tuple[list[str], dict[str, str]]:
    db = connections["default"].settings_dict
    args = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}
    return args, env


def _dump_database(engine: str, into: Path) -> Path:
    db = connections["default"].settings_dict
    if engine == "sqlite":
        target = into / "database.sqlite3"
        # The online backup API copies a consistent snapshot while others keep writing (WAL included).
        source, copy = sqlite3.connect(db["NAME"]), sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = into / "database.dump"
    args, env = _pg_args_and_env()
    command = ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), db["NAME"]]
    _run(command, env)
    return target


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        subprocess.run(command, env=env, check=True, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed; it is needed for PostgreSQL backups") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()[-500:]}") from None


def _media_files(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{folder}{name}"
        if not SKIPPED_MEDIA.match(path) and not name.endswith(".part"):
            yield path
    for sub in folders:
        if not SKIPPED_MEDIA.match(f"{folder}{sub}/"):
            yield from _media_files(storage, f"{folder}{sub}/")


def make_backup(now: datetime | None = None) -> Backup:
    """Write a backup of the database and media to the backups storage; returns it."""
    now = now or datetime.now(UTC)
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="omnivibe-backup-") as work:
        work_dir = Path(work)
        database = _dump_database(engine, work_dir)
        archive_path = work_dir / "backup.tar"
        media_files = 0
        with tarfile.open(archive_path, "w") as archive:
            archive.add(database, arcname=database.name)
            for name in _media_files(default_storage, MEDIA_ROOT_FOLDER):
                info = tarfile.TarInfo(MEDIA + name)
                info.size = default_storage.size(name)
                info.mtime = int(now.timestamp())
                with default_storage.open(name, "rb") as handle:
                    archive.addfile(info, handle)
                media_files += 1
            manifest = json.dumps(
                {"format": FORMAT, "created_at": now.isoformat(), "database": engine, "media_files": media_files}
            ).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            archive.addfile(info, _BytesReader(manifest))
        name = f"{PREFIX}{now.strftime(STAMP)}.tar"
        storage = backup_storage()
        with archive_path.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
    logger.info("backup %s written: database (%s) and %d media files", saved, engine, media_files)
    return Backup(saved, now)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk, self.position = self.data[self.position : end], min(end, len(self.data))
        return chunk


def list_backups() -> list[Backup]:
    """The backups in the backups storage, newest first (only names this module writes)."""
    try:
        _, files = backup_storage().listdir("")
    except FileNotFoundError:
        return []
    found = []
    for name in files:
        if match := NAME.match(name):
            found.append(Backup(name, datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)))
    return sorted(found, key=lambda backup: backup.created_at, reverse=True)


def prune_backups(now: datetime | None = None) -> list[str]:
    """Delete backups older than BACKUP_KEEP_DAYS, never the newest; returns the names deleted."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.BACKUP_KEEP_DAYS)
    deleted = []
    for backup in list_backups()[1:]:
        if backup.created_at < cutoff:
            backup_storage().delete(backup.name)
            deleted.append(backup.name)
    return deleted


def scheduled_backup() -> str:
    """The daily schedule's task: a backup, then the old ones forgotten."""
    if not settings.BACKUP_ENABLED:
        return "backups are turned off (BACKUP_ENABLED=0)"
    backup = make_backup()
    deleted = prune_backups()
    return f"{backup.name}; {len(deleted)} older deleted"


def _open_backup(source: str, work_dir: Path) -> Path:
    """A local copy of the backup named `source` (a name in the backups storage, or a file's path)."""
    if NAME.match(source) and backup_storage().exists(source):
        local = work_dir / source
        with backup_storage().open(source, "rb") as handle, local.open("wb") as copy:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                copy.write(chunk)
        return local
    path = Path(source)
    if path.is_file():
        return path
    raise BackupError(f"no backup called {source!r} (manage.py backup --list shows them)")


def restore_backup(source: str) -> dict:
    """Replace the database with the backup's and write its media files back; returns its manifest.

    Every connection of this process is closed first; other processes (web, workers) should be stopped.
    """
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="omnivibe-restore-") as work:
        work_dir = Path(work)
        try:
            archive = tarfile.open(_open_backup(source, work_dir), "r")  # noqa: SIM115 (closed by the with below)
        except tarfile.TarError as error:
            raise BackupError(f"{source} is not a backup: {error}") from None
        with archive:
            manifest = _manifest(archive, source)
            if manifest["database"] != engine:
                raise BackupError(
                    f"this backup holds a {manifest['database']} database; this server uses {engine}: "
                    "restore it into the same kind of database"
                )
            members = archive.getmembers()
            for member in members:  # nothing written yet: refuse a hostile archive before touching anything
                name = member.name
                allowed = name in ("manifest.json", "database.sqlite3", "database.dump") or name.startswith(
                    MEDIA + MEDIA_ROOT_FOLDER
                )
                if not allowed or not member.isfile() or ".." in Path(name).parts:
                    raise BackupError(f"{source} holds an unexpected entry {name!r}; nothing was restored")
            database = "database.sqlite3" if engine == "sqlite" else "database.dump"
            archive.extract(database, work_dir, filter="data")
            _restore_database(engine, work_dir / database)
            for member in members:
                if member.name.startswith(MEDIA):
                    name = member.name[len(MEDIA) :]
                    if default_storage.exists(name):
                        default_storage.delete(name)
                    default_storage.save(name, File(archive.extractfile(member), name=name))
    logger.info("restored %s (%s, %d media files)", source, engine, manifest["media_files"])
    return manifest


def _manifest(archive: tarfile.TarFile, source: str) -> dict:
    try:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    except (KeyError, ValueError, AttributeError):
        raise BackupError(f"{source} is not an OmniVibe backup (no readable manifest.json)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is a backup of format {manifest.get('format')}; this version reads {FORMAT}")
    return manifest


def _restore_database(engine: str, dump: Path) -> None:
    db = connections["default"].settings_dict
    connections.close_all()
    if engine == "sqlite":
        # The backup API again, the other way: the live file (and its WAL) is replaced page by page, safely.
        source, live = sqlite3.connect(dump), sqlite3.connect(db["NAME"], timeout=30)
        try:
            source.backup(live)
        finally:
            live.close()
            source.close()
        return
    args, env = _pg_args_and_env()
    command = ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    _run([*command, "--single-transaction", "--dbname", db["NAME"], str(dump)], env)
