# Workspace and Membership now live in accounts, Campaign and Script in scripts (state only: the tables
# keep their names and rows). Content types follow, so permissions and admin history stay attached.

from django.db import migrations

MOVED = {"workspace": "accounts", "membership": "accounts", "campaign": "scripts", "script": "scripts"}


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        if not ContentType.objects.filter(app_label=app, model=model).exists():
            ContentType.objects.filter(app_label="studio", model=model).update(app_label=app)


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        ContentType.objects.filter(app_label=app, model=model).update(app_label="studio")


class Migration(migrations.Migration):

    dependencies = [
        ('studio', '0002_campaign_brand_kit'),
        ('accounts', '0001_moved_from_studio'),
        ('scripts', '0001_moved_from_studio'),
        ('api', '0003_workspace_in_accounts'),
        ('billing', '0006_workspace_in_accounts'),
        ('renders', '0006_workspace_in_accounts'),
        ('voices', '0004_workspace_in_accounts'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='script',
                    name='campaign',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='workspace',
                ),
                migrations.RemoveField(
                    model_name='workspace',
                    name='members',
                ),
                migrations.RemoveField(
                    model_name='script',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='script',
                    name='workspace',
                ),
                migrations.DeleteModel(
                    name='Campaign',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Script',
                ),
                migrations.DeleteModel(
                    name='Workspace',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
