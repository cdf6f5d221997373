from django.db import migrations

# Frozen here on purpose: staff change plans in the admin afterwards; this only seeds them once.
PLANS = [
    {"slug": "free", "name": "Free", "monthly_price_cents": 0, "included_narration_seconds": 600,
     "included_video_renders": 3, "max_video_height": 720, "max_voices": 2, "api_access": False,
     "concurrent_jobs": 1, "watermark": True, "sort_order": 0},
    {"slug": "creator", "name": "Creator", "monthly_price_cents": 1900, "included_narration_seconds": 3600,
     "included_video_renders": 30, "max_video_height": 1080, "max_voices": 5, "api_access": False,
     "concurrent_jobs": 2, "watermark": False, "sort_order": 1},
    {"slug": "pro", "name": "Pro", "monthly_price_cents": 4900, "included_narration_seconds": 18000,
     "included_video_renders": 150, "max_video_height": 1080, "max_voices": 15, "api_access": True,
     "concurrent_jobs": 4, "watermark": False, "sort_order": 2},
    {"slug": "business", "name": "Business", "monthly_price_cents": 19900, "included_narration_seconds": 72000,
     "included_video_renders": 600, "max_video_height": 2160, "max_voices": 50, "api_access": True,
     "concurrent_jobs": 10, "watermark": False, "sort_order": 3},
]


def seed_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for values in PLANS:
        Plan.objects.get_or_create(slug=values["slug"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_plans_quota_stripe_events")]

    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
