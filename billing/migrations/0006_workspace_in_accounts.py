# The workspace (and script) models moved to accounts (and scripts) with their tables: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_moved_from_studio'),
        ('billing', '0005_workspace_plan_incomplete'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='reservation',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reservations', to='accounts.workspace'),
                ),
                migrations.AlterField(
                    model_name='usageentry',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='usage_entries', to='accounts.workspace'),
                ),
                migrations.AlterField(
                    model_name='workspaceplan',
                    name='workspace',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='plan_state', to='accounts.workspace'),
                ),
            ],
        ),
    ]
