# Every minute the fast lane fails series rows whose AI draft stopped answering (publishing.services).

from django.db import migrations

NAME = "publishing.fail_stale_drafting_rows"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=NAME,
        defaults={
            "func": "publishing.tasks.fail_stale_drafting_rows",
            "schedule_type": "I",
            "minutes": 1,
            "cluster": "fast",
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0006_watch_time"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
