"""`manage.py restore <backup>`: the database and media of a backup (omnivibe.backups) put back."""

from django.core.management.base import BaseCommand, CommandError

from omnivibe.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database with a backup's and write its media files back. Stop the web server and workers "
        "first. BACKUP is a name from `manage.py backup --list` or a backup file's path."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--yes", action="store_true", help="confirm: the current database is replaced")

    def handle(self, *args, backup: str, yes: bool, **options):
        if not yes:
            raise CommandError("This replaces the whole database with the backup's. Run again with --yes to go on.")
        try:
            manifest = restore_backup(backup)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {backup}: the {manifest['database']} database of {manifest['created_at']} "
                f"and {manifest['media_files']} media files"
            )
        )
