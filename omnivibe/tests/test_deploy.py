import os
import subprocess
import sys

from django.conf import settings

from omnivibe.checks import stripe_webhook_secret_is_set


def test_production_settings_pass_the_deploy_checks():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-value",
        "ALLOWED_HOSTS": "omnivibe.example.com",
        "OMNIVIBE_VAR_DIR": "/tmp/omnivibe-deploy-check",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_refuses_a_missing_secret_key():
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "omnivibe.settings", "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode != 0 and "omnivibe.E001" in result.stderr and "SECRET_KEY must be set" in result.stderr


def test_offline_commands_work_with_no_environment_at_all():
    env = {"PATH": os.environ["PATH"], "OMNIVIBE_VAR_DIR": "/tmp/omnivibe-no-env"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_deploy_check_warns_when_stripe_has_a_key_but_no_webhook_secret(settings):
    settings.STRIPE_SECRET_KEY, settings.DJSTRIPE_WEBHOOK_SECRET = "sk_live_x", ""
    [warning] = stripe_webhook_secret_is_set(None)
    assert warning.id == "omnivibe.W001" and "DJSTRIPE_WEBHOOK_SECRET" in warning.msg
    settings.DJSTRIPE_WEBHOOK_SECRET = "whsec_x"
    assert stripe_webhook_secret_is_set(None) == []
    settings.STRIPE_SECRET_KEY, settings.DJSTRIPE_WEBHOOK_SECRET = "", ""  # payments off: nothing to warn about
    assert stripe_webhook_secret_is_set(None) == []
