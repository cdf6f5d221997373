from django.apps import AppConfig
from django.db.models.signals import pre_delete


class VoicesConfig(AppConfig):
    name = "voices"

    def ready(self) -> None:
        from accounts.models import Workspace

        # Deleting a workspace (the admin does) deletes its voices too: their clones at the vendor go with them.
        pre_delete.connect(_release_clones, sender=Workspace, dispatch_uid="voices.release_clones")


def _release_clones(sender, instance, **kwargs) -> None:
    from voices.services import release_clones_of_deleted_workspace

    release_clones_of_deleted_workspace(instance.pk)
