from django.apps import AppConfig
from django.db.models.signals import pre_delete


class RendersConfig(AppConfig):
    name = "renders"

    def ready(self) -> None:
        from accounts.models import Workspace
        from accounts.workspaces import deletion_blocked_by
        from billing.storage import storage_used_by
        from voices.models import Voice
        from voices.signals import voice_needed_by

        # A voice a queued or running job still needs cannot be deleted (voices.services.delete_voice).
        voice_needed_by.connect(_jobs_needing_voice, sender=Voice, dispatch_uid="renders.jobs_needing_voice")
        # Nor can a workspace whose renders are queued or running (accounts.workspaces.delete).
        deletion_blocked_by.connect(_renders_in_progress, sender=Workspace, dispatch_uid="renders.renders_in_progress")
        # What the workspace stores, for its billing page (billing.storage).
        storage_used_by.connect(_storage_of_renders, sender=Workspace, dispatch_uid="renders.storage_of_renders")
        # A deleted workspace's narration goes with it: its speech cache rows now, its files once committed.
        pre_delete.connect(_forget_speech_cache, sender=Workspace, dispatch_uid="renders.forget_speech_cache")


def _jobs_needing_voice(sender, voice, **kwargs) -> list[str]:
    from renders.selectors import titles_of_jobs_using

    return titles_of_jobs_using(voice)


def _renders_in_progress(sender, workspace, **kwargs) -> list[str]:
    from renders.selectors import titles_of_active_jobs

    titles = titles_of_active_jobs(workspace.pk)
    return [f"renders in progress ({', '.join(titles)}): cancel them or let them finish"] if titles else []


def _storage_of_renders(sender, workspace, **kwargs) -> list:
    from renders.selectors import storage_of_renders

    return storage_of_renders(workspace.pk)


def _forget_speech_cache(sender, instance, **kwargs) -> None:
    from renders.caches import forget_workspace

    forget_workspace(instance.pk)
