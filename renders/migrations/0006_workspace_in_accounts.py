# The workspace (and script) models moved to accounts (and scripts) with their tables: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_moved_from_studio'),
        ('renders', '0005_worker_heartbeat'),
        ('scripts', '0001_moved_from_studio'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='renderjob',
                    name='script',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='render_jobs', to='scripts.script'),
                ),
                migrations.AlterField(
                    model_name='renderjob',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='render_jobs', to='accounts.workspace'),
                ),
            ],
        ),
    ]
