"""`manage.py backup`: the database and media, now, into the backups storage (omnivibe.backups)."""

from django.core.management.base import BaseCommand, CommandError

from omnivibe.backups import BackupError, list_backups, make_backup, prune_backups


class Command(BaseCommand):
    help = "Back up the database and media files to the backups storage (BACKUP_DIR), then forget old backups."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="list the backups kept, newest first, and stop")
        parser.add_argument("--keep-all", action="store_true", help="do not delete backups past BACKUP_KEEP_DAYS")

    def handle(self, *args, list: bool, keep_all: bool, **options):
        if list:
            for backup in list_backups():
                self.stdout.write(f"{backup.name}  {backup.created_at:%Y-%m-%d %H:%M} UTC")
            return
        try:
            backup = make_backup()
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {backup.name}"))
        if not keep_all:
            for name in prune_backups():
                self.stdout.write(f"Deleted {name} (older than BACKUP_KEEP_DAYS)")
