from datetime import UTC, datetime, time, timedelta

from django.db import migrations


def add_backup_schedule(apps, schema_editor):
    # A backup a day at 03:00 UTC (omnivibe.backups); it does nothing when BACKUP_ENABLED is off.
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name="omnivibe.backup",
        defaults={
            "func": "omnivibe.backups.scheduled_backup",
            "schedule_type": "D",
            "next_run": datetime.combine(tomorrow, time(3, 0), tzinfo=UTC),
        },
    )


def remove_backup_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="omnivibe.backup").delete()


class Migration(migrations.Migration):
    dependencies = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]

    operations = [migrations.RunPython(add_backup_schedule, remove_backup_schedule)]
