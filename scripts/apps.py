from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete


class ScriptsConfig(AppConfig):
    name = "scripts"
    verbose_name = "Scripts and campaigns"

    def ready(self) -> None:
        from accounts.models import Workspace
        from scripts.models import Script

        # Every save of a script, wherever it happens, refreshes its vector for "similar scripts" once committed.
        post_save.connect(_remember, sender=Script, dispatch_uid="scripts.remember")
        # A deleted workspace's pronunciation dictionaries at vendors go with it.
        pre_delete.connect(_archive_dictionaries, sender=Workspace, dispatch_uid="scripts.archive_dictionaries")


def _remember(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures being loaded
        return
    from scripts.memory import queue_remember

    queue_remember(instance.pk)


def _archive_dictionaries(sender, instance, **kwargs) -> None:
    from scripts.dictionaries import archive_of_deleted_workspace

    archive_of_deleted_workspace(instance.pk)
