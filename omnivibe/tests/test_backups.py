"""Backups: the database and media written to the backups storage, restored after a wipe so the Studio shows the
same scripts and files; old backups forgotten; bad restores refused before anything is touched."""

import io
import json
import re
import shutil
import tarfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from omnivibe import backups
from renders.models import RenderJob, RenderOutput
from scripts.models import Script
from tests.factories import RenderJobFactory, ScriptFactory, workspace_of
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db(transaction=True)  # a restore replaces the whole database: nothing held open
NARRATION = b"ID3 not really an mp3, but these exact bytes"


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "b"}},
    }
    return tmp_path / "b"


def a_finished_job_with_a_file(workspace) -> RenderJob:
    job = RenderJobFactory(workspace=workspace, title="Launch narration", status=RenderJob.Status.SUCCEEDED)
    output = RenderOutput(job=job, kind=RenderOutput.Kind.MP3, size=len(NARRATION))
    output.file.save("narration.mp3", ContentFile(NARRATION))
    return job


def test_a_backup_restored_after_a_wipe_brings_back_the_same_scripts_and_files(owner, settings):
    workspace = workspace_of(owner)
    ScriptFactory(workspace=workspace, title="Launch video", body="Host: We launch today.")
    job = a_finished_job_with_a_file(workspace)
    default_storage.save(f"workspaces/{workspace.pk}/speech-cache/ab/abc.npz", ContentFile(b"made again on demand"))
    default_storage.save("backups/an-older-backup.tar", ContentFile(b"not media: never backed up again"))

    call_command("backup", stdout=io.StringIO())
    [backup] = backups.list_backups()

    Script.objects.all().delete()  # the wipe: rows and files gone
    RenderJob.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    assert "Launch video" not in client_working_in(owner).get(reverse("studio:scripts")).content.decode()

    out = io.StringIO()
    call_command("restore", backup.name, "--yes", stdout=out)
    assert f"Restored {backup.name}" in out.getvalue()

    studio = client_working_in(owner)
    assert "Launch video" in studio.get(reverse("studio:scripts")).content.decode()
    download = studio.get(reverse("renders:job_file", args=[job.public_id, "mp3"]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == NARRATION
    assert not default_storage.exists(f"workspaces/{workspace.pk}/speech-cache/ab/abc.npz")  # not backed up
    assert not default_storage.exists("backups/an-older-backup.tar")


def test_a_restore_needs_a_confirmation_and_an_existing_backup(owner):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", "anything")
    with pytest.raises(CommandError, match=re.escape("no backup called 'omnivibe-backup-20260101T000000Z.tar'")):
        call_command("restore", "omnivibe-backup-20260101T000000Z.tar", "--yes")


def archive_with(tmp_path, manifest: dict, extra: dict[str, bytes]) -> str:
    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as archive:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **extra}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return str(path)


def test_a_backup_of_another_kind_of_database_is_refused(owner, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    crafted = archive_with(tmp_path, {"format": 1, "database": other, "media_files": 0, "created_at": "x"}, {})
    with pytest.raises(CommandError, match=f"holds a {other} database"):
        call_command("restore", crafted, "--yes")


def test_an_archive_reaching_outside_the_media_is_refused_before_anything_is_written(owner, tmp_path):
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    manifest = {"format": 1, "database": engine, "media_files": 1, "created_at": "x"}
    crafted = archive_with(tmp_path, manifest, {"media/workspaces/../../evil.txt": b"x"})
    message = "unexpected entry 'media/workspaces/../../evil.txt'; nothing was restored"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("restore", crafted, "--yes")
    assert owner.memberships.exists()  # the database was not touched


def test_an_archive_with_files_outside_the_workspaces_media_is_refused(owner, tmp_path):
    engine = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    manifest = {"format": 1, "database": engine, "media_files": 1, "created_at": "x"}
    crafted = archive_with(tmp_path, manifest, {"media/static/admin.js": b"x"})
    with pytest.raises(CommandError, match=re.escape("unexpected entry 'media/static/admin.js'")):
        call_command("restore", crafted, "--yes")


def test_a_file_that_is_not_a_backup_is_refused(owner, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all")
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(junk), "--yes")


def test_backups_older_than_the_kept_days_are_forgotten_but_never_the_newest(settings):
    settings.BACKUP_KEEP_DAYS = 7
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    storage = backups.backup_storage()
    for days in (1, 6, 8, 30):
        storage.save(f"omnivibe-backup-{(now - timedelta(days=days)).strftime(backups.STAMP)}.tar", ContentFile(b"x"))
    storage.save("notes.txt", ContentFile(b"not ours"))
    deleted = backups.prune_backups(now)
    assert deleted == ["omnivibe-backup-20261123T030000Z.tar", "omnivibe-backup-20261101T030000Z.tar"]
    assert [b.name for b in backups.list_backups()] == [
        "omnivibe-backup-20261130T030000Z.tar",
        "omnivibe-backup-20261125T030000Z.tar",
    ]
    assert storage.exists("notes.txt")

    for backup in backups.list_backups():
        storage.delete(backup.name)
    storage.save("omnivibe-backup-20250101T030000Z.tar", ContentFile(b"x"))
    assert backups.prune_backups(now) == []  # the only one left is kept, however old


def test_the_schedule_does_nothing_when_backups_are_turned_off(settings):
    settings.BACKUP_ENABLED = False
    assert backups.scheduled_backup() == "backups are turned off (BACKUP_ENABLED=0)"
    assert backups.list_backups() == []


def test_the_daily_schedule_backs_up_and_prunes(owner):
    assert backups.scheduled_backup().endswith("; 0 older deleted")
    assert len(backups.list_backups()) == 1
