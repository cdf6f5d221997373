from django.db import migrations, models

# Frozen here on purpose, like 0003: staff change plans in the admin afterwards; this only seeds them once.
SEATS = {"free": 3, "creator": 5, "pro": 15, "business": 50}


def seed_seats(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for slug, seats in SEATS.items():
        Plan.objects.filter(slug=slug).update(max_members=seats)


class Migration(migrations.Migration):
    dependencies = [("billing", "0006_workspace_in_accounts")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="max_members",
            field=models.PositiveSmallIntegerField(
                default=3, help_text="Seats: members plus invitations waiting for an answer."
            ),
        ),
        migrations.RunPython(seed_seats, migrations.RunPython.noop),
    ]
