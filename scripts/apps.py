from django.apps import AppConfig
from django.db.models.signals import post_save


class ScriptsConfig(AppConfig):
    name = "scripts"
    verbose_name = "Scripts and campaigns"

    def ready(self) -> None:
        from scripts.models import Script

        # Every save of a script, wherever it happens, refreshes its vector for "similar scripts" once committed.
        post_save.connect(_remember, sender=Script, dispatch_uid="scripts.remember")


def _remember(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures being loaded
        return
    from scripts.memory import queue_remember

    queue_remember(instance.pk)
