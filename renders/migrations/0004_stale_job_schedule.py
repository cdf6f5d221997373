# The worker's scheduler fails jobs whose worker died (renders.services.fail_stale_jobs) every 5 minutes.

from django.db import migrations

NAME = "renders.fail_stale_jobs"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME, defaults={"func": "renders.tasks.fail_stale_jobs", "schedule_type": "I", "minutes": 5}
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("renders", "0003_edited_storyboard"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
