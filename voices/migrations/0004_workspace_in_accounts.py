# The workspace (and script) models moved to accounts (and scripts) with their tables: state only.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_moved_from_studio'),
        ('voices', '0003_vendor_clone_id'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='voice',
                    name='workspace',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='voices', to='accounts.workspace'),
                ),
            ],
        ),
    ]
