# The workspace (and script) models moved to accounts (and scripts) with their tables: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_moved_from_studio'),
        ('api', '0002_idempotent_request'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='apikey',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_keys', to='accounts.workspace'),
                ),
                migrations.AlterField(
                    model_name='idempotentrequest',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.workspace'),
                ),
                migrations.AlterField(
                    model_name='webhooksecret',
                    name='workspace',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_secret', to='accounts.workspace'),
                ),
            ],
        ),
    ]
