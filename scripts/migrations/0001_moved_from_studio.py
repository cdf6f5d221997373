# Campaign and Script moved from the studio app; their tables (studio_campaign, studio_script) stay as
# they are, so this changes Django's state only.

import django.core.validators
import django.db.models.deletion
import scripts.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_moved_from_studio'),
        ('studio', '0002_campaign_brand_kit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Campaign',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('aspect', models.CharField(choices=[('9:16', '9:16 (Shorts, Reels, TikTok)'), ('16:9', '16:9 (YouTube)'), ('1:1', '1:1 (Feed)')], default='9:16', max_length=5)),
                        ('primary_color', models.CharField(default='#1e293b', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9A-Fa-f]{6}$', 'Enter a colour as #RRGGBB.')])),
                        ('secondary_color', models.CharField(default='#7c3aed', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9A-Fa-f]{6}$', 'Enter a colour as #RRGGBB.')])),
                        ('gradient', models.BooleanField(default=True, help_text='Scene backgrounds blend the two colours.')),
                        ('font', models.CharField(choices=[('Roboto Bold', 'Roboto Bold'), ('Roboto', 'Roboto Regular'), ('Roboto Medium', 'Roboto Medium'), ('Roboto Light', 'Roboto Light'), ('Roboto Black', 'Roboto Black')], default='Roboto Bold', max_length=20)),
                        ('logo', models.FileField(blank=True, max_length=300, upload_to=scripts.models.campaign_upload_to)),
                        ('caption_size', models.CharField(choices=[('small', 'Small'), ('medium', 'Medium'), ('large', 'Large')], default='medium', max_length=6)),
                        ('caption_color', models.CharField(default='#FFFFFF', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9A-Fa-f]{6}$', 'Enter a colour as #RRGGBB.')])),
                        ('highlight_color', models.CharField(default='#FFD400', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9A-Fa-f]{6}$', 'Enter a colour as #RRGGBB.')])),
                        ('caption_position', models.CharField(choices=[('bottom', 'Bottom'), ('center', 'Centre')], default='bottom', max_length=6)),
                        ('music', models.FileField(blank=True, max_length=300, upload_to=scripts.models.campaign_upload_to)),
                        ('zoom', models.BooleanField(default=False, help_text='A slow zoom over still backgrounds.')),
                        ('transition', models.CharField(choices=[('cut', 'Cut'), ('crossfade', 'Crossfade')], default='cut', max_length=10)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='campaigns', to='accounts.workspace')),
                    ],
                    options={
                        'db_table': 'studio_campaign',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Script',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('language', models.CharField(default='en', max_length=10)),
                        ('body', models.TextField()),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('campaign', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='scripts', to='scripts.campaign')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scripts', to='accounts.workspace')),
                    ],
                    options={
                        'db_table': 'studio_script',
                        'ordering': ['-updated_at'],
                    },
                ),
            ],
        ),
    ]
