"""Deploy checks (`manage.py check --deploy`) for settings that must come from the environment.

Without SECRET_KEY, offline commands (makemigrations) still run and Django refuses every request with
"The SECRET_KEY setting must not be empty"; this check says so before a deploy.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs) -> list[Error]:
    try:
        if settings.SECRET_KEY:
            return []
    except ImproperlyConfigured:  # Django raises on reading an empty key
        pass
    return [
        Error(
            "SECRET_KEY must be set when DEBUG is off.",
            hint="Set SECRET_KEY (or SECRET_KEY_FILE), or DEBUG=1 for development.",
            id="omnivibe.E001",
        )
    ]


@register(Tags.security, deploy=True)
def stripe_webhook_secret_is_set(app_configs, **kwargs) -> list[Warning]:
    # With a key, customers can pay; without the webhook secret every Stripe event is refused (503),
    # so paid plans would never be applied.
    if settings.STRIPE_SECRET_KEY and not settings.DJSTRIPE_WEBHOOK_SECRET:
        return [
            Warning(
                "STRIPE_SECRET_KEY is set but DJSTRIPE_WEBHOOK_SECRET is not: Stripe events would be refused.",
                hint="Set DJSTRIPE_WEBHOOK_SECRET (or DJSTRIPE_WEBHOOK_SECRET_FILE) to the endpoint's signing secret.",
                id="omnivibe.W001",
            )
        ]
    return []
