from django.db import migrations, models

# Frozen here on purpose, like 0003: staff change plans in the admin afterwards; this only seeds them once.
RETENTION_DAYS = {"free": 7, "creator": 30, "pro": 90, "business": 365}


def seed_retention(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for slug, days in RETENTION_DAYS.items():
        Plan.objects.filter(slug=slug).update(output_retention_days=days)


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_plan_max_members")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="output_retention_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Days a finished render's files are kept (from its end); empty: forever. Creators can keep a video.",
                null=True,
            ),
        ),
        migrations.RunPython(seed_retention, migrations.RunPython.noop),
    ]
